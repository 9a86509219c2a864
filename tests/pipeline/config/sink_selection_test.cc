// Sink names and the scrape configs' `sinks:` lists that select them.
#include <gtest/gtest.h>

#include "pipeline/config/config.h"
#include "pipeline/config/print.h"

namespace tailcast::config {
namespace {

Result<Config> parse(std::string_view text) { return parse_config(text, "test.yaml"); }

constexpr std::string_view kScrape = R"(
scrape_configs:
  - job_name: a
    static_configs:
      - labels: {__path__: /a/*.log}
)";

TEST(SinkSelection, UnnamedSinksTakeTheirKindNumberedFromTheSecond) {
  auto config = parse(std::string(R"(clients:
  - url: http://a:3100/loki/api/v1/push
  - url: http://b:3100/loki/api/v1/push
sinks:
  - loki: {url: http://c:3100/loki/api/v1/push}
  - kafka: {brokers: [k:9092], topic: logs}
  - kafka: {brokers: [k:9092], topic: more}
  - stdout: {}
)") + std::string(kScrape));
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->clients.size(), 3u);
  EXPECT_EQ(config->clients[0].name, "loki");
  EXPECT_EQ(config->clients[1].name, "loki-2");
  EXPECT_EQ(config->clients[2].name, "loki-3");
  ASSERT_EQ(config->kafka_sinks.size(), 2u);
  EXPECT_EQ(config->kafka_sinks[0].name, "kafka");
  EXPECT_EQ(config->kafka_sinks[1].name, "kafka-2");
  ASSERT_EQ(config->outputs.size(), 1u);
  EXPECT_EQ(config->outputs[0].name, "stdout");
}

TEST(SinkSelection, AJobNamesItsSinksAndNoListMeansEverySink) {
  auto config = parse(R"(clients:
  - name: loki-main
    url: http://a:3100/loki/api/v1/push
sinks:
  - name: kafka-a
    kafka: {brokers: [k:9092], topic: logs}
scrape_configs:
  - job_name: both
    sinks: [loki-main, kafka-a]
    static_configs:
      - labels: {__path__: /a/*.log}
  - job_name: kafka-only
    sinks: kafka-a
    static_configs:
      - labels: {__path__: /b/*.log}
  - job_name: default
    static_configs:
      - labels: {__path__: /c/*.log}
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->clients[0].name, "loki-main");
  EXPECT_EQ(config->kafka_sinks[0].name, "kafka-a");
  ASSERT_EQ(config->scrape_configs.size(), 3u);
  EXPECT_EQ(config->scrape_configs[0].sinks, (std::vector<std::string>{"loki-main", "kafka-a"}));
  EXPECT_EQ(config->scrape_configs[1].sinks, (std::vector<std::string>{"kafka-a"}));
  EXPECT_TRUE(config->scrape_configs[2].sinks.empty());
}

TEST(SinkSelection, AnUnknownSinkNameIsAnErrorAtItsLineNamingTheKnownOnes) {
  auto config = parse(R"(clients:
  - url: http://a:3100/loki/api/v1/push
sinks:
  - name: kafka-a
    kafka: {brokers: [k:9092], topic: logs}
scrape_configs:
  - job_name: a
    sinks:
      - loki
      - kafka-b
    static_configs:
      - labels: {__path__: /a/*.log}
)");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "test.yaml:10:9: scrape_configs[0].sinks[1]: no sink is named \"kafka-b\" (sinks: "
            "kafka-a, loki)");
}

TEST(SinkSelection, TwoSinksWithOneNameAreAnError) {
  auto config = parse(std::string(R"(clients:
  - name: main
    url: http://a:3100/loki/api/v1/push
sinks:
  - name: main
    kafka: {brokers: [k:9092], topic: logs}
)") + std::string(kScrape));
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("test.yaml:5:11: sinks[0].name: sink name \"main\" is "
                                        "already used by the sink at test.yaml:2:5"),
            std::string::npos)
      << config.error().message;
}

TEST(SinkSelection, TheEffectiveConfigShowsSinkNamesAndEachJobsSinks) {
  auto config = parse(R"(clients:
  - url: http://a:3100/loki/api/v1/push
sinks:
  - stdout: {}
scrape_configs:
  - job_name: a
    sinks: [stdout]
    static_configs:
      - labels: {__path__: /a/*.log}
)");
  ASSERT_TRUE(config) << config.error().message;
  const std::string printed = to_redacted_yaml(*config);
  EXPECT_NE(printed.find("name: loki"), std::string::npos) << printed;
  EXPECT_NE(printed.find("sinks: [stdout]"), std::string::npos) << printed;
  auto again = parse(printed);
  ASSERT_TRUE(again) << again.error().message << "\n" << printed;
  EXPECT_EQ(again->scrape_configs[0].sinks, (std::vector<std::string>{"stdout"}));
}

}  // namespace
}  // namespace tailcast::config
