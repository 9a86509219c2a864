// The real binary over a copy of the Ray fixture session, producing to tc_kafka_mock_broker (a
// separate process speaking the Kafka protocol on loopback), read back by a librdkafka consumer:
// every record once, keyed by its stream, metadata in headers; then brokers going down and
// Produce requests refused mid-run, and still every line exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

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
using testing::ChildProcess;
using testing::ConsumedMessage;
using testing::KafkaConsumer;
using testing::MockBrokerProcess;
using testing::TempDir;
using testing::wait_until;

constexpr char kTopic[] = "ray-logs";

std::string config_text(const TempDir& dir, const std::string& bootstraps, bool ray_serve) {
  std::string text = "server:\n  http_listen_port: 0\npositions:\n  filename: " +
                     (dir / "positions.yaml").string() +
                     "\n  sync_period: 100ms\nsinks:\n  - kafka:\n      brokers: [" + bootstraps +
                     "]\n      topic: " + kTopic +
                     "\n      linger: 5ms\n      properties:\n"
                     "        reconnect.backoff.max.ms: \"200\"\n"
                     "        retry.backoff.ms: \"50\"\n"
                     "        topic.metadata.refresh.interval.ms: \"1000\"\n"
                     "scrape_configs:\n  - job_name: test\n    static_configs:\n"
                     "      - labels:\n          job: ray\n          __path__: " +
                     (dir / "logs" / "**" / "*.{log,out}").string() + "\n";
  if (ray_serve) text += "    pipeline_stages:\n      - ray_serve:\n";
  return text;
}

std::map<std::string, std::string> object_of(simdjson::dom::element value) {
  std::map<std::string, std::string> out;
  for (auto [key, field] : value.get_object())
    out[std::string(key)] = std::string(field.get_string().value());
  return out;
}

std::unique_ptr<KafkaConsumer> reader(const MockBrokerProcess& broker) {
  std::string error;
  auto consumer = KafkaConsumer::open(broker.bootstraps(), kTopic, 10s, &error);
  EXPECT_TRUE(consumer) << error;
  return consumer;
}

// Everything the topic holds: `count` messages, then whatever else arrives in a short while, so
// that a duplicate would show.
std::vector<ConsumedMessage> consume_all(KafkaConsumer& consumer, size_t count) {
  consumer.consume(count, 30s);
  consumer.poll(300ms);
  return consumer.consumed();
}

TEST(KafkaDelivery, EveryFixtureRecordArrivesOnceKeyedByStreamWithMetadataHeaders) {
  TempDir dir;
  MockBrokerProcess broker(dir / "broker", {std::string(kTopic) + ":4"});
  ASSERT_TRUE(broker.started()) << broker.log();
  testing::copy_fixture_logs(dir / "logs");
  const auto expected = testing::expected_fixture_records();
  dir.write("tailcast.yaml", config_text(dir, broker.bootstraps(), true));
  ChildProcess tailcast({TC_BINARY, "-config.file=" + (dir / "tailcast.yaml").string(), "-once"},
                        dir / "stdout", dir / "stderr");
  ASSERT_EQ(tailcast.wait(60s), 0) << testing::read_file(dir / "stderr");

  auto consumer = reader(broker);
  ASSERT_TRUE(consumer);
  const auto messages = consume_all(*consumer, testing::record_count(expected));

  simdjson::dom::parser parser;
  testing::FixtureRecords received;
  std::set<std::pair<std::string, std::string>> lines;
  for (const ConsumedMessage& message : messages) {
    simdjson::dom::element value;
    ASSERT_EQ(parser.parse(message.value).get(value), simdjson::SUCCESS) << message.value;
    auto labels = object_of(value["labels"]);
    auto metadata = object_of(value["structured_metadata"]);
    int64_t timestamp_ns = value["timestamp_ns"].get_int64().value();
    EXPECT_FALSE(std::string(value["timestamp"].get_string().value()).empty());
    EXPECT_EQ(message.timestamp_ms, timestamp_ns / 1'000'000) << message.value;

    // The key is the stream: its label set, never the request id.
    auto key_labels = testing::parse_label_string(message.key);
    ASSERT_TRUE(key_labels) << message.key;
    EXPECT_EQ(*key_labels, labels);
    EXPECT_EQ(message.key.find("request_id"), std::string::npos) << message.key;
    EXPECT_EQ(labels.count("request_id"), 0u);
    // Structured metadata travels as headers too, one each.
    EXPECT_EQ(message.headers.size(), metadata.size()) << message.value;
    for (const auto& [name, text] : metadata) {
      const std::string* header = message.header(name);
      ASSERT_NE(header, nullptr) << name;
      EXPECT_EQ(*header, text);
    }

    lines.emplace(labels["filename"], std::string(value["line"].get_string().value()));
    std::string file = fs::path(labels["filename"]).filename().string();
    EXPECT_EQ(labels["job"], "ray");
    labels.erase("filename");
    labels.erase("job");
    received[file].insert({labels, metadata});
  }
  EXPECT_EQ(messages.size(), testing::record_count(expected));
  EXPECT_EQ(lines.size(), messages.size()) << "no record twice";
  for (const auto& [file, records] : expected) EXPECT_EQ(received[file], records) << file;
}

