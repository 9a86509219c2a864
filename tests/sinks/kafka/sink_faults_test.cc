// KafkaSink under faults, on librdkafka's mock cluster: refused produce requests, brokers going
// down, a full local queue, timed-out messages, oversize entries and drain deadlines. Nothing
// may be lost, and every batch is reported exactly once (or, when abandoned, never).
#include "sinks/kafka/sink.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "pipeline/metrics.h"
#include "tests/sinks/kafka/harness.h"
#include "tests/support/process.h"

namespace tailcast::sinks::kafka::test {
namespace {

constexpr int16_t kProduceApiKey = 0;

// Every line of `expected` consumed exactly once.
void expect_exactly_once(const std::vector<testing::ConsumedMessage>& messages, size_t expected) {
  std::multiset<std::string> lines;
  for (const auto& message : messages) lines.insert(message.value);
  EXPECT_EQ(messages.size(), expected);
  for (const auto& line : lines) EXPECT_EQ(lines.count(line), 1u) << line;
}

void expect_all_delivered(Reports& reports, size_t batches) {
  auto all = reports.all();
  EXPECT_EQ(all.size(), batches);
  for (Delivery delivery : all) EXPECT_EQ(delivery, Delivery::kDelivered);
}

TEST_F(KafkaSinkTest, RefusedProduceRequestsAreRetriedWithoutLoss) {
  config_.encoding = "raw";
  cluster_->push_request_errors(kProduceApiKey,
                                {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                 RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                 RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION});
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  for (int b = 0; b < 3; ++b) sink->send(numbered_batch({"web", "api"}, b * 20, 20), reports.callback());
  ASSERT_TRUE(reports.wait_for(3));
  expect_all_delivered(reports, 3);
  auto reader = consumer();
  ASSERT_TRUE(reader);
  expect_exactly_once(reader->consume(120, kWait), 120);
}

TEST_F(KafkaSinkTest, BrokersDownThenUpLoseNothing) {
  config_.encoding = "raw";
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  sink->send(numbered_batch({"web", "api"}, 0, 20), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));

  set_all_brokers(false);
  sink->send(numbered_batch({"web", "api"}, 20, 20), reports.callback());
  sink->send(numbered_batch({"web", "api"}, 40, 20), reports.callback());
  // The outage lasts a while; no broker can have stored these batches meanwhile.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(reports.count(), 1u);
  set_all_brokers(true);

