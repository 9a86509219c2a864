// LokiSink end to end against the test receiver: delivery, retries, rejections, drops and drain.
#include "sinks/loki/sink.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include "tests/support/delivery_reports.h"
#include "tests/support/loki_receiver.h"
#include "tests/support/reserved_port.h"

namespace tailcast::sinks::loki {
namespace {

using namespace std::chrono_literals;
using testing::LokiReceiver;
using testing::ReceivedEntry;

constexpr auto kWait = 10s;

struct Reports : testing::DeliveryReports {
  Reports() : DeliveryReports(kWait) {}
};

std::unique_ptr<Batch> make_batch(std::string tenant, const std::string& job, int first,
                                  int count) {
  auto batch = std::make_unique<Batch>(std::move(tenant));
  std::string key;
  for (int i = first; i < first + count; ++i) {
    Entry entry;
    std::string line = "line " + std::to_string(i);
    entry.line = line;
    entry.timestamp_ns = 1'700'000'000'000'000'000 + i;
    entry.labels.set("job", job);
    entry.labels.set("parity", i % 2 ? "odd" : "even");
    std::string index = std::to_string(i);
    entry.structured_metadata.set("index", index);
    format_stream_key(entry.labels, key);
    batch->add(entry, key);
  }
  return batch;
}

config::ClientConfig client_for(const std::string& url, int max_retries = 10) {
  config::ClientConfig config;
  config.url = url;
  config.timeout = 5s;
  config.backoff.min_period = 10ms;
  config.backoff.max_period = 20ms;
  config.backoff.max_retries = max_retries;
  // The entries carry fixed 2023 timestamps: Loki's age limit is not what these tests are about.
  config.loki_limits.reject_old_samples = false;
  return config;
}

std::unique_ptr<LokiSink> sink_for(const config::ClientConfig& config, Metrics* metrics = nullptr) {
  auto sink = LokiSink::create(config, metrics);
  EXPECT_TRUE(sink.has_value()) << sink.error().message;
  return std::move(*sink);
}

double counter(prometheus::Family<prometheus::Counter>& family, const prometheus::Labels& labels) {
  return family.Add(labels).Value();
}

// A port bound but not listening: connecting to it is refused at once.
struct RefusingPort : testing::ReservedPort {
  RefusingPort() { EXPECT_TRUE(bound()); }
  std::string url() const { return loki_url(); }
};

TEST(LokiSink, EveryEntryArrivesExactlyOnce) {
  LokiReceiver receiver;
  Metrics metrics;
  auto config = client_for(receiver.url());
  config.tenant_id = "default-tenant";
  auto sink = sink_for(config, &metrics);
  Reports reports;
  sink->send(make_batch("", "a", 0, 100), reports.callback());
  sink->send(make_batch("team-b", "b", 100, 50), reports.callback());
  sink->send(make_batch("", "a", 150, 25), reports.callback());
  ASSERT_TRUE(reports.wait_for(3));
  EXPECT_EQ(reports.all(), std::vector<Delivery>(3, Delivery::kDelivered));

  auto entries = receiver.entries();
  ASSERT_EQ(entries.size(), 175u);
  std::set<std::string> lines;
  for (const ReceivedEntry& entry : entries) {
    EXPECT_TRUE(lines.insert(entry.line).second) << "duplicate " << entry.line;
    int index = std::stoi(entry.metadata.at("index"));
    EXPECT_EQ(entry.line, "line " + std::to_string(index));
    EXPECT_EQ(entry.timestamp_ns, 1'700'000'000'000'000'000 + index);
    EXPECT_EQ(entry.label_map.at("parity"), index % 2 ? "odd" : "even");
    EXPECT_EQ(entry.tenant, index >= 100 && index < 150 ? "team-b" : "default-tenant");
  }
  prometheus::Labels host{{"host", "127.0.0.1:" + std::to_string(receiver.port())}};
  EXPECT_EQ(counter(metrics.sent_entries, host), 175);
  EXPECT_GT(counter(metrics.sent_bytes, host), 0);
  EXPECT_EQ(counter(metrics.sent_bytes, host), counter(metrics.encoded_bytes, host));
  EXPECT_EQ(counter(metrics.batch_retries, host), 0);
  sink->drain(std::chrono::steady_clock::now() + kWait);
}

TEST(LokiSink, RecoversAfterServiceUnavailableAndReportsOnce) {
  LokiReceiver receiver;
  receiver.respond_with({503, 503, 503});
  Metrics metrics;
  auto sink = sink_for(client_for(receiver.url()), &metrics);
  Reports reports;
  sink->send(make_batch("", "a", 0, 10), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  sink->drain(std::chrono::steady_clock::now() + kWait);
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kDelivered});
  EXPECT_EQ(receiver.push_count(), 4u);
  auto entries = receiver.entries();
  ASSERT_EQ(entries.size(), 10u);
  for (const ReceivedEntry& entry : entries)
    EXPECT_EQ(entry.timestamp_ns,
              1'700'000'000'000'000'000 + std::stoi(entry.metadata.at("index")));
  std::string host = "127.0.0.1:" + std::to_string(receiver.port());
  EXPECT_EQ(counter(metrics.batch_retries, {{"host", host}}), 3);
  auto& histogram = metrics.request_duration.Add({{"host", host}, {"status_code", "503"}},
                                                 prometheus::Histogram::BucketBoundaries{});
  EXPECT_EQ(histogram.Collect().histogram.sample_count, 3u);
}

TEST(LokiSink, BadRequestIsRejectedAndNeverResent) {
  LokiReceiver receiver;
  receiver.reject_entries_where(
      [](const ReceivedEntry& entry) { return entry.line == "line 3" || entry.line == "line 7"; });
  Metrics metrics;
  auto sink = sink_for(client_for(receiver.url()), &metrics);
  Reports reports;
  sink->send(make_batch("", "a", 0, 10), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  sink->drain(std::chrono::steady_clock::now() + kWait);
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kRejected});
  EXPECT_EQ(receiver.push_count(), 1u);
  EXPECT_EQ(receiver.entries().size(), 8u);  // Loki keeps the valid ones
  std::string host = "127.0.0.1:" + std::to_string(receiver.port());
  EXPECT_EQ(
      counter(metrics.dropped_entries, {{"host", host}, {"reason", "greater_than_max_sample_age"}}),
      2);
  EXPECT_EQ(counter(metrics.sent_entries, {{"host", host}}), 0);
}

