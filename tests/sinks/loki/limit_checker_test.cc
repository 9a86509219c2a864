// Loki's limits checked before a push: what is fixed, what is dropped (by reason), and that the
// encoded request — decoded with the test's own logproto — carries exactly the plan.
#include "sinks/loki/limit_checker.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <chrono>

#include "loki_push.pb.h"
#include "sinks/loki/encoder.h"

namespace tailcast::sinks::loki {
namespace {

using namespace std::chrono_literals;
using Pairs = std::vector<std::pair<std::string, std::string>>;

constexpr int64_t kNow = 1'790'000'000'000'000'000;  // a fixed "now" for every check

int64_t ns(std::chrono::nanoseconds d) { return d.count(); }

void add(Batch& batch, const Pairs& labels, int64_t timestamp_ns, const std::string& line,
         const Pairs& metadata = {}) {
  Entry entry;
  entry.line = line;
  entry.timestamp_ns = timestamp_ns;
  for (const auto& [name, value] : labels) entry.labels.set(name, value);
  for (const auto& [name, value] : metadata) entry.structured_metadata.set(name, value);
  std::string key;
  format_stream_key(entry.labels, key);
  batch.add(entry, key);
}

const ReasonCount* find(const std::vector<ReasonCount>& counts, std::string_view reason) {
  for (const auto& count : counts)
    if (count.reason == reason) return &count;
  return nullptr;
}

tctest::loki::PushRequest encode(const Batch& batch, const PushPlan& plan) {
  Encoder encoder;
  std::string_view body = encoder.encode(batch, &plan);
  std::string proto;
  EXPECT_TRUE(snappy::Uncompress(body.data(), body.size(), &proto));
  tctest::loki::PushRequest request;
  EXPECT_TRUE(request.ParseFromString(proto));
  return request;
}

TEST(LokiLimitChecker, ALineOverTheLimitIsDroppedAloneAndCounted) {
  LokiLimits limits;
  limits.max_line_size = 8;
  LimitChecker checker(limits);
  Batch batch("");
  add(batch, {{"job", "a"}}, kNow, "short");
  add(batch, {{"job", "a"}}, kNow, "much too long");
  add(batch, {{"job", "a"}}, kNow, "fine");
  PushPlan plan;
  checker.check(batch, kNow, plan);
  EXPECT_EQ(plan.kept, 2u);
  const ReasonCount* dropped = find(plan.dropped, "line_too_long");
  ASSERT_NE(dropped, nullptr);
  EXPECT_EQ(dropped->entries, 1u);
  EXPECT_EQ(dropped->bytes, 13u);

  auto request = encode(batch, plan);
  ASSERT_EQ(request.streams_size(), 1);
  ASSERT_EQ(request.streams(0).entries_size(), 2);
  EXPECT_EQ(request.streams(0).entries(0).line(), "short");
  EXPECT_EQ(request.streams(0).entries(1).line(), "fine");
}

TEST(LokiLimitChecker, TruncationNeverCutsAUtf8Character) {
  LokiLimits limits;
  limits.max_line_size = 5;
  limits.max_line_size_truncate = true;
  LimitChecker checker(limits);
  Batch batch("");
  add(batch, {{"job", "a"}}, kNow, "abcd\xC3\xA9xyz");  // é straddles the limit
  PushPlan plan;
  checker.check(batch, kNow, plan);
  EXPECT_EQ(plan.kept, 1u);
  EXPECT_TRUE(plan.dropped.empty());
  ASSERT_NE(find(plan.fixed, "line_truncated"), nullptr);
  auto request = encode(batch, plan);
  EXPECT_EQ(request.streams(0).entries(0).line(), "abcd");
}

TEST(LokiLimitChecker, TooOldAndTooFarInTheFutureAreDropped) {
  LimitChecker checker(LokiLimits{});
  Batch batch("");
  add(batch, {{"job", "a"}}, kNow - ns(8 * 24h), "old");
  add(batch, {{"job", "a"}}, kNow - ns(6 * 24h), "six days");
  add(batch, {{"job", "a"}}, kNow + ns(11min), "future");
  add(batch, {{"job", "a"}}, kNow + ns(5min), "within grace");
  PushPlan plan;
  checker.check(batch, kNow, plan);
  EXPECT_EQ(plan.kept, 2u);
  EXPECT_EQ(find(plan.dropped, "greater_than_max_sample_age")->entries, 1u);
  EXPECT_EQ(find(plan.dropped, "too_far_in_future")->entries, 1u);
  EXPECT_FALSE(plan.sends(0));
  EXPECT_TRUE(plan.sends(1));
}

TEST(LokiLimitChecker, AgeCheckCanBeTurnedOffForBackfills) {
  LokiLimits limits;
  limits.reject_old_samples = false;
  LimitChecker checker(limits);
  Batch batch("");
  add(batch, {{"job", "a"}}, kNow - ns(400 * 24h), "a year ago");
  PushPlan plan;
  checker.check(batch, kNow, plan);
  EXPECT_EQ(plan.kept, 1u);
}

TEST(LokiLimitChecker, OutOfOrderWindowHoldsAcrossBatchesPerStream) {
  LimitChecker checker(LokiLimits{});
  PushPlan plan;
  Batch first("");
  add(first, {{"job", "a"}}, kNow, "newest of a");
  checker.check(first, kNow, plan);
  ASSERT_EQ(plan.kept, 1u);

  Batch second("");
  add(second, {{"job", "a"}}, kNow - ns(2h), "behind the window");
  add(second, {{"job", "a"}}, kNow - ns(30min), "inside the window");
  add(second, {{"job", "b"}}, kNow - ns(2h), "another stream");
  checker.check(second, kNow, plan);
  EXPECT_EQ(plan.kept, 2u);
  EXPECT_EQ(find(plan.dropped, "too_far_behind")->entries, 1u);
  EXPECT_FALSE(plan.sends(0));
  EXPECT_TRUE(plan.sends(1));
  EXPECT_TRUE(plan.sends(2));
}

TEST(LokiLimitChecker, InvalidLabelNamesAndLongValuesAreSanitised) {
  LokiLimits limits;
  limits.max_label_value_length = 4;
  LimitChecker checker(limits);
  Batch batch("");
  add(batch, {{"app-name", "chat"}, {"1st", "x"}, {"path", "/a/b/c"}}, kNow, "line");
  PushPlan plan;
  checker.check(batch, kNow, plan);
  EXPECT_EQ(plan.kept, 1u);
  EXPECT_EQ(find(plan.fixed, "labels_sanitized")->entries, 1u);
  auto request = encode(batch, plan);
  ASSERT_EQ(request.streams_size(), 1);
  EXPECT_EQ(request.streams(0).labels(), R"({_1st="x", app_name="chat", path="/a/b"})");
}

TEST(LokiLimitChecker, ValidLabelsKeepTheBatchKey) {
  LimitChecker checker(LokiLimits{});
  Batch batch("");
  add(batch, {{"job", "ray"}, {"level", "INFO"}}, kNow, "line");
  PushPlan plan;
  checker.check(batch, kNow, plan);
  EXPECT_TRUE(plan.stream_keys[0].empty());
  EXPECT_TRUE(plan.fixed.empty());
}

TEST(LokiLimitChecker, TooManyLabelsDropTheStreamOnly) {
  LokiLimits limits;
  limits.max_label_names_per_series = 2;
  LimitChecker checker(limits);
  Batch batch("");
  add(batch, {{"a", "1"}, {"b", "2"}, {"c", "3"}}, kNow, "three labels");
  add(batch, {{"a", "1"}}, kNow, "one label");
  PushPlan plan;
  checker.check(batch, kNow, plan);
  EXPECT_EQ(plan.kept, 1u);
  EXPECT_EQ(find(plan.dropped, "max_label_names_per_series")->entries, 1u);
  auto request = encode(batch, plan);
  ASSERT_EQ(request.streams_size(), 1);  // the refused stream is not sent empty
  EXPECT_EQ(request.streams(0).labels(), R"({a="1"})");
}

TEST(LokiLimitChecker, StructuredMetadataSizeAndCountAreEnforced) {
  LokiLimits limits;
  limits.max_structured_metadata_size = 16;
  limits.max_structured_metadata_entries_count = 2;
  LimitChecker checker(limits);
  Batch batch("");
  add(batch, {{"job", "a"}}, kNow, "ok", {{"request_id", "r1"}});
  add(batch, {{"job", "a"}}, kNow, "big", {{"request_id", std::string(20, 'x')}});
  add(batch, {{"job", "a"}}, kNow, "many", {{"a", "1"}, {"b", "2"}, {"c", "3"}});
  PushPlan plan;
  checker.check(batch, kNow, plan);
  EXPECT_EQ(plan.kept, 1u);
  EXPECT_EQ(find(plan.dropped, "structured_metadata_too_large")->entries, 1u);
  EXPECT_EQ(find(plan.dropped, "structured_metadata_too_many")->entries, 1u);
}

TEST(LokiLimitChecker, DisabledSendsEverythingUnchanged) {
  LokiLimits limits;
  limits.enabled = false;
  limits.max_line_size = 1;
  LimitChecker checker(limits);
  Batch batch("");
  add(batch, {{"bad-name", "v"}}, 0, "an old and long line");
  PushPlan plan;
  checker.check(batch, kNow, plan);
  EXPECT_EQ(plan.kept, 1u);
  EXPECT_TRUE(plan.dropped.empty());
  auto request = encode(batch, plan);
  EXPECT_EQ(request.streams(0).labels(), R"({bad-name="v"})");
  EXPECT_EQ(request.streams(0).entries(0).line(), "an old and long line");
}

}  // namespace
}  // namespace tailcast::sinks::loki