// Appends "line N" for N in [from, to) to `file`.
void write_numbered(const fs::path& file, int from, int to) {
  std::ofstream out(file, std::ios::app);
  for (int i = from; i < to; ++i) out << "line " << i << "\n";
}

std::map<int, int> numbers_in(const std::vector<ConsumedMessage>& messages) {
  simdjson::dom::parser parser;
  std::map<int, int> seen;
  for (const auto& message : messages) {
    simdjson::dom::element value;
    if (parser.parse(message.value).get(value) != simdjson::SUCCESS) continue;
    std::string line(value["line"].get_string().value());
    if (line.rfind("line ", 0) == 0) ++seen[std::stoi(line.substr(5))];
  }
  return seen;
}

TEST(KafkaDelivery, BrokersDownAndRefusedProducesMidRunLoseAndDuplicateNothing) {
  constexpr int kTotal = 6000;
  TempDir dir;
  MockBrokerProcess broker(dir / "broker", {std::string(kTopic) + ":4"});
  ASSERT_TRUE(broker.started()) << broker.log();
  fs::create_directories(dir / "logs");
  dir.write("tailcast.yaml", config_text(dir, broker.bootstraps(), false));
  write_numbered(dir / "logs" / "app.log", 0, kTotal / 2);
  ChildProcess tailcast({TC_BINARY, "-config.file=" + (dir / "tailcast.yaml").string()},
                        dir / "stdout", dir / "stderr");
  auto progress = reader(broker);
  ASSERT_TRUE(progress);
  ASSERT_TRUE(wait_until([&] { return progress->poll(50ms), progress->consumed().size() >= 500; },
                         30s))
      << testing::read_file(dir / "stderr");

  // The brokers refuse connections while the second half of the lines is read; the outage lasts
  // long enough for librdkafka to see its connections fail and queue what it cannot send.
  ASSERT_TRUE(broker.command("down all")) << broker.log();
  write_numbered(dir / "logs" / "app.log", kTotal / 2, kTotal);
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(tailcast.running());
  // Back up, but the first Produce requests are refused (retriable: the producer sends again).
  ASSERT_TRUE(broker.command("produce-errors 4 NOT_LEADER_FOR_PARTITION")) << broker.log();
  ASSERT_TRUE(broker.command("up all")) << broker.log();

  auto consumer = reader(broker);
  ASSERT_TRUE(consumer);
  const auto messages = consume_all(*consumer, kTotal);
  tailcast.signal(SIGTERM);
  EXPECT_EQ(tailcast.wait(30s), 0) << testing::read_file(dir / "stderr");

  auto seen = numbers_in(messages);
  EXPECT_EQ(seen.size(), size_t(kTotal)) << testing::read_file(dir / "stderr");
  // The idempotent producer resends with the same sequence numbers: the broker stores each once.
  EXPECT_EQ(messages.size(), size_t(kTotal));
  for (const auto& [number, times] : seen) ASSERT_EQ(times, 1) << "line " << number;
}

}  // namespace
}  // namespace tailcast
