// KafkaCluster and KafkaConsumer: librdkafka's mock cluster on loopback (real Kafka protocol, no
// JVM) for sink tests, and a consumer that reads every partition of a topic back from it.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tailcast::testing {

class KafkaCluster {
 public:
  // Starts `brokers` brokers (ids 1..N); nullptr with `error` set when that fails.
  static std::unique_ptr<KafkaCluster> start(int brokers, std::string* error = nullptr);
  ~KafkaCluster();
  KafkaCluster(const KafkaCluster&) = delete;
  KafkaCluster& operator=(const KafkaCluster&) = delete;

  const std::string& bootstraps() const noexcept { return bootstraps_; }
  rd_kafka_mock_cluster_t* mock() const noexcept { return mock_; }

  bool create_topic(const std::string& topic, int partitions, int replication = 1);
  // The next requests of `api_key` (Produce = 0) fail with `errors`, in order.
  void push_request_errors(int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors);
  // -1: every broker.
  bool set_broker_down(int32_t broker_id);
  bool set_broker_up(int32_t broker_id);

 private:
  KafkaCluster(rd_kafka_t* host, rd_kafka_mock_cluster_t* mock)
      : host_(host), mock_(mock), bootstraps_(rd_kafka_mock_cluster_bootstraps(mock)) {}

  rd_kafka_t* host_;
  rd_kafka_mock_cluster_t* mock_;
  std::string bootstraps_;
};

struct ConsumedMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timestamp_ms = 0;

  // The first header named `name`, or nullptr.
  const std::string* header(std::string_view name) const;
};

// Reads all partitions of one topic from the beginning, without a consumer group.
class KafkaConsumer {
 public:
  // nullptr with `error` set when the topic's partitions are not known within `timeout`.
  static std::unique_ptr<KafkaConsumer> open(const std::string& bootstraps, const std::string& topic,
                                             std::chrono::milliseconds timeout,
                                             std::string* error = nullptr);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  // Messages that arrived within `timeout` (returns at the first one, then takes what is ready).
  std::vector<ConsumedMessage> poll(std::chrono::milliseconds timeout);
  // Everything consumed so far, once it holds at least `count` messages or `timeout` passed.
  const std::vector<ConsumedMessage>& consume(size_t count, std::chrono::milliseconds timeout);
  const std::vector<ConsumedMessage>& consumed() const noexcept { return consumed_; }

 private:
  explicit KafkaConsumer(rd_kafka_t* consumer) : consumer_(consumer) {}

  rd_kafka_t* consumer_;
  std::vector<ConsumedMessage> consumed_;
};

}  // namespace tailcast::testing
