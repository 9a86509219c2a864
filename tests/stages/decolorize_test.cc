// The decolorize stage: ANSI sequences are removed with Promtail's pattern (its documented example
// included), lines without them are left untouched, and rewritten lines live in the arena.
#include <gtest/gtest.h>

#include <string>

#include "tests/stages/ts_test_util.h"

namespace tailcast {
namespace {

class DecolorizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stage = ts_testing::make_stage("decolorize:\n");
    ASSERT_TRUE(stage.has_value()) << stage.error().message;
    stage_ = std::move(*stage);
  }
  std::string run(std::string_view line) {
    Entry entry;
    entry.line = line;
    EXPECT_EQ(stage_->process(entry, arena_), Verdict::kPass);
    return std::string(entry.line);
  }
  StagePtr stage_;
  Arena arena_;
};

TEST_F(DecolorizeTest, StripsColourCodes) {
  EXPECT_EQ(run("\x1b[31mERROR\x1b[0m disk full"), "ERROR disk full");
  EXPECT_EQ(run("\x1b[1;38;5;196mhot\x1b[m"), "hot");
  EXPECT_EQ(run("\x1b[36m(ServeController pid=42)\x1b[0m INFO"), "(ServeController pid=42) INFO");
}

TEST_F(DecolorizeTest, DocumentedExampleBehavesAsPromtailsPattern) {
  // The documented input lacks the 'm' of "\033[0;32m", so the pattern takes the 'h' as the
  // sequence's final byte, exactly as Promtail does.
  EXPECT_EQ(run("[2022-11-04 22:17:57.811] \033[0;32http\033[0m: GET /_health (0 ms) 204"),
            "[2022-11-04 22:17:57.811] ttp: GET /_health (0 ms) 204");
  EXPECT_EQ(run("[2022-11-04 22:17:57.811] \033[0;32mhttp\033[0m: GET /_health (0 ms) 204"),
            "[2022-11-04 22:17:57.811] http: GET /_health (0 ms) 204");
}

TEST_F(DecolorizeTest, StripsCursorMovesAndBellTerminatedTitles) {
  EXPECT_EQ(run("\x1b[2K\x1b[1Gprogress 50%"), "progress 50%");
  EXPECT_EQ(run("\x1b]0;title\x07text"), "text");
  // The pattern allows only letters, digits and ';' before the BEL, so a title with a space is
  // cut at its first letter, as in Promtail.
  EXPECT_EQ(run("\x1b]0;my title\x07text"), "y title\x07text");
}

TEST_F(DecolorizeTest, OscEndedByStringTerminatorIsOnlyPartlyStripped) {
  EXPECT_EQ(run("\x1b]8;;http://x.y/\x1b\\link\x1b]8;;\x1b\\"), "ttp://x.y/\x1b\\link;;\x1b\\");
}

TEST_F(DecolorizeTest, StripsTheEightBitCsi) {
  EXPECT_EQ(run("\xc2\x9b"
                "31mred"),
            "red");
}

TEST_F(DecolorizeTest, ParametersLongerThanFourDigitsLeaveTheRest) {
  EXPECT_EQ(run("\x1b[12345678m"), "678m");
}

TEST_F(DecolorizeTest, PlainLinesAreNotCopied) {
  Entry entry;
  const std::string line = "plain text, no colours";
  entry.line = line;
  stage_->process(entry, arena_);
  EXPECT_EQ(entry.line.data(), line.data());
  EXPECT_EQ(arena_.used_bytes(), 0u);
}

TEST_F(DecolorizeTest, RewrittenLinesLiveInTheArena) {
  Entry entry;
  std::string line = "\x1b[32mok\x1b[0m";
  entry.line = line;
  stage_->process(entry, arena_);
  line.assign(line.size(), '?');  // the source buffer is reused by the reader
  EXPECT_EQ(entry.line, "ok");
  EXPECT_EQ(arena_.used_bytes(), 2u);
}

TEST_F(DecolorizeTest, LoneEscapeIsKept) { EXPECT_EQ(run("a\x1b"), "a\x1b"); }

TEST(DecolorizeConfig, BuildsWithAnEmptyMap) {
  EXPECT_TRUE(ts_testing::make_stage("decolorize: {}\n").has_value());
}

}  // namespace
}  // namespace tailcast
