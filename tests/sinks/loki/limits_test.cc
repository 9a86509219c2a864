// A client's `loki_limits:` block: Loki's defaults when absent, Loki's key names, and errors that
// name the file, line and key.
#include "sinks/loki/limits.h"

#include <gtest/gtest.h>

#include "pipeline/config/config.h"

namespace tailcast::sinks::loki {
namespace {

using namespace std::chrono_literals;

const char* kHead =
    "clients:\n"
    "  - url: http://localhost:3100/loki/api/v1/push\n";
const char* kTail =
    "scrape_configs:\n"
    "  - job_name: a\n"
    "    static_configs:\n"
    "      - labels: {__path__: /var/log/*.log}\n";

TEST(LokiLimitsConfig, AbsentBlockMeansLokisDefaults) {
  auto config = config::parse_config(std::string(kHead) + kTail, "t.yaml");
  ASSERT_TRUE(config) << config.error().message;
  const LokiLimits& limits = config->clients[0].loki_limits;
  EXPECT_TRUE(limits.enabled);
  EXPECT_EQ(limits.max_line_size, 256u * 1024);
  EXPECT_EQ(limits.max_label_names_per_series, 15u);
  EXPECT_TRUE(limits.reject_old_samples);
  EXPECT_EQ(limits.reject_old_samples_max_age, 168h);
  EXPECT_EQ(limits.creation_grace_period, 10min);
  EXPECT_EQ(limits.out_of_order_window, 1h);
}

TEST(LokiLimitsConfig, KeysAreReadWithLokisNames) {
  auto config = config::parse_config(std::string(kHead) +
                                         "    loki_limits:\n"
                                         "      max_line_size: 1MB\n"
                                         "      max_line_size_truncate: true\n"
                                         "      reject_old_samples_max_age: 72h\n"
                                         "      max_structured_metadata_entries_count: 10\n" +
                                         kTail,
                                     "t.yaml");
  ASSERT_TRUE(config) << config.error().message;
  const LokiLimits& limits = config->clients[0].loki_limits;
  EXPECT_EQ(limits.max_line_size, 1024u * 1024);
  EXPECT_TRUE(limits.max_line_size_truncate);
  EXPECT_EQ(limits.reject_old_samples_max_age, 72h);
  EXPECT_EQ(limits.max_structured_metadata_entries_count, 10u);
}

TEST(LokiLimitsConfig, AMisspeltKeyNamesFileLineAndKey) {
  auto config = config::parse_config(std::string(kHead) +
                                         "    loki_limits:\n"
                                         "      max_line_sise: 1MB\n" +
                                         kTail,
                                     "t.yaml");
  ASSERT_FALSE(config);
  const std::string& message = config.error().message;
  EXPECT_NE(message.find("t.yaml:4"), std::string::npos) << message;
  EXPECT_NE(message.find("max_line_sise"), std::string::npos) << message;
}

TEST(LokiLimitsConfig, ACountMustBePositive) {
  auto config = config::parse_config(std::string(kHead) +
                                         "    loki_limits:\n"
                                         "      max_label_names_per_series: 0\n" +
                                         kTail,
                                     "t.yaml");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("max_label_names_per_series"), std::string::npos)
      << config.error().message;
}

}  // namespace
}  // namespace tailcast::sinks::loki
