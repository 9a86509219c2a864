// The timestamp stage built from YAML: formats and fallbacks, locations, failure actions (fudge per
// label set, skip), value types, metrics and configuration errors.
#include <gtest/gtest.h>

#include "pipeline/metrics.h"
#include "tests/stages/ts_test_util.h"

namespace tailcast {
namespace {

using ts_testing::make_stage;
using ts_testing::make_stage_error;

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kReadTime = 42;

class TimestampTest : public ::testing::Test {
 protected:
  StagePtr build(std::string_view yaml, Metrics* metrics = nullptr) {
    auto stage = make_stage(yaml, metrics);
    EXPECT_TRUE(stage.has_value()) << (stage ? "" : stage.error().message);
    return stage ? std::move(*stage) : nullptr;
  }
  // Runs one line whose extracted "ts" is `value`; returns the resulting timestamp.
  int64_t run(Stage& stage, std::string_view value, std::string_view file = "a.log") {
    Entry entry;
    entry.timestamp_ns = kReadTime;
    entry.labels.set("filename", file);
    entry.labels.set("job", "ray");
    entry.extracted.set("ts", value);
    EXPECT_EQ(stage.process(entry, arena_), Verdict::kPass);
    return entry.timestamp_ns;
  }
  Arena arena_;
};

TEST_F(TimestampTest, SetsTimestampFromExtractedValue) {
  auto stage = build("timestamp:\n  source: ts\n  format: RFC3339Nano\n");
  EXPECT_EQ(run(*stage, "2024-03-05T10:20:30.5Z"), 1709634030 * kSec + 500000000);
}

TEST_F(TimestampTest, RayLayoutWithCommaMillisecondsParses) {
  auto stage = build("timestamp:\n  source: ts\n  format: '2006-01-02 15:04:05,000'\n");
  EXPECT_EQ(run(*stage, "2024-03-05 10:20:30,123"), 1709634030 * kSec + 123000000);
}

TEST_F(TimestampTest, FallbackFormatsAreTriedInOrder) {
  auto stage = build(
      "timestamp:\n  source: ts\n  format: RFC3339\n"
      "  fallback_formats: ['2006-01-02 15:04:05', UnixMs]\n");
  EXPECT_EQ(run(*stage, "2024-03-05 10:20:30"), 1709634030 * kSec);
  EXPECT_EQ(run(*stage, "1709634030123"), 1709634030123 * 1'000'000);
  EXPECT_EQ(run(*stage, "2024-03-05T10:20:30Z"), 1709634030 * kSec);
}

TEST_F(TimestampTest, LocationAppliesToLayoutsWithoutZone) {
  auto stage = build(
      "timestamp:\n  source: ts\n  format: '2006-01-02 15:04:05'\n  location: Europe/Berlin\n");
  EXPECT_EQ(run(*stage, "2024-07-01 12:00:00"), 1719828000 * kSec);
}

TEST_F(TimestampTest, MissingSourceLeavesTimestampUnchanged) {
  auto stage = build("timestamp:\n  source: ts\n  format: RFC3339\n");
  EXPECT_EQ(run(*stage, "2024-03-05T10:20:30Z"), 1709634030 * kSec);
  Entry entry;
  entry.timestamp_ns = kReadTime;
  entry.labels.set("filename", "a.log");
  entry.labels.set("job", "ray");
  EXPECT_EQ(stage->process(entry, arena_), Verdict::kPass);
  EXPECT_EQ(entry.timestamp_ns, kReadTime);
}

TEST_F(TimestampTest, FudgePutsAFailedLineOneNanosecondAfterTheLastSuccess) {
  auto stage = build("timestamp:\n  source: ts\n  format: RFC3339\n");
  EXPECT_EQ(run(*stage, "2024-03-05T10:20:30Z"), 1709634030 * kSec);
  EXPECT_EQ(run(*stage, "garbage"), 1709634030 * kSec + 1);
  EXPECT_EQ(run(*stage, "garbage"), 1709634030 * kSec + 2);
}

TEST_F(TimestampTest, FudgeWithoutAnEarlierSuccessKeepsTheReadTime) {
  auto stage = build("timestamp:\n  source: ts\n  format: RFC3339\n");
  EXPECT_EQ(run(*stage, "garbage"), kReadTime);
}

TEST_F(TimestampTest, FudgeKeepsOneLastTimestampPerLabelSet) {
  auto stage = build("timestamp:\n  source: ts\n  format: RFC3339\n");
  EXPECT_EQ(run(*stage, "2024-03-05T10:20:30Z", "a.log"), 1709634030 * kSec);
  EXPECT_EQ(run(*stage, "2024-03-05T11:00:00Z", "b.log"), (1709634030 + 2370) * kSec);
  EXPECT_EQ(run(*stage, "garbage", "a.log"), 1709634030 * kSec + 1);
  EXPECT_EQ(run(*stage, "garbage", "b.log"), (1709634030 + 2370) * kSec + 1);
  EXPECT_EQ(run(*stage, "garbage", "c.log"), kReadTime);
}

TEST_F(TimestampTest, FudgeIgnoresTheOrderLabelsWereSetIn) {
  auto stage = build("timestamp:\n  source: ts\n  format: RFC3339\n");
  EXPECT_EQ(run(*stage, "2024-03-05T10:20:30Z"), 1709634030 * kSec);
  Entry entry;
  entry.timestamp_ns = kReadTime;
  entry.labels.set("job", "ray");
  entry.labels.set("filename", "a.log");
  entry.extracted.set("ts", "garbage");
  stage->process(entry, arena_);
  EXPECT_EQ(entry.timestamp_ns, 1709634030 * kSec + 1);
}

TEST_F(TimestampTest, SkipLeavesTheTimestampOnFailure) {
  auto stage = build("timestamp:\n  source: ts\n  format: RFC3339\n  action_on_failure: skip\n");
  EXPECT_EQ(run(*stage, "2024-03-05T10:20:30Z"), 1709634030 * kSec);
  EXPECT_EQ(run(*stage, "garbage"), kReadTime);
}

TEST_F(TimestampTest, FailuresAreCountedAsParseErrors) {
  Metrics metrics;
  auto stage = build("timestamp:\n  source: ts\n  format: RFC3339\n", &metrics);
  run(*stage, "garbage");
  run(*stage, "2024-03-05T10:20:30Z");
  run(*stage, "also garbage");
  auto& counter = metrics.stage_unparsed.Add({{"stage", "timestamp"}, {"reason", "parse_error"}});
  EXPECT_EQ(counter.Value(), 2);
}

TEST_F(TimestampTest, JsonNumbersAreReadAsGoFormatsThem) {
  auto stage = build("timestamp:\n  source: ts\n  format: Unix\n  action_on_failure: skip\n");
  Entry entry;
  entry.extracted.set("ts", "1.7096340305e9", FieldType::kNumber);
  stage->process(entry, arena_);
  EXPECT_EQ(entry.timestamp_ns, 1709634030 * kSec + 500000000);
}

TEST_F(TimestampTest, NullAndObjectValuesFail) {
  auto stage = build("timestamp:\n  source: ts\n  format: Unix\n  action_on_failure: skip\n");
  Entry entry;
  entry.timestamp_ns = kReadTime;
  entry.extracted.set("ts", "null", FieldType::kNull);
  stage->process(entry, arena_);
  EXPECT_EQ(entry.timestamp_ns, kReadTime);
  entry.extracted.set("ts", "{\"a\":1}", FieldType::kJson);
  stage->process(entry, arena_);
  EXPECT_EQ(entry.timestamp_ns, kReadTime);
}

TEST(TimestampConfig, SourceAndFormatAreRequired) {
  const std::string no_source = make_stage_error("timestamp:\n  format: RFC3339\n");
  EXPECT_NE(no_source.find("pipeline.yaml:2:"), std::string::npos) << no_source;
  EXPECT_NE(no_source.find("\"source\" is required"), std::string::npos) << no_source;
  const std::string no_format = make_stage_error("timestamp:\n  source: ts\n");
  EXPECT_NE(no_format.find("\"format\" is required"), std::string::npos) << no_format;
  EXPECT_NE(make_stage_error("timestamp:\n"), "");
}

TEST(TimestampConfig, UnknownLocationNamesTheKey) {
  const std::string error =
      make_stage_error("timestamp:\n  source: ts\n  format: RFC3339\n  location: Mars/Base\n");
  EXPECT_NE(error.find("pipeline.yaml:4:13"), std::string::npos) << error;
  EXPECT_NE(error.find("pipeline_stages[0].timestamp.location"), std::string::npos) << error;
}

TEST(TimestampConfig, ActionOnFailureMustBeSkipOrFudge) {
  const std::string error =
      make_stage_error("timestamp:\n  source: ts\n  format: RFC3339\n  action_on_failure: drop\n");
  EXPECT_NE(error.find("action_on_failure"), std::string::npos) << error;
  EXPECT_NE(error.find("skip, fudge"), std::string::npos) << error;
}

}  // namespace
}  // namespace tailcast