  ASSERT_TRUE(reports.wait_for(3));
  expect_all_delivered(reports, 3);
  auto reader = consumer();
  ASSERT_TRUE(reader);
  const auto& messages = reader->consume(120, kWait);
  expect_exactly_once(messages, 120);
  for (const auto& [key, lines] : lines_by_key(messages)) {
    const std::string app = lines.front().substr(0, 3);
    for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(lines[i], app + "-" + std::to_string(i));
  }
}

TEST_F(KafkaSinkTest, FullLocalQueueIsBackpressureNotLoss) {
  config_.encoding = "raw";
  config_.properties.emplace_back("queue.buffering.max.messages", "5");
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  EXPECT_GT(sink->free_bytes(), 0u);
  // With the brokers down the queue cannot empty, so it is certainly full after the first batch.
  set_all_brokers(false);
  Reports reports;
  sink->send(numbered_batch({"web", "api"}, 0, 25), reports.callback());
  EXPECT_EQ(sink->free_bytes(), 0u);
  sink->send(numbered_batch({"web", "api"}, 25, 25), reports.callback());
  EXPECT_EQ(sink->free_bytes(), 0u);
  EXPECT_EQ(reports.count(), 0u);
  set_all_brokers(true);

  ASSERT_TRUE(reports.wait_for(2));
  expect_all_delivered(reports, 2);
  EXPECT_EQ(sink->free_bytes(), KafkaSink::kCapacityBytes);
  auto reader = consumer();
  ASSERT_TRUE(reader);
  const auto& messages = reader->consume(100, kWait);
  expect_exactly_once(messages, 100);
  for (const auto& [key, lines] : lines_by_key(messages)) {
    const std::string app = lines.front().substr(0, 3);
    for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(lines[i], app + "-" + std::to_string(i));
  }
}

TEST_F(KafkaSinkTest, TinyQueueUnderSteadyLoadLosesNothing) {
  config_.encoding = "raw";
  config_.properties.emplace_back("queue.buffering.max.messages", "10");
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  for (int b = 0; b < 10; ++b) sink->send(numbered_batch({"web"}, b * 50, 50), reports.callback());
  ASSERT_TRUE(reports.wait_for(10));
  expect_all_delivered(reports, 10);
  auto reader = consumer();
  ASSERT_TRUE(reader);
  expect_exactly_once(reader->consume(500, kWait), 500);
}

TEST_F(KafkaSinkTest, TimedOutMessagesAreProducedAgain) {
  config_.encoding = "raw";
  config_.delivery_timeout = 300ms;
  Metrics metrics;
  auto sink = make_sink(&metrics);
  ASSERT_TRUE(sink);
  set_all_brokers(false);
  Reports reports;
  sink->send(numbered_batch({"web", "api"}, 0, 10), reports.callback());
  auto& retries = metrics.batch_retries.Add({{"host", "kafka-test"}});
  // Two rounds: messages produced again can time out again and are still not given up.
  ASSERT_TRUE(testing::wait_until([&] { return retries.Value() >= 2; }, kWait));
  EXPECT_EQ(reports.count(), 0u);
  set_all_brokers(true);

  ASSERT_TRUE(reports.wait_for(1));
  expect_all_delivered(reports, 1);
  auto reader = consumer();
  ASSERT_TRUE(reader);
  expect_exactly_once(reader->consume(20, kWait), 20);
}

TEST_F(KafkaSinkTest, OversizeEntryRejectsItsBatchAndIsCounted) {
  config_.encoding = "raw";
  config_.properties.emplace_back("message.max.bytes", "10000");
  Metrics metrics;
  auto sink = make_sink(&metrics);
  ASSERT_TRUE(sink);
  Reports reports;
  auto batch = std::make_unique<Batch>("");
  add_entry(*batch, {{"app", "web"}}, "small", 1);
  add_entry(*batch, {{"app", "web"}}, std::string(20000, 'x'), 2);
  sink->send(std::move(batch), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kRejected});
  EXPECT_EQ(
      metrics.dropped_entries.Add({{"host", "kafka-test"}, {"reason", "MSG_SIZE_TOO_LARGE"}}).Value(),
      1);
  auto reader = consumer();
  ASSERT_TRUE(reader);
  const auto& messages = reader->consume(1, kWait);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].value, "small");
}

TEST_F(KafkaSinkTest, DrainSendsWhatLingerWouldHoldBack) {
  config_.linger = 20s;
  config_.delivery_timeout = 60s;
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  sink->send(numbered_batch({"web"}, 0, 5), reports.callback());
  auto started = std::chrono::steady_clock::now();
  sink->drain(started + kWait);
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kDelivered});
  EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);
}

TEST_F(KafkaSinkTest, DrainDeadlineAbandonsUndeliveredBatches) {
  config_.encoding = "raw";
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  set_all_brokers(false);
  Reports reports;
  sink->send(numbered_batch({"web"}, 0, 5), reports.callback());
  auto started = std::chrono::steady_clock::now();
  sink->drain(started + 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(sink->free_bytes(), 0u);
  // The producer may still deliver the messages, but the batch's report never comes.
  set_all_brokers(true);
  auto reader = consumer();
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->consume(5, kWait).size(), 5u);
  EXPECT_EQ(reports.count(), 0u);

  sink->send(numbered_batch({"web"}, 5, 1), reports.callback());
  sink.reset();
  EXPECT_EQ(reports.count(), 0u);
}

}  // namespace
}  // namespace tailcast::sinks::kafka::test
