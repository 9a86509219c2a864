// One job shipping to Loki, Kafka and OTLP at once, with the real binary: while Loki answers 503
// the file's position stays behind the lines Loki has not stored, although Kafka and OTLP have
// them all; a kill -9 in the outage loses nothing; when Loki recovers every sink holds every line.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <vector>

#include "tests/support/kafka_broker_process.h"
#include "tests/support/kafka_cluster.h"
#include "tests/support/loki_receiver.h"
#include "tests/support/otlp_receiver.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tailcast {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::TempDir;
using testing::wait_until;

constexpr int kLines = 2000;
constexpr char kTopic[] = "fanout";

std::string config_text(const TempDir& dir, const std::string& loki_url,
                        const std::string& bootstraps, const std::string& otlp_endpoint) {
  return "server:\n  http_listen_port: 0\npositions:\n  filename: " +
         (dir / "positions.yaml").string() +
         "\n  sync_period: 100ms\nclients:\n  - name: loki-main\n    url: " + loki_url +
         "\n    batchwait: 50ms\n    batchsize: 16384\n"
         "    backoff_config: {min_period: 20ms, max_period: 100ms, max_retries: 0}\n"
         "sinks:\n  - name: kafka-a\n    kafka:\n      brokers: [" + bootstraps + "]\n      topic: " +
         kTopic +
         "\n      linger: 5ms\n      properties: {reconnect.backoff.max.ms: \"200\"}\n"
         "  - name: otlp-a\n    otlp:\n      endpoint: " + otlp_endpoint +
         "\n      batchwait: 50ms\n      backoff: {min_period: 20ms, max_period: 100ms, max_retries: 0}\n"
         "scrape_configs:\n  - job_name: app\n    sinks: [loki-main, kafka-a, otlp-a]\n"
         "    static_configs:\n      - labels:\n          job: app\n          __path__: " +
         (dir / "logs" / "*.log").string() + "\n";
}

// The committed offset the positions file holds for `path`, if any.
std::optional<uint64_t> position_of(const fs::path& positions, const fs::path& path) {
  if (!fs::exists(positions)) return std::nullopt;
  YAML::Node root = YAML::LoadFile(positions.string());
  YAML::Node offset = root["positions"][path.string()];
  if (!offset) return std::nullopt;
  return std::stoull(offset.as<std::string>());
}

int number_of(std::string_view line) {
  return line.rfind("line ", 0) == 0 ? std::stoi(std::string(line.substr(5))) : -1;
}

std::map<int, int> numbers_in_loki(const testing::LokiReceiver& receiver) {
  std::map<int, int> seen;
  for (const auto& entry : receiver.entries()) ++seen[number_of(entry.line)];
  return seen;
}

std::map<int, int> numbers_in_kafka(const std::vector<testing::ConsumedMessage>& messages) {
  simdjson::dom::parser parser;
  std::map<int, int> seen;
  for (const auto& message : messages) {
    simdjson::dom::element value;
    if (parser.parse(message.value).get(value) != simdjson::SUCCESS) continue;
    ++seen[number_of(value["line"].get_string().value())];
  }
  return seen;
}

std::map<int, int> numbers_in_otlp(const testing::OtlpReceiver& receiver) {
  std::map<int, int> seen;
  for (const auto& received : receiver.log_records())
    ++seen[number_of(testing::any_value_text(received.record.body()))];
  return seen;
}

TEST(Fanout, LokiDownHoldsThePositionOthersGetEverythingAndKillNineLosesNothing) {
  TempDir dir;
  testing::MockBrokerProcess broker(dir / "broker", {std::string(kTopic) + ":2"});
  ASSERT_TRUE(broker.started()) << broker.log();
  testing::LokiReceiver loki;
  testing::OtlpReceiver otlp;
  // Loki is down for the first 40 pushes: a few seconds at this backoff, across the restart.
  loki.respond_with(std::vector<testing::ScriptedResponse>(40, testing::ScriptedResponse{503, "", ""}));
  const fs::path log_file = dir / "logs" / "app.log";
  {
    std::string text;
    for (int i = 0; i < kLines; ++i) text += "line " + std::to_string(i) + "\n";
    dir.write("logs/app.log", text);
  }
  const uint64_t file_size = fs::file_size(log_file);
  dir.write("tailcast.yaml", config_text(dir, loki.url(), broker.bootstraps(), otlp.endpoint()));
  const std::vector<std::string> argv{TC_BINARY, "-config.file=" + (dir / "tailcast.yaml").string()};
  auto tailcast = std::make_unique<ChildProcess>(argv, dir / "stdout", dir / "stderr");

  // Kafka and OTLP store every line while Loki refuses them.
  std::string error;
  auto consumer = testing::KafkaConsumer::open(broker.bootstraps(), kTopic, 10s, &error);
  ASSERT_TRUE(consumer) << error;
  ASSERT_EQ(consumer->consume(kLines, 30s).size(), size_t(kLines)) << testing::read_file(dir / "stderr");
  ASSERT_TRUE(otlp.wait_for_log_records(kLines, 30s)) << testing::read_file(dir / "stderr");
  ASSERT_TRUE(wait_until([&] { return loki.push_count() >= 3; }, 10s));
  // Several position syncs after Kafka's acknowledgements: none may pass Loki's missing lines.
  ASSERT_TRUE(wait_until([&] { return fs::exists(dir / "positions.yaml"); }, 5s));
  std::this_thread::sleep_for(300ms);
  auto held = position_of(dir / "positions.yaml", log_file);
  ASSERT_TRUE(loki.entries().empty()) << "Loki recovered too early for the check to mean anything";
  EXPECT_EQ(held.value_or(0), 0u) << "the position passed lines Loki has not stored";

  // kill -9 during the outage, and a restart on the same positions file.
  tailcast->signal(SIGKILL);
  ASSERT_TRUE(tailcast->wait(10s).has_value());
  tailcast = std::make_unique<ChildProcess>(argv, dir / "stdout", dir / "stderr");
  ASSERT_TRUE(wait_until([&] { return numbers_in_loki(loki).size() == size_t(kLines); }, 60s))
      << "Loki has " << numbers_in_loki(loki).size() << " lines\n"
      << testing::read_file(dir / "stderr");
  ASSERT_TRUE(wait_until(
      [&] { return position_of(dir / "positions.yaml", log_file).value_or(0) == file_size; }, 10s))
      << "the position reaches the end once both sinks acknowledged";
  tailcast->signal(SIGTERM);
  EXPECT_EQ(tailcast->wait(30s), 0) << testing::read_file(dir / "stderr");

  // Loki stored nothing before, so it has every line once; Kafka and OTLP have every line, those
  // of the killed run's unacknowledged chunks twice (at-least-once across a kill -9).
  for (const auto& [number, times] : numbers_in_loki(loki)) ASSERT_EQ(times, 1) << number;
  consumer->consume(2 * kLines, 2s);
  auto in_kafka = numbers_in_kafka(consumer->consumed());
  EXPECT_EQ(in_kafka.size(), size_t(kLines));
  EXPECT_EQ(in_kafka.count(-1), 0u);
  auto in_otlp = numbers_in_otlp(otlp);
  EXPECT_EQ(in_otlp.size(), size_t(kLines));
  EXPECT_EQ(in_otlp.count(-1), 0u);
}

}  // namespace
}  // namespace tailcast
