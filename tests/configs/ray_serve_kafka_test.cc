// configs/ray-serve-kafka.yaml: loads with its defaults and with the environment's values, and run
// over a copy of the fixture session against the mock broker it ships every Serve record to the
// logs topic, keyed by stream, request_id as a header, and every Serve span to the spans topic.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "pipeline/config/config.h"
#include "tests/integration/ray_fixture_logs.h"
#include "tests/support/kafka_broker_process.h"
#include "tests/support/kafka_cluster.h"
#include "tests/support/loki_receiver.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tailcast {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kConfig = fs::path(TC_SOURCE_DIR) / "configs" / "ray-serve-kafka.yaml";
constexpr const char* kVariables[] = {"RAY_LOGS_DIR",   "KAFKA_BROKERS",     "KAFKA_TOPIC",
                                      "KAFKA_SPANS_TOPIC", "POSITIONS_FILE", "TAILCAST_HTTP_PORT"};

// Sets the config's variables for one test and clears them after it.
class KafkaConfigEnv : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    for (const char* name : kVariables) ::unsetenv(name);
  }
};

TEST_F(KafkaConfigEnv, DefaultsNameALocalBrokerTheServeTopicAndTheRaySession) {
  auto config = config::load_config(kConfig.string(), true);
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->kafka_sinks.size(), 2u);
  EXPECT_EQ(config->kafka_sinks[0].brokers, (std::vector<std::string>{"localhost:9092"}));
  EXPECT_EQ(config->kafka_sinks[0].topic, "ray-serve-logs");
  EXPECT_EQ(config->kafka_sinks[1].topic, "ray-serve-spans");
  EXPECT_EQ(config->positions.filename, "/var/lib/tailcast/positions.yaml");
  ASSERT_EQ(config->scrape_configs.size(), 2u);
  EXPECT_EQ(config->scrape_configs[0].sinks, (std::vector<std::string>{"kafka"}));
  EXPECT_EQ(config->scrape_configs[1].sinks, (std::vector<std::string>{"kafka-spans"}));
  EXPECT_EQ(config->scrape_configs[0].static_configs[0].labels.back().second,
            "/tmp/ray/session_latest/logs/serve/*.log");
  EXPECT_TRUE(config->clients.empty());
}

TEST_F(KafkaConfigEnv, EnvironmentChoosesBrokersTopicLogsAndPositions) {
  ::setenv("KAFKA_BROKERS", "k1:9092,k2:9093", 1);
  ::setenv("KAFKA_TOPIC", "serve", 1);
  ::setenv("RAY_LOGS_DIR", "/data/ray/logs", 1);
  ::setenv("POSITIONS_FILE", "/data/positions.yaml", 1);
  auto config = config::load_config(kConfig.string(), true);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->kafka_sinks[0].brokers, (std::vector<std::string>{"k1:9092", "k2:9093"}));
  EXPECT_EQ(config->kafka_sinks[0].topic, "serve");
  EXPECT_EQ(config->positions.filename, "/data/positions.yaml");
  EXPECT_EQ(config->scrape_configs[0].static_configs[0].labels.back().second,
            "/data/ray/logs/serve/*.log");
}

TEST_F(KafkaConfigEnv, ShipsEveryServeRecordOfTheFixtureSessionToTheTopic) {
  testing::TempDir dir;
  testing::MockBrokerProcess broker(dir / "broker", {"serve-test:4", "spans-test:2"});
  ASSERT_TRUE(broker.started()) << broker.log();
  testing::copy_fixture_logs(dir / "logs", true);
  ::setenv("RAY_LOGS_DIR", (dir / "logs").c_str(), 1);
  ::setenv("KAFKA_BROKERS", broker.bootstraps().c_str(), 1);
  ::setenv("KAFKA_TOPIC", "serve-test", 1);
  ::setenv("KAFKA_SPANS_TOPIC", "spans-test", 1);
  ::setenv("POSITIONS_FILE", (dir / "positions.yaml").c_str(), 1);
  ::setenv("TAILCAST_HTTP_PORT", "0", 1);
  testing::ChildProcess tailcast(
      {TC_BINARY, "-config.file=" + kConfig.string(), "-config.expand-env=true", "-once"},
      dir / "stdout", dir / "stderr");
  ASSERT_EQ(tailcast.wait(60s), 0) << testing::read_file(dir / "stderr");

  // Serve records only: the driver and worker logs are not this config's.
  const testing::ServeRecordCounts serve = testing::serve_record_counts(dir / "logs");
  const std::set<std::string>& serve_files = serve.files;
  const size_t expected = serve.records, with_request_id = serve.with_request_id;
  ASSERT_GT(expected, 0u);
  ASSERT_GT(with_request_id, 0u);

  std::string error;
  auto consumer = testing::KafkaConsumer::open(broker.bootstraps(), "serve-test", 10s, &error);
  ASSERT_TRUE(consumer) << error;
  consumer->consume(expected, 30s);
  consumer->poll(300ms);
  const auto& messages = consumer->consumed();
  EXPECT_EQ(messages.size(), expected);
  simdjson::dom::parser parser;
  size_t headers = 0;
  for (const auto& message : messages) {
    simdjson::dom::element value;
    ASSERT_EQ(parser.parse(message.value).get(value), simdjson::SUCCESS);
    std::string filename(value["labels"]["filename"].get_string().value());
    EXPECT_TRUE(serve_files.count(fs::path(filename).filename().string())) << filename;
    EXPECT_EQ(std::string(value["labels"]["job"].get_string().value()), "ray-serve");
    auto key = testing::parse_label_string(message.key);
    ASSERT_TRUE(key) << message.key;
    EXPECT_EQ(key->at("filename"), filename);
    EXPECT_EQ(key->count("request_id"), 0u);
    headers += message.header("request_id") != nullptr;
  }
  EXPECT_EQ(headers, with_request_id);

  // Spans: one message each on their own topic, with the ids the fixtures list.
  std::multiset<std::string> expected_span_ids;
  for (const auto& item : fs::directory_iterator(testing::kFixtureExpected / "serve" / "spans")) {
    std::ifstream in(item.path());
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      expected_span_ids.insert(std::string(parser.parse(line)["span_id"].get_string().value()));
    }
  }
  ASSERT_FALSE(expected_span_ids.empty());
  auto spans = testing::KafkaConsumer::open(broker.bootstraps(), "spans-test", 10s, &error);
  ASSERT_TRUE(spans) << error;
  spans->consume(expected_span_ids.size(), 30s);
  spans->poll(300ms);
  std::multiset<std::string> span_ids;
  for (const auto& message : spans->consumed()) {
    const std::string* id = message.header("span_id");
    ASSERT_NE(id, nullptr) << message.value;
    span_ids.insert(*id);
    simdjson::dom::element value;
    ASSERT_EQ(parser.parse(message.value).get(value), simdjson::SUCCESS);
    EXPECT_EQ(std::string(value["labels"]["job"].get_string().value()), "ray-serve-spans");
  }
  EXPECT_EQ(span_ids, expected_span_ids);
}

}  // namespace
}  // namespace tailcast
