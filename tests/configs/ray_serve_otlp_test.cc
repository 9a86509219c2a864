// configs/ray-serve-otlp.yaml: loads with its defaults and with the environment's values, and run
// over a copy of the fixture session against the OTLP receiver it exports every Serve record as a
// LogRecord (request_id an attribute) and every Serve span, with its ids and parent.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "pipeline/config/config.h"
#include "tests/integration/ray_fixture_logs.h"
#include "tests/support/otlp_receiver.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tailcast {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kConfig = fs::path(TC_SOURCE_DIR) / "configs" / "ray-serve-otlp.yaml";
constexpr const char* kVariables[] = {"RAY_LOGS_DIR", "OTLP_ENDPOINT", "POSITIONS_FILE",
                                      "TAILCAST_HTTP_PORT", "HOSTNAME"};

class OtlpConfigEnv : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    for (const char* name : kVariables) ::unsetenv(name);
  }
};

TEST_F(OtlpConfigEnv, DefaultsNameALocalCollectorAndTheRaySession) {
  auto config = config::load_config(kConfig.string(), true);
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->otlp_sinks.size(), 1u);
  EXPECT_EQ(config->otlp_sinks[0].endpoint, "http://localhost:4318");
  EXPECT_EQ(config->positions.filename, "/var/lib/tailcast/positions.yaml");
  ASSERT_EQ(config->scrape_configs.size(), 2u);
  EXPECT_EQ(config->scrape_configs[0].static_configs[0].labels.back().second,
            "/tmp/ray/session_latest/logs/serve/*.log");
  EXPECT_EQ(config->scrape_configs[1].static_configs[0].labels.back().second,
            "/tmp/ray/session_latest/logs/serve/spans/*.json");
  EXPECT_TRUE(config->clients.empty());
}

TEST_F(OtlpConfigEnv, EnvironmentChoosesEndpointLogsAndPositions) {
  ::setenv("OTLP_ENDPOINT", "https://collector.example:4318", 1);
  ::setenv("RAY_LOGS_DIR", "/data/ray/logs", 1);
  ::setenv("POSITIONS_FILE", "/data/positions.yaml", 1);
  auto config = config::load_config(kConfig.string(), true);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->otlp_sinks[0].endpoint, "https://collector.example:4318");
  EXPECT_EQ(config->positions.filename, "/data/positions.yaml");
  EXPECT_EQ(config->scrape_configs[0].static_configs[0].labels.back().second,
            "/data/ray/logs/serve/*.log");
}

TEST_F(OtlpConfigEnv, ExportsEveryServeRecordAndSpanOfTheFixtureSession) {
  testing::TempDir dir;
  testing::OtlpReceiver receiver;
  testing::copy_fixture_logs(dir / "logs", true);
  ::setenv("RAY_LOGS_DIR", (dir / "logs").c_str(), 1);
  ::setenv("OTLP_ENDPOINT", receiver.endpoint().c_str(), 1);
  ::setenv("POSITIONS_FILE", (dir / "positions.yaml").c_str(), 1);
  ::setenv("TAILCAST_HTTP_PORT", "0", 1);
  testing::ChildProcess tailcast(
      {TC_BINARY, "-config.file=" + kConfig.string(), "-config.expand-env=true", "-once"},
      dir / "stdout", dir / "stderr");
  ASSERT_EQ(tailcast.wait(60s), 0) << testing::read_file(dir / "stderr");

  const testing::ServeRecordCounts serve = testing::serve_record_counts(dir / "logs");
  const size_t expected = serve.records, with_request_id = serve.with_request_id;
  ASSERT_GT(expected, 0u);
  ASSERT_GT(with_request_id, 0u);

  auto records = receiver.log_records();
  EXPECT_EQ(records.size(), expected);
  size_t request_ids = 0;
  for (const auto& received : records) {
    EXPECT_EQ(received.resource.count("request_id"), 0u) << "request_id is per record";
    EXPECT_EQ(received.resource.at("service.namespace"), "ray-serve");
    for (const auto& attribute : received.record.attributes())
      request_ids += attribute.key() == "request_id";
  }
  EXPECT_EQ(request_ids, with_request_id);

  std::multiset<std::pair<std::string, std::string>> expected_spans;  // (span_id, parent)
  simdjson::dom::parser parser;
  for (const auto& item : fs::directory_iterator(testing::kFixtureExpected / "serve" / "spans")) {
    std::ifstream in(item.path());
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      simdjson::dom::element span = parser.parse(line);
      expected_spans.emplace(std::string(span["span_id"].get_string().value()),
                             std::string(span["parent_span_id"].get_string().value()));
    }
  }
  ASSERT_FALSE(expected_spans.empty());
  std::multiset<std::pair<std::string, std::string>> spans;
  for (const auto& received : receiver.spans())
    spans.emplace(testing::hex_of(received.span.span_id()),
                  testing::hex_of(received.span.parent_span_id()));
  EXPECT_EQ(spans, expected_spans);
}

}  // namespace
}  // namespace tailcast
