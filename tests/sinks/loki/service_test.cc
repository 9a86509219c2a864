// LokiService against the test receiver: what each answer means, and the headers of a push.
#include "sinks/loki/service.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sinks/loki/encoder.h"
#include "tests/support/loki_receiver.h"
#include "tests/support/reserved_port.h"
#include "tests/support/temp_dir.h"

namespace tailcast::sinks::loki {
namespace {

using std::chrono::seconds;
using testing::LokiReceiver;
using testing::ScriptedResponse;

std::string one_entry_body(std::string_view line = "hello") {
  Batch batch("");
  Entry entry;
  entry.line = line;
  entry.timestamp_ns = 1'000'000'001;
  entry.labels.set("job", "test");
  std::string key;
  format_stream_key(entry.labels, key);
  batch.add(entry, key);
  Encoder encoder;
  return std::string(encoder.encode(batch));
}

config::ClientConfig client_for(const std::string& url) {
  config::ClientConfig config;
  config.url = url;
  config.timeout = seconds(5);
  return config;
}

std::unique_ptr<LokiService> service_for(const config::ClientConfig& config) {
  auto service = LokiService::create(config);
  EXPECT_TRUE(service.has_value()) << service.error().message;
  return std::move(*service);
}

// A port bound but not listening: connecting to it is refused at once.
struct RefusingPort : testing::ReservedPort {
  RefusingPort() { EXPECT_TRUE(bound()); }
  std::string url() const { return loki_url(); }
};

TEST(LokiService, NoContentMeansDelivered) {
  LokiReceiver receiver;
  auto service = service_for(client_for(receiver.url()));
  PushResult result = service->push("", one_entry_body());
  EXPECT_EQ(result.outcome, PushOutcome::kDelivered);
  EXPECT_EQ(result.status, 204);
  ASSERT_EQ(receiver.entries().size(), 1u);
  EXPECT_EQ(receiver.entries()[0].line, "hello");
}

TEST(LokiService, ConsecutivePushesReuseTheConnection) {
  LokiReceiver receiver;
  auto service = service_for(client_for(receiver.url()));
  ASSERT_EQ(service->push("", one_entry_body()).outcome, PushOutcome::kDelivered);
  ASSERT_EQ(service->push("", one_entry_body()).outcome, PushOutcome::kDelivered);
  auto pushes = receiver.pushes();
  ASSERT_EQ(pushes.size(), 2u);
  EXPECT_NE(pushes[0].remote_port, 0);
  EXPECT_EQ(pushes[0].remote_port, pushes[1].remote_port);
}

TEST(LokiService, BlockedIngestionStatus260CountsAsDelivered) {
  LokiReceiver receiver;
  receiver.respond_with({260});
  auto service = service_for(client_for(receiver.url()));
  EXPECT_EQ(service->push("", one_entry_body()).outcome, PushOutcome::kDelivered);
}

TEST(LokiService, SendsProtobufHeadersTenantAndConfiguredHeaders) {
  LokiReceiver receiver;
  auto config = client_for(receiver.url());
  config.headers = {{"X-Custom", "yes"}};
  auto service = service_for(config);
  ASSERT_EQ(service->push("team-a", one_entry_body()).outcome, PushOutcome::kDelivered);
  ASSERT_EQ(service->push("", one_entry_body()).outcome, PushOutcome::kDelivered);
  auto pushes = receiver.pushes();
  ASSERT_EQ(pushes.size(), 2u);
  EXPECT_EQ(pushes[0].headers["content-type"], "application/x-protobuf");
  EXPECT_EQ(pushes[0].headers["user-agent"], std::string("tailcast/") + TC_VERSION);
  EXPECT_EQ(pushes[0].headers["x-scope-orgid"], "team-a");
  EXPECT_EQ(pushes[0].headers["x-custom"], "yes");
  EXPECT_EQ(pushes[0].headers.count("content-encoding"), 0u);
  EXPECT_EQ(pushes[1].headers.count("x-scope-orgid"), 0u);
  EXPECT_EQ(receiver.entries()[0].tenant, "team-a");
}

TEST(LokiService, BasicAuthPasswordIsReadFromItsFile) {
  LokiReceiver receiver;
  testing::TempDir dir;
  dir.write("password", "s3cret\n");
  auto config = client_for(receiver.url());
  config.basic_auth = config::BasicAuth{"user", "", (dir / "password").string()};
  auto service = service_for(config);
  ASSERT_EQ(service->push("", one_entry_body()).outcome, PushOutcome::kDelivered);
  // base64("user:s3cret")
  EXPECT_EQ(receiver.pushes()[0].headers["authorization"], "Basic dXNlcjpzM2NyZXQ=");
}

TEST(LokiService, BearerTokenIsReadFromItsFile) {
  LokiReceiver receiver;
  testing::TempDir dir;
  dir.write("token", "  abc.def \n");
  auto config = client_for(receiver.url());
  config.bearer_token_file = (dir / "token").string();
  auto service = service_for(config);
  ASSERT_EQ(service->push("", one_entry_body()).outcome, PushOutcome::kDelivered);
  EXPECT_EQ(receiver.pushes()[0].headers["authorization"], "Bearer abc.def");
}

TEST(LokiService, MissingSecretFileFailsAtCreation) {
  auto config = client_for("http://127.0.0.1:1/loki/api/v1/push");
  config.bearer_token_file = "/nonexistent/token";
  auto service = LokiService::create(config);
  ASSERT_FALSE(service.has_value());
  EXPECT_NE(service.error().message.find("/nonexistent/token"), std::string::npos);
}

TEST(LokiService, BadRequestIsRejectedWithLokisReasons) {
  LokiReceiver receiver;
  receiver.reject_entries_where(
      [](const testing::ReceivedEntry& entry) { return entry.line == "old"; });
  auto service = service_for(client_for(receiver.url()));
  PushResult result = service->push("", one_entry_body("old"));
  EXPECT_EQ(result.outcome, PushOutcome::kRejected);
  EXPECT_EQ(result.status, 400);
  ASSERT_EQ(result.rejections.size(), 1u);
  EXPECT_EQ(result.rejections[0].reason, "greater_than_max_sample_age");
  EXPECT_EQ(result.rejections[0].count, 1u);
  EXPECT_NE(result.message.find("timestamp too old"), std::string::npos);
}

TEST(LokiService, TooManyRequestsIsRetriedAfterTheGivenSeconds) {
  LokiReceiver receiver;
  receiver.respond_with(std::vector<ScriptedResponse>{{429, "rate limited\n", "7"}});
  auto service = service_for(client_for(receiver.url()));
  PushResult result = service->push("", one_entry_body());
  EXPECT_EQ(result.outcome, PushOutcome::kRetry);
  EXPECT_EQ(result.status, 429);
  ASSERT_TRUE(result.retry_after.has_value());
  EXPECT_EQ(*result.retry_after, seconds(7));
  EXPECT_EQ(result.message, "rate limited");
}

TEST(LokiService, ServerErrorIsRetried) {
  LokiReceiver receiver;
  receiver.respond_with({500});
  auto service = service_for(client_for(receiver.url()));
  PushResult result = service->push("", one_entry_body());
  EXPECT_EQ(result.outcome, PushOutcome::kRetry);
  EXPECT_EQ(result.status, 500);
  EXPECT_FALSE(result.retry_after.has_value());
  EXPECT_TRUE(receiver.entries().empty());
}

TEST(LokiService, RefusedConnectionIsRetriedWithStatusMinusOne) {
  RefusingPort port;
  auto service = service_for(client_for(port.url()));
  PushResult result = service->push("", one_entry_body());
  EXPECT_EQ(result.outcome, PushOutcome::kRetry);
  EXPECT_EQ(result.status, -1);
  EXPECT_FALSE(result.message.empty());
}

TEST(LokiService, AbortedServiceFailsAtOnce) {
  LokiReceiver receiver;
  auto service = service_for(client_for(receiver.url()));
  service->abort();
  EXPECT_EQ(service->push("", one_entry_body()).status, -1);
  EXPECT_EQ(receiver.push_count(), 0u);
}

TEST(LokiStatus, FollowsPromtailsRetryRule) {
  EXPECT_EQ(classify_status(200), PushOutcome::kDelivered);
  EXPECT_EQ(classify_status(204), PushOutcome::kDelivered);
  EXPECT_EQ(classify_status(260), PushOutcome::kDelivered);
  EXPECT_EQ(classify_status(-1), PushOutcome::kRetry);
  EXPECT_EQ(classify_status(429), PushOutcome::kRetry);
  EXPECT_EQ(classify_status(500), PushOutcome::kRetry);
  EXPECT_EQ(classify_status(503), PushOutcome::kRetry);
  EXPECT_EQ(classify_status(400), PushOutcome::kRejected);
  EXPECT_EQ(classify_status(401), PushOutcome::kRejected);
  EXPECT_EQ(classify_status(413), PushOutcome::kRejected);
  EXPECT_EQ(classify_status(404), PushOutcome::kRejected);
}

TEST(LokiRejections, CountsEachReasonInADistributorBody) {
  auto rejections = parse_rejections(
      "Max entry size '262144' bytes exceeded for stream '{job=\"a\"}' while adding an entry with "
      "length '300000' bytes\n"
      "Max entry size '262144' bytes exceeded for stream '{job=\"b\"}' while adding an entry with "
      "length '400000' bytes\n"
      "entry for stream '{job=\"a\"}' has timestamp too old: 2020-01-01T00:00:00Z, oldest "
      "acceptable timestamp is: 2024-01-01T00:00:00Z\n");
  ASSERT_EQ(rejections.size(), 2u);
  EXPECT_EQ(rejections[0].reason, "line_too_long");
  EXPECT_EQ(rejections[0].count, 2u);
  EXPECT_EQ(rejections[1].reason, "greater_than_max_sample_age");
  EXPECT_EQ(rejections[1].count, 1u);
}

TEST(LokiRejections, TotalIgnoredCountsEntriesTooFarBehind) {
  auto rejections = parse_rejections(
      "entry with timestamp 2024-01-01 00:00:00 +0000 UTC ignored, reason: 'entry too far behind, "
      "entry timestamp is: 2024-01-01T00:00:00Z, oldest acceptable timestamp is: "
      "2024-01-01T01:00:00Z',\ntotal ignored: 5 out of 9 for stream: {job=\"a\"}");
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_EQ(rejections[0].reason, "too_far_behind");
  EXPECT_EQ(rejections[0].count, 5u);
}

TEST(LokiRejections, UnknownBodyGivesOneRejectionWithoutCount) {
  auto rejections = parse_rejections("something we have never seen");
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_EQ(rejections[0].reason, "rejected");
  EXPECT_EQ(rejections[0].count, 0u);
  EXPECT_EQ(parse_rejections("").size(), 1u);
}

TEST(RetryAfter, AcceptsSecondsAndHttpDates) {
  auto now =
      std::chrono::system_clock::from_time_t(1'445'412'480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(parse_retry_after("120", now), seconds(120));
  EXPECT_EQ(parse_retry_after(" 0 ", now), seconds(0));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), seconds(30));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), seconds(0));
  EXPECT_FALSE(parse_retry_after("soon", now).has_value());
  EXPECT_FALSE(parse_retry_after("", now).has_value());
}

TEST(UrlHostPort, KeepsThePortOnlyWhenWritten) {
  EXPECT_EQ(url_host_port("http://loki:3100/loki/api/v1/push"), "loki:3100");
  EXPECT_EQ(url_host_port("https://loki.example/loki/api/v1/push"), "loki.example");
  EXPECT_EQ(url_host_port("not a url"), "");
}

}  // namespace
}  // namespace tailcast::sinks::loki
