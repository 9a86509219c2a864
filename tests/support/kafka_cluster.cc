// The mock cluster lives in a client handle of its own; the consumer is an ordinary librdkafka
// consumer on the cluster's bootstrap servers, so messages travel the real protocol both ways.
#include "tests/support/kafka_cluster.h"

#include <thread>

namespace tailcast::testing {
namespace {

void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

bool set(rd_kafka_conf_t* conf, const char* name, const std::string& value, std::string* error) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) == RD_KAFKA_CONF_OK)
    return true;
  if (error) *error = std::string(name) + ": " + errstr;
  return false;
}

ConsumedMessage to_consumed(const rd_kafka_message_t& message) {
  ConsumedMessage out;
  out.topic = rd_kafka_topic_name(message.rkt);
  out.partition = message.partition;
  out.offset = message.offset;
  if (message.key) out.key.assign(static_cast<const char*>(message.key), message.key_len);
  if (message.payload) out.value.assign(static_cast<const char*>(message.payload), message.len);
  rd_kafka_timestamp_type_t type;
  out.timestamp_ms = rd_kafka_message_timestamp(&message, &type);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      out.headers.emplace_back(name, value ? std::string(static_cast<const char*>(value), size)
                                           : std::string());
    }
  }
  return out;
}

}  // namespace

std::unique_ptr<KafkaCluster> KafkaCluster::start(int brokers, std::string* error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The host handle only carries the cluster; it has no brokers of its own to complain about.
  rd_kafka_conf_set_log_cb(conf, &quiet_log);
  char errstr[512];
  rd_kafka_t* host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!host) {
    rd_kafka_conf_destroy(conf);
    if (error) *error = errstr;
    return nullptr;
  }
  rd_kafka_mock_cluster_t* mock = rd_kafka_mock_cluster_new(host, brokers);
  if (!mock) {
    rd_kafka_destroy(host);
    if (error) *error = "rd_kafka_mock_cluster_new failed";
    return nullptr;
  }
  return std::unique_ptr<KafkaCluster>(new KafkaCluster(host, mock));
}

KafkaCluster::~KafkaCluster() {
  rd_kafka_mock_cluster_destroy(mock_);
  rd_kafka_destroy(host_);
}

bool KafkaCluster::create_topic(const std::string& topic, int partitions, int replication) {
  return rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, replication) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
}

void KafkaCluster::push_request_errors(int16_t api_key,
                                       const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(mock_, api_key, errors.size(), errors.data());
}

bool KafkaCluster::set_broker_down(int32_t broker_id) {
  return rd_kafka_mock_broker_set_down(mock_, broker_id) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool KafkaCluster::set_broker_up(int32_t broker_id) {
  return rd_kafka_mock_broker_set_up(mock_, broker_id) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

const std::string* ConsumedMessage::header(std::string_view name) const {
  for (const auto& [header_name, value] : headers)
    if (header_name == name) return &value;
  return nullptr;
}

std::unique_ptr<KafkaConsumer> KafkaConsumer::open(const std::string& bootstraps,
                                                   const std::string& topic,
                                                   std::chrono::milliseconds timeout,
                                                   std::string* error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, &quiet_log);
  if (!set(conf, "bootstrap.servers", bootstraps, error) ||
      !set(conf, "group.id", "tailcast-test-reader", error) ||
      !set(conf, "enable.auto.commit", "false", error) ||
      !set(conf, "fetch.wait.max.ms", "50", error) ||
      !set(conf, "topic.metadata.refresh.interval.ms", "1000", error)) {
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    if (error) *error = errstr;
    return nullptr;
  }
  std::unique_ptr<KafkaConsumer> consumer(new KafkaConsumer(rk));
  rd_kafka_poll_set_consumer(rk);

  // The topic may be created a moment later (auto-creation on first produce): ask until it shows.
  int partitions = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  while (partitions == 0 && std::chrono::steady_clock::now() < deadline) {
    const rd_kafka_metadata_t* metadata = nullptr;
    if (rd_kafka_metadata(rk, 0, rkt, &metadata, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < metadata->topic_cnt; ++i) {
        if (topic == metadata->topics[i].topic && metadata->topics[i].err == 0)
          partitions = metadata->topics[i].partition_cnt;
      }
      rd_kafka_metadata_destroy(metadata);
    }
    if (partitions == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  rd_kafka_topic_destroy(rkt);
  if (partitions == 0) {
    if (error) *error = "topic " + topic + " has no partitions";
    return nullptr;
  }
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int i = 0; i < partitions; ++i)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), i)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_resp_err_t err = rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (error) *error = rd_kafka_err2str(err);
    return nullptr;
  }
  return consumer;
}

KafkaConsumer::~KafkaConsumer() {
  rd_kafka_consumer_close(consumer_);
  rd_kafka_destroy(consumer_);
}

std::vector<ConsumedMessage> KafkaConsumer::poll(std::chrono::milliseconds timeout) {
  std::vector<ConsumedMessage> out;
  int wait_ms = static_cast<int>(timeout.count());
  for (;;) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_, wait_ms);
    if (!message) break;
    // Errors here are partition EOFs and transient fetch errors; the caller counts messages.
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) out.push_back(to_consumed(*message));
    rd_kafka_message_destroy(message);
    wait_ms = 0;
  }
  consumed_.insert(consumed_.end(), out.begin(), out.end());
  return out;
}

const std::vector<ConsumedMessage>& KafkaConsumer::consume(size_t count,
                                                           std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (consumed_.size() < count) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    poll(std::min(left, std::chrono::milliseconds(100)));
  }
  return consumed_;
}

}  // namespace tailcast::testing