TEST(LokiSink, ExhaustedRetriesDropTheBatch) {
  LokiReceiver receiver;
  receiver.respond_with({500, 500, 500, 500, 500});
  Metrics metrics;
  auto sink = sink_for(client_for(receiver.url(), 3), &metrics);
  Reports reports;
  sink->send(make_batch("", "a", 0, 4), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  sink->drain(std::chrono::steady_clock::now() + kWait);
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kDropped});
  EXPECT_EQ(receiver.push_count(), 3u);
  EXPECT_TRUE(receiver.entries().empty());
  std::string host = "127.0.0.1:" + std::to_string(receiver.port());
  EXPECT_EQ(counter(metrics.dropped_entries, {{"host", host}, {"reason", "ingester_error"}}), 4);
  EXPECT_EQ(counter(metrics.batch_retries, {{"host", host}}), 2);
}

TEST(LokiSink, RateLimitedBatchIsDroppedAtOnceWhenConfigured) {
  LokiReceiver receiver;
  receiver.respond_with({429});
  Metrics metrics;
  auto config = client_for(receiver.url());
  config.drop_rate_limited_batches = true;
  auto sink = sink_for(config, &metrics);
  Reports reports;
  sink->send(make_batch("", "a", 0, 5), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kDropped});
  EXPECT_EQ(receiver.push_count(), 1u);
  std::string host = "127.0.0.1:" + std::to_string(receiver.port());
  EXPECT_EQ(counter(metrics.dropped_entries, {{"host", host}, {"reason", "rate_limited"}}), 5);
}

TEST(LokiSink, RateLimitedBatchIsRetriedAfterRetryAfter) {
  LokiReceiver receiver;
  receiver.respond_with(std::vector<testing::ScriptedResponse>{{429, "slow down", "1"}});
  auto sink = sink_for(client_for(receiver.url()));
  Reports reports;
  auto start = std::chrono::steady_clock::now();
  sink->send(make_batch("", "a", 0, 2), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kDelivered});
  EXPECT_EQ(receiver.push_count(), 2u);
}

TEST(LokiSink, DrainDeliversQueuedBatchesBeforeReturning) {
  LokiReceiver receiver;
  auto sink = sink_for(client_for(receiver.url()));
  Reports reports;
  for (int i = 0; i < 5; ++i) sink->send(make_batch("", "a", i * 10, 10), reports.callback());
  sink->drain(std::chrono::steady_clock::now() + kWait);
  EXPECT_EQ(reports.all(), std::vector<Delivery>(5, Delivery::kDelivered));
  EXPECT_EQ(receiver.entries().size(), 50u);
  EXPECT_EQ(sink->free_bytes(), 0u);  // no longer accepting
}

TEST(LokiSink, DrainWithADeadEndpointReturnsByTheDeadlineWithoutReporting) {
  RefusingPort port;
  auto sink = sink_for(client_for(port.url(), 0));
  Reports reports;
  sink->send(make_batch("", "a", 0, 10), reports.callback());
  sink->send(make_batch("", "a", 10, 10), reports.callback());
  auto deadline = std::chrono::steady_clock::now() + 200ms;
  sink->drain(deadline);
  EXPECT_LT(std::chrono::steady_clock::now(), deadline + 1s);
  sink.reset();  // joins the sender
  EXPECT_TRUE(reports.all().empty());
}

TEST(LokiSink, QueuedBatchesTakeFromFreeBytes) {
  RefusingPort port;
  auto config = client_for(port.url(), 0);
  config.batchsize = 4 * 1024 * 1024;
  auto sink = sink_for(config);
  EXPECT_EQ(sink->capacity_bytes(), 16u * 1024 * 1024);
  EXPECT_EQ(sink->free_bytes(), sink->capacity_bytes());
  auto batch = make_batch("", "a", 0, 10);
  size_t bytes = batch->bytes();
  Reports reports;
  sink->send(std::move(batch), reports.callback());
  EXPECT_EQ(sink->free_bytes(), sink->capacity_bytes() - bytes);
  sink.reset();
  EXPECT_TRUE(reports.all().empty());
}

TEST(LokiSink, SmallBatchsizeStillQueuesEightMebibytes) {
  auto config = client_for("http://127.0.0.1:9/loki/api/v1/push");
  config.batchsize = 1024;
  EXPECT_EQ(sink_for(config)->capacity_bytes(), 8u * 1024 * 1024);
}

TEST(LokiSink, BatchSentAfterDrainIsNotReported) {
  LokiReceiver receiver;
  auto sink = sink_for(client_for(receiver.url()));
  sink->drain(std::chrono::steady_clock::now() + kWait);
  Reports reports;
  sink->send(make_batch("", "a", 0, 1), reports.callback());
  sink.reset();
  EXPECT_TRUE(reports.all().empty());
  EXPECT_EQ(receiver.push_count(), 0u);
}

}  // namespace
}  // namespace tailcast::sinks::loki
