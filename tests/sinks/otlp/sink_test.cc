// OtlpSink end to end against the test OTLP receiver: logs to /v1/logs and spans to /v1/traces,
// protobuf and JSON, gzip, the retryable statuses with Retry-After, 400, partial success and
// retries running out.
#include "sinks/otlp/sink.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/sinks/otlp/batch_builder.h"
#include "tests/support/delivery_reports.h"
#include "tests/support/otlp_receiver.h"
#include "tests/support/reserved_port.h"

namespace tailcast::sinks::otlp {
namespace {

using namespace std::chrono_literals;
using tailcast::testing::OtlpAnswer;
using tailcast::testing::OtlpReceiver;
using testing::add_entry;

constexpr auto kWait = 10s;
constexpr std::string_view kSpan =
    R"({"name":"proxy_http_request","context":{"trace_id":"0x09ec387c3e4bc725d806140fa5a8e3c9",)"
    R"("span_id":"0xb724370a5eab1066"},"kind":"SpanKind.SERVER","parent_id":null})";

struct Reports : tailcast::testing::DeliveryReports {
  Reports() : DeliveryReports(kWait) {}
};

// `count` log lines and, when asked, one span.
std::unique_ptr<Batch> make_batch(int count, bool with_span, std::vector<std::string>& lines) {
  auto batch = std::make_unique<Batch>("");
  lines.reserve(lines.size() + static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    lines.push_back("line " + std::to_string(lines.size()));
    add_entry(*batch, lines.back(), 1'700'000'000'000'000'000 + i,
              {{"job", "ray"}, {"level", "INFO"}});
  }
  if (with_span) add_entry(*batch, kSpan, 1, {{"job", "ray"}}, {}, EntryKind::kSpan);
  return batch;
}

OtlpSinkConfig config_for(const std::string& endpoint, int max_retries = 10) {
  OtlpSinkConfig config;
  config.endpoint = endpoint;
  config.timeout = 5s;
  config.backoff.min_period = 10ms;
  config.backoff.max_period = 20ms;
  config.backoff.max_retries = max_retries;
  return config;
}

std::unique_ptr<OtlpSink> sink_for(const OtlpSinkConfig& config, Metrics* metrics = nullptr) {
  auto sink = OtlpSink::create(config, metrics);
  EXPECT_TRUE(sink.has_value()) << sink.error().message;
  return std::move(*sink);
}

std::multiset<std::string> bodies(const OtlpReceiver& receiver) {
  std::multiset<std::string> out;
  for (const auto& record : receiver.log_records()) out.insert(record.record.body().string_value());
  return out;
}

class OtlpSinkEncodings : public ::testing::TestWithParam<std::tuple<Encoding, bool>> {};

TEST_P(OtlpSinkEncodings, LogsAndSpansArriveOnTheirPathsExactlyOnce) {
  OtlpReceiver receiver;
  auto config = config_for(receiver.endpoint());
  config.encoding = std::get<0>(GetParam());
  config.gzip = std::get<1>(GetParam());
  auto sink = sink_for(config);
  Reports reports;
  std::vector<std::string> lines;
  sink->send(make_batch(5, true, lines), reports.callback());
  sink->send(make_batch(3, false, lines), reports.callback());
  ASSERT_TRUE(reports.wait_for(2));
  EXPECT_EQ(reports.all(), (std::vector<Delivery>{Delivery::kDelivered, Delivery::kDelivered}));
  EXPECT_EQ(bodies(receiver), std::multiset<std::string>(lines.begin(), lines.end()));
  auto spans = receiver.spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.name(), "proxy_http_request");
  EXPECT_EQ(tailcast::testing::hex_of(spans[0].span.span_id()), "b724370a5eab1066");

