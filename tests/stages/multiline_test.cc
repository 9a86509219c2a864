// The multiline stage as Promtail's documentation and promtail-behaviour.md describe it, with the
// chunk retention that keeps positions from passing a block that was not delivered.
#include <algorithm>

#include "tests/stages/hold_harness.h"

namespace tailcast::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kStage = R"(multiline:
  firstline: '^\[\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}:\d{2}\]'
  max_wait_time: 3s
)";

TEST(MultilineStage, FoldsLinesUntilTheNextFirstLine) {
  HoldHarness harness(kStage);
  EXPECT_EQ(harness.feed("[2020-12-03 11:36:20] ERROR: boom", 10), Verdict::kHold);
  EXPECT_EQ(harness.feed("[stacktrace]", 11), Verdict::kHold);
  EXPECT_EQ(harness.feed("#0 /app/foo.php(12): bar()", 12), Verdict::kHold);
  EXPECT_TRUE(harness.outputs().empty());
  EXPECT_EQ(harness.feed("[2020-12-03 11:36:21] INFO: next", 13), Verdict::kHold);
  ASSERT_EQ(harness.outputs().size(), 1u);
  EXPECT_EQ(harness.outputs()[0].line,
            "[2020-12-03 11:36:20] ERROR: boom\n[stacktrace]\n#0 /app/foo.php(12): bar()");
  EXPECT_EQ(harness.outputs()[0].timestamp_ns, 10) << "the first line's timestamp";
}

TEST(MultilineStage, HeldBlocksRetainTheirChunksUntilDelivered) {
  HoldHarness harness(kStage);
  harness.feed("[2020-12-03 11:36:20] a");
  harness.feed("continued");
  EXPECT_EQ(harness.committed(), 0u) << "held lines pin the position";
  const uint64_t block_end = harness.offset();
  harness.feed("[2020-12-03 11:36:21] b");
  ASSERT_EQ(harness.outputs().size(), 1u);
  EXPECT_EQ(harness.outputs()[0].first_chunk, 0u);
  EXPECT_EQ(harness.outputs()[0].last_chunk, 1u);
  EXPECT_EQ(harness.committed(), block_end) << "the next block still holds its own line";
  harness.flush_all();
  ASSERT_EQ(harness.outputs().size(), 2u);
  EXPECT_EQ(harness.committed(), harness.offset());
}

TEST(MultilineStage, LinesBeforeTheFirstFirstLinePassOneByOne) {
  HoldHarness harness(kStage);
  EXPECT_EQ(harness.feed("orphan 1"), Verdict::kPass);
  EXPECT_EQ(harness.feed("orphan 2"), Verdict::kPass);
  EXPECT_EQ(harness.lines(), (std::vector<std::string>{"orphan 1", "orphan 2"}));
  EXPECT_EQ(harness.committed(), harness.offset());
}

TEST(MultilineStage, AfterMaxLinesTheRestKeepsTheOldFirstLineFields) {
  HoldHarness harness("multiline:\n  firstline: '^START'\n  max_lines: 2\n");
  harness.feed("START one", 5);
  harness.feed("a", 6);
  ASSERT_EQ(harness.lines(), (std::vector<std::string>{"START one\na"}));
  harness.feed("b", 7);
  harness.feed("c", 8);
  ASSERT_EQ(harness.outputs().size(), 2u);
  EXPECT_EQ(harness.outputs()[1].line, "b\nc");
  EXPECT_EQ(harness.outputs()[1].timestamp_ns, 5);
}

TEST(MultilineStage, BlankLinesStayInsideBlocks) {
  HoldHarness harness("multiline:\n  firstline: '^START'\n");
  harness.feed("START");
  harness.feed("");
  harness.feed("after blank");
  harness.flush_all();
  EXPECT_EQ(harness.lines(), (std::vector<std::string>{"START\n\nafter blank"}));
}

TEST(MultilineStage, EachLabelSetHasItsOwnBlock) {
  HoldHarness harness("multiline:\n  firstline: '^START'\n");
  harness.feed("/a.log", "START a", 1);
  harness.feed("/b.log", "START b", 1);
  harness.feed("/a.log", "a2", 1);
  harness.feed("/b.log", "b2", 1, {{"app", "x"}});  // another label set: not a block yet
  harness.feed("/b.log", "b3", 1);
  harness.flush_all();
  std::vector<std::string> lines = harness.lines();
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"START a\na2", "START b\nb3", "b2"}));
  EXPECT_EQ(harness.committed("/a.log"), harness.offset("/a.log"));
  EXPECT_EQ(harness.committed("/b.log"), harness.offset("/b.log"));
}

TEST(MultilineStage, IdleBlocksFlushAfterMaxWaitTime) {
  HoldHarness harness(kStage);
  harness.feed("[2020-12-03 11:36:20] a");
  const auto now = std::chrono::steady_clock::now();
  harness.flush(now, false);
  EXPECT_TRUE(harness.outputs().empty());
  harness.flush(now + 4s, false);
  EXPECT_EQ(harness.lines(), (std::vector<std::string>{"[2020-12-03 11:36:20] a"}));
  harness.feed("late continuation", 9);
  harness.flush(std::chrono::steady_clock::now() + 4s, false);
  ASSERT_EQ(harness.outputs().size(), 2u);
  EXPECT_EQ(harness.outputs()[1].line, "late continuation");
  EXPECT_EQ(harness.committed(), harness.offset());
}

TEST(MultilineStage, ConfigErrorsNameTheKey) {
  EXPECT_NE(build_error("multiline:\n  max_lines: 3\n").find("firstline"), std::string::npos);
  const std::string bad_regex = build_error("multiline:\n  firstline: '(['\n");
  EXPECT_NE(bad_regex.find("test.yaml:2:"), std::string::npos) << bad_regex;
  EXPECT_NE(bad_regex.find("multiline.firstline"), std::string::npos) << bad_regex;
  EXPECT_NE(build_error("multiline:\n  firstline: x\n  max_wait_time: soon\n").find("max_wait_time"),
            std::string::npos);
  EXPECT_NE(build_error("multiline:\n  firstline: x\n  max_lines: -1\n").find("max_lines"),
            std::string::npos);
}

}  // namespace
}  // namespace tailcast::testing
