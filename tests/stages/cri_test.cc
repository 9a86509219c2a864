// The cri stage as Promtail's documentation and promtail-behaviour.md describe it: CRI lines
// parsed, partial lines joined per label set, and their chunks retained until delivered.
#include <algorithm>

#include "tests/stages/hold_harness.h"

namespace tailcast::testing {
namespace {

// 2019-04-30T02:12:41.8443515Z in Unix nanoseconds.
constexpr int64_t kTime = 1556590361844351500;

TEST(CriStage, FullLineBecomesItsContentWithStreamLabelAndTimestamp) {
  HoldHarness harness("cri: {}");
  EXPECT_EQ(harness.feed("2019-04-30T02:12:41.8443515Z stdout F hello world"), Verdict::kPass);
  ASSERT_EQ(harness.outputs().size(), 1u);
  const HeldOutput& out = harness.outputs()[0];
  EXPECT_EQ(out.line, "hello world");
  EXPECT_EQ(out.labels.at("stream"), "stdout");
  EXPECT_EQ(out.timestamp_ns, kTime);
  EXPECT_EQ(out.fields.at("flags"), "F");
}

TEST(CriStage, PartialLinesJoinTheFullLineAndTakeItsTimestamp) {
  HoldHarness harness("cri:");
  EXPECT_EQ(harness.feed("2019-04-30T02:12:40.0Z stdout P first "), Verdict::kHold);
  EXPECT_EQ(harness.feed("2019-04-30T02:12:41.0Z stdout P second "), Verdict::kHold);
  EXPECT_EQ(harness.committed(), 0u);
  EXPECT_EQ(harness.feed("2019-04-30T02:12:41.8443515Z stdout F end"), Verdict::kHold);
  ASSERT_EQ(harness.outputs().size(), 1u);
  const HeldOutput& out = harness.outputs()[0];
  EXPECT_EQ(out.line, "first second end");
  EXPECT_EQ(out.timestamp_ns, kTime);
  EXPECT_EQ(out.first_chunk, 0u);
  EXPECT_EQ(out.last_chunk, 2u);
  EXPECT_EQ(harness.committed(), harness.offset());
}

TEST(CriStage, PartialLinesJoinPerLabelSet) {
  HoldHarness harness("cri:");
  harness.feed("2019-04-30T02:12:41Z stdout P out-");
  harness.feed("2019-04-30T02:12:41Z stderr P err-");
  harness.feed("2019-04-30T02:12:42Z stderr F done");
  harness.feed("2019-04-30T02:12:42Z stdout F done");
  EXPECT_EQ(harness.lines(), (std::vector<std::string>{"err-done", "out-done"}));
  EXPECT_EQ(harness.outputs()[0].labels.at("stream"), "stderr");
}

TEST(CriStage, TooManyWaitingLabelSetsAreSentAsTheyAre) {
  HoldHarness harness("cri:\n  max_partial_lines: 2\n");
  harness.feed("/a.log", "2019-04-30T02:12:41Z stdout P a");
  harness.feed("/b.log", "2019-04-30T02:12:41Z stdout P b");
  EXPECT_TRUE(harness.outputs().empty());
  harness.feed("/c.log", "2019-04-30T02:12:41Z stdout P c");
  std::vector<std::string> lines = harness.lines();
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(harness.committed("/a.log"), harness.offset("/a.log"));
  harness.feed("/c.log", "2019-04-30T02:12:42Z stdout F !");
  EXPECT_EQ(harness.outputs().back().line, "c!");
}

TEST(CriStage, JoinedLineIsTruncatedWhenAsked) {
  HoldHarness harness(
      "cri:\n  max_partial_line_size: 8\n  max_partial_line_size_truncate: true\n");
  harness.feed("2019-04-30T02:12:41Z stdout P 12345");
  harness.feed("2019-04-30T02:12:41Z stdout P 67890");
  harness.feed("2019-04-30T02:12:42Z stdout F abc");
  EXPECT_EQ(harness.lines(), (std::vector<std::string>{"12345678"}));
}

TEST(CriStage, OtherLinesPassUnchanged) {
  HoldHarness harness("cri:");
  EXPECT_EQ(harness.feed("not a cri line"), Verdict::kPass);
  EXPECT_EQ(harness.lines(), (std::vector<std::string>{"not a cri line"}));
  EXPECT_TRUE(harness.outputs()[0].labels.empty());
}

TEST(CriStage, WaitingPartialLinesAreSentWhenTheFileEnds) {
  HoldHarness harness("cri:");
  harness.feed("2019-04-30T02:12:41Z stdout P tail");
  harness.flush(std::chrono::steady_clock::now() + std::chrono::hours(1), false);
  EXPECT_TRUE(harness.outputs().empty()) << "Promtail waits for the full line";
  harness.flush_all();
  EXPECT_EQ(harness.lines(), (std::vector<std::string>{"tail"}));
  EXPECT_EQ(harness.committed(), harness.offset());
}

TEST(CriStage, ConfigErrorsNameTheKey) {
  const std::string error = build_error("cri:\n  max_partial_line_size_truncate: true\n");
  EXPECT_NE(error.find("test.yaml:2:"), std::string::npos) << error;
  EXPECT_NE(error.find("max_partial_line_size"), std::string::npos) << error;
  EXPECT_NE(build_error("cri:\n  max_partial_lines: many\n").find("max_partial_lines"),
            std::string::npos);
}

}  // namespace
}  // namespace tailcast::testing