  auto exports = receiver.exports();
  ASSERT_EQ(exports.size(), 3u);
  std::multiset<std::string> paths;
  for (const auto& e : exports) {
    paths.insert(e.path);
    EXPECT_EQ(e.status, 200);
    EXPECT_EQ(e.json, config.encoding == Encoding::kJson);
    EXPECT_EQ(e.gzip, config.gzip);
    EXPECT_EQ(e.headers.at("content-type"),
              config.encoding == Encoding::kJson ? "application/json" : "application/x-protobuf");
  }
  EXPECT_EQ(paths, (std::multiset<std::string>{"/v1/logs", "/v1/logs", "/v1/traces"}));
}

INSTANTIATE_TEST_SUITE_P(All, OtlpSinkEncodings,
                         ::testing::Values(std::make_tuple(Encoding::kProtobuf, false),
                                           std::make_tuple(Encoding::kProtobuf, true),
                                           std::make_tuple(Encoding::kJson, false),
                                           std::make_tuple(Encoding::kJson, true)));

TEST(OtlpSink, RetryableStatusesAreRetriedWithTheSameBytesUntilDelivered) {
  OtlpReceiver receiver;
  receiver.respond_with({503, 502, 504, 429});
  auto sink = sink_for(config_for(receiver.endpoint()));
  Reports reports;
  std::vector<std::string> lines;
  sink->send(make_batch(4, false, lines), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all()[0], Delivery::kDelivered);
  EXPECT_EQ(bodies(receiver), std::multiset<std::string>(lines.begin(), lines.end()));
  auto exports = receiver.exports();
  ASSERT_EQ(exports.size(), 5u);
  for (const auto& e : exports) EXPECT_EQ(e.items, 4u) << "every attempt carries the batch";
}

TEST(OtlpSink, RetryAfterIsHonoured) {
  OtlpReceiver receiver;
  receiver.respond_with(std::vector<OtlpAnswer>{{429, "1", 0, ""}});
  auto sink = sink_for(config_for(receiver.endpoint()));
  Reports reports;
  std::vector<std::string> lines;
  auto start = std::chrono::steady_clock::now();
  sink->send(make_batch(1, false, lines), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms)
      << "the 10ms backoff would have retried sooner";
  EXPECT_EQ(reports.all()[0], Delivery::kDelivered);
}

TEST(OtlpSink, A400IsRejectedAndNeverResent) {
  OtlpReceiver receiver;
  receiver.respond_with({400});
  Metrics metrics;
  auto sink = sink_for(config_for(receiver.endpoint()), &metrics);
  Reports reports;
  std::vector<std::string> lines;
  sink->send(make_batch(3, false, lines), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all()[0], Delivery::kRejected);
  EXPECT_EQ(receiver.exports().size(), 1u);
  EXPECT_EQ(
      metrics.dropped_entries
          .Add({{"host", "127.0.0.1:" + std::to_string(receiver.port())}, {"reason", "rejected"}})
          .Value(),
      3);
}

TEST(OtlpSink, PartialSuccessIsCountedAndNotResent) {
  for (Encoding encoding : {Encoding::kProtobuf, Encoding::kJson}) {
    OtlpReceiver receiver;
    receiver.respond_with(std::vector<OtlpAnswer>{{200, "", 2, "2 records too old"}});
    Metrics metrics;
    auto config = config_for(receiver.endpoint());
    config.encoding = encoding;
    auto sink = sink_for(config, &metrics);
    Reports reports;
    std::vector<std::string> lines;
    sink->send(make_batch(5, false, lines), reports.callback());
    ASSERT_TRUE(reports.wait_for(1));
    EXPECT_EQ(reports.all()[0], Delivery::kRejected);
    EXPECT_EQ(receiver.exports().size(), 1u);
    prometheus::Labels host{{"host", "127.0.0.1:" + std::to_string(receiver.port())}};
    prometheus::Labels reason = host;
    reason["reason"] = "partial_success";
    EXPECT_EQ(metrics.dropped_entries.Add(reason).Value(), 2);
    EXPECT_EQ(metrics.sent_entries.Add(host).Value(), 3);
  }
}

TEST(OtlpSink, ABatchIsDroppedWhenRetriesRunOut) {
  tailcast::testing::ReservedPort refusing;
  ASSERT_TRUE(refusing.bound());
  Metrics metrics;
  auto sink =
      sink_for(config_for("http://127.0.0.1:" + std::to_string(refusing.port()), 3), &metrics);
  Reports reports;
  std::vector<std::string> lines;
  sink->send(make_batch(2, false, lines), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all()[0], Delivery::kDropped);
  EXPECT_EQ(
      metrics.batch_retries.Add({{"host", "127.0.0.1:" + std::to_string(refusing.port())}}).Value(),
      2);
}

TEST(OtlpSink, DrainAbandonsABatchStillBeingRetried) {
  OtlpReceiver receiver;
  receiver.respond_with(std::vector<OtlpAnswer>{{503, "30", 0, ""}});
  auto sink = sink_for(config_for(receiver.endpoint(), 0));
  Reports reports;
  std::vector<std::string> lines;
  sink->send(make_batch(1, false, lines), reports.callback());
  ASSERT_TRUE(receiver.wait_for_exports(1, kWait));
  auto start = std::chrono::steady_clock::now();
  sink->drain(std::chrono::steady_clock::now() + 100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(reports.count(), 0u) << "an abandoned batch is never reported";
  EXPECT_EQ(sink->free_bytes(), 0u);
}

}  // namespace
}  // namespace tailcast::sinks::otlp
