// LokiSink and the remote's limits: entries that break a Loki limit are dropped or fixed before the
// push and counted by reason, and a rate-limited tenant waits alone while the others deliver.
#include <gtest/gtest.h>

#include "sinks/loki/sink.h"
#include "tests/support/delivery_reports.h"
#include "tests/support/loki_receiver.h"

namespace tailcast::sinks::loki {
namespace {

using namespace std::chrono_literals;
using testing::LokiReceiver;
using testing::ScriptedResponse;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<Batch> batch_of(std::string tenant, const std::vector<std::string>& lines) {
  auto batch = std::make_unique<Batch>(std::move(tenant));
  std::string key;
  for (const std::string& line : lines) {
    Entry entry;
    entry.line = line;
    entry.timestamp_ns = now_ns();
    entry.labels.set("job", "limits");
    format_stream_key(entry.labels, key);
    batch->add(entry, key);
  }
  return batch;
}

config::ClientConfig client_for(const LokiReceiver& receiver) {
  config::ClientConfig config;
  config.url = receiver.url();
  config.timeout = 5s;
  config.backoff.min_period = 10ms;
  config.backoff.max_period = 20ms;
  return config;
}

TEST(LokiSinkLimits, AnOverlongLineIsDroppedAloneBeforeThePushAndCounted) {
  LokiReceiver receiver;
  Metrics metrics;
  auto config = client_for(receiver);
  config.loki_limits.max_line_size = 16;
  auto sink = LokiSink::create(config, &metrics);
  ASSERT_TRUE(sink);
  testing::DeliveryReports reports(10s);
  (*sink)->send(batch_of("", {"short one", std::string(40, 'x'), "short two"}), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  (*sink)->drain(std::chrono::steady_clock::now() + 5s);

  auto entries = receiver.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].line, "short one");
  EXPECT_EQ(entries[1].line, "short two");
  EXPECT_EQ(receiver.push_count(), 1u);  // no 400, so nothing to resend or refuse
  std::string host = "127.0.0.1:" + std::to_string(receiver.port());
  EXPECT_EQ(metrics.dropped_entries.Add({{"host", host}, {"reason", "line_too_long"}}).Value(), 1);
  EXPECT_EQ(metrics.sent_entries.Add({{"host", host}}).Value(), 2);
}

TEST(LokiSinkLimits, ABatchWhoseEveryEntryBreaksALimitIsNotPushed) {
  LokiReceiver receiver;
  auto config = client_for(receiver);
  config.loki_limits.max_line_size = 4;
  auto sink = LokiSink::create(config, nullptr);
  ASSERT_TRUE(sink);
  testing::DeliveryReports reports(10s);
  (*sink)->send(batch_of("", {"too long", "also too long"}), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kRejected});
  EXPECT_EQ(receiver.push_count(), 0u);
  (*sink)->drain(std::chrono::steady_clock::now() + 5s);
}

TEST(LokiSinkLimits, ARateLimitedTenantWaitsAloneWhileOthersDeliver) {
  LokiReceiver receiver;
  // Loki asks the busy tenant to come back in two seconds; the quiet tenant is not limited.
  receiver.respond_to_tenant_with("busy", {ScriptedResponse{429, "rate limited\n", "2"}});
  auto sink = LokiSink::create(client_for(receiver), nullptr);
  ASSERT_TRUE(sink);

  std::mutex mutex;
  std::vector<std::string> order;
  auto record = [&](std::string name) {
    return [&, name](Delivery delivery) {
      EXPECT_EQ(delivery, Delivery::kDelivered);
      std::lock_guard lock(mutex);
      order.push_back(name);
    };
  };
  const auto start = std::chrono::steady_clock::now();
  (*sink)->send(batch_of("busy", {"busy 1"}), record("busy 1"));
  (*sink)->send(batch_of("busy", {"busy 2"}), record("busy 2"));
  (*sink)->send(batch_of("quiet", {"quiet 1"}), record("quiet 1"));
  (*sink)->send(batch_of("quiet", {"quiet 2"}), record("quiet 2"));
  ASSERT_TRUE(receiver.wait_for_entries(2, 1500ms)) << "the quiet tenant waited for the busy one";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  ASSERT_TRUE(receiver.wait_for_entries(4, 10s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2s) << "Retry-After was not honoured";
  (*sink)->drain(std::chrono::steady_clock::now() + 5s);

  std::lock_guard lock(mutex);
  // Each tenant keeps its own order; the quiet one finished first.
  EXPECT_EQ(order, (std::vector<std::string>{"quiet 1", "quiet 2", "busy 1", "busy 2"}));
  auto entries = receiver.entries();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[2].line, "busy 1");
  EXPECT_EQ(entries[3].line, "busy 2");
}

}  // namespace
}  // namespace tailcast::sinks::loki
