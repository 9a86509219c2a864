// Shared pieces of the Kafka sink tests: a mock cluster with one topic, batches of numbered lines
// and a record of the batches' reports.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/batch.h"
#include "pipeline/sink.h"
#include "sinks/kafka/sink.h"
#include "tests/support/delivery_reports.h"
#include "tests/support/kafka_cluster.h"

namespace tailcast::sinks::kafka::test {

using namespace std::chrono_literals;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// Generous: two shared, loaded cores; every wait ends as soon as its condition holds.
constexpr auto kWait = 60s;
constexpr int kBrokers = 3;
constexpr int kPartitions = 4;

struct Reports : ::tailcast::testing::DeliveryReports {
  Reports() : DeliveryReports(kWait) {}
};

inline void add_entry(Batch& batch, const Pairs& labels, const std::string& line,
                      int64_t timestamp_ns, const Pairs& metadata = {}) {
  Entry entry;
  entry.line = line;
  entry.timestamp_ns = timestamp_ns;
  for (const auto& [name, value] : labels) entry.labels.set(name, value);
  for (const auto& [name, value] : metadata) entry.structured_metadata.set(name, value);
  std::string key;
  format_stream_key(entry.labels, key);
  batch.add(entry, key);
}

// Lines "<app>-<i>" for i in [first, first + count), one stream per app, alternating.
inline std::unique_ptr<Batch> numbered_batch(const std::vector<std::string>& apps, int first,
                                             int count) {
  auto batch = std::make_unique<Batch>("");
  for (int i = first; i < first + count; ++i) {
    for (const std::string& app : apps) {
      add_entry(*batch, {{"app", app}, {"env", "test"}}, app + "-" + std::to_string(i),
                1'700'000'000'000'000'000 + i, {{"request_id", "req-" + std::to_string(i)}});
    }
  }
  return batch;
}

class KafkaSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    cluster_ = testing::KafkaCluster::start(kBrokers, &error);
    ASSERT_TRUE(cluster_) << error;
    ASSERT_TRUE(cluster_->create_topic("logs", kPartitions, kBrokers));
    config_.name = "kafka-test";
    config_.brokers = {cluster_->bootstraps()};
    config_.topic = "logs";
    config_.linger = 5ms;
    // Reconnect quickly after a broker comes back up.
    config_.properties = {{"reconnect.backoff.max.ms", "200"},
                          {"retry.backoff.ms", "50"},
                          {"topic.metadata.refresh.interval.ms", "1000"}};
  }

  std::unique_ptr<KafkaSink> make_sink(Metrics* metrics = nullptr) {
    auto sink = KafkaSink::create(config_, metrics);
    EXPECT_TRUE(sink.has_value()) << sink.error().message;
    return sink ? std::move(*sink) : nullptr;
  }

  std::unique_ptr<testing::KafkaConsumer> consumer(const std::string& topic = "logs") {
    std::string error;
    auto reader = testing::KafkaConsumer::open(cluster_->bootstraps(), topic, kWait, &error);
    EXPECT_TRUE(reader) << error;
    return reader;
  }

  void set_all_brokers(bool up) {
    for (int id = 1; id <= kBrokers; ++id)
      ASSERT_TRUE(up ? cluster_->set_broker_up(id) : cluster_->set_broker_down(id));
  }

  // Lines per message key, in the order consumed.
  static std::map<std::string, std::vector<std::string>> lines_by_key(
      const std::vector<testing::ConsumedMessage>& messages) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& message : messages) out[message.key].push_back(message.value);
    return out;
  }

  std::unique_ptr<testing::KafkaCluster> cluster_;
  KafkaSinkConfig config_;
};

}  // namespace tailcast::sinks::kafka::test
