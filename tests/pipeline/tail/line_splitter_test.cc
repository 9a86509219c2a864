// Line framing: partial lines across reads, CRLF, byte bounds, UTF-8 repair.
#include "pipeline/tail/line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tailcast::tail {
namespace {

std::vector<std::string> feed(LineSplitter& splitter, std::string_view bytes) {
  std::vector<std::string_view> views;
  splitter.feed(bytes, views);
  return {views.begin(), views.end()};
}

std::vector<std::string> finish(LineSplitter& splitter) {
  std::vector<std::string_view> views;
  splitter.finish(views);
  return {views.begin(), views.end()};
}

using Lines = std::vector<std::string>;

TEST(LineSplitter, PartialLineIsHeldUntilItsNewlineArrives) {
  LineSplitter splitter;
  EXPECT_EQ(feed(splitter, "one\ntw"), Lines{"one"});
  EXPECT_EQ(splitter.pending_bytes(), 2u);
  EXPECT_EQ(feed(splitter, "o and"), Lines{});
  EXPECT_EQ(splitter.pending_bytes(), 7u);
  EXPECT_EQ(feed(splitter, " more\nthree\nfo"), (Lines{"two and more", "three"}));
  EXPECT_EQ(splitter.pending_bytes(), 2u);
  EXPECT_EQ(finish(splitter), Lines{"fo"});
  EXPECT_EQ(splitter.pending_bytes(), 0u);
  EXPECT_EQ(finish(splitter), Lines{});
}

TEST(LineSplitter, CrLfAndEmptyLines) {
  LineSplitter splitter;
  EXPECT_EQ(feed(splitter, "a\r\n\r\n\nb\r"), (Lines{"a", "", ""}));
  // The '\r' ending one read belongs to the line the next read finishes.
  EXPECT_EQ(feed(splitter, "\nc\rd\n"), (Lines{"b", "c\rd"}));
}

TEST(LineSplitter, ViewsOfAHeldLineSurviveLaterPartialsInTheSameRead) {
  LineSplitter splitter;
  feed(splitter, "held-");
  std::vector<std::string_view> views;
  splitter.feed("line\nnext-partial", views);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0], "held-line");
}

TEST(LineSplitter, OverLongLineIsTruncatedWhenAsked) {
  LineSplitter splitter(SplitterOptions{.max_line_size = 4, .truncate = true});
  EXPECT_EQ(feed(splitter, "abcdefgh\nok\n"), (Lines{"abcd", "ok"}));
  // Also when the line arrives in pieces: only max_line_size + 1 bytes are ever held.
  EXPECT_EQ(feed(splitter, "12"), Lines{});
  EXPECT_EQ(feed(splitter, "345678"), Lines{});
  EXPECT_EQ(feed(splitter, "9\n"), Lines{"1234"});
  EXPECT_EQ(splitter.take_stats().truncated, 2u);
}

TEST(LineSplitter, OverLongLineIsDroppedByDefault) {
  LineSplitter splitter(SplitterOptions{.max_line_size = 4});
  EXPECT_EQ(feed(splitter, "abcd\r\nabcde\nxy"), Lines{"abcd"});
  EXPECT_EQ(feed(splitter, "zzzzzzz"), Lines{});
  EXPECT_EQ(splitter.pending_bytes(), 9u);  // skipped bytes still count for the next line's offset
  EXPECT_EQ(feed(splitter, "\nfine\n"), Lines{"fine"});
  SplitStats stats = splitter.take_stats();
  EXPECT_EQ(stats.too_long, 2u);
  EXPECT_EQ(stats.truncated, 0u);
  EXPECT_EQ(splitter.take_stats().too_long, 0u);  // taken
}

TEST(LineSplitter, HardCapBoundsALineWithoutNewline) {
  LineSplitter splitter(SplitterOptions{.hard_cap = 16});
  std::string chunk(10, 'x');
  for (int i = 0; i < 100; ++i) EXPECT_EQ(feed(splitter, chunk), Lines{});
  EXPECT_EQ(splitter.pending_bytes(), 1000u);
  Lines lines = feed(splitter, "\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], std::string(16, 'x'));
  EXPECT_EQ(splitter.take_stats().truncated, 1u);
}

TEST(LineSplitter, TruncationDoesNotCutACharacterInTwo) {
  LineSplitter splitter(SplitterOptions{.max_line_size = 4, .truncate = true});
  // "abc" + "€" (3 bytes): a cut after 4 bytes would split the euro sign.
  EXPECT_EQ(feed(splitter, "abc\xE2\x82\xAC\n"), Lines{"abc"});
  EXPECT_EQ(splitter.take_stats().invalid_utf8, 0u);
}

TEST(LineSplitter, InvalidUtf8BytesBecomeReplacementCharacters) {
  LineSplitter splitter;
  Lines lines = feed(splitter, "ok \xC3\xA9\nbad \xFF here\nalso \xC3 bad\n\xED\xA0\x80\n");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "ok \xC3\xA9");
  EXPECT_EQ(lines[1], "bad \xEF\xBF\xBD here");
  EXPECT_EQ(lines[2], "also \xEF\xBF\xBD bad");
  // A surrogate is not UTF-8: each of its bytes is replaced.
  EXPECT_EQ(lines[3], "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(splitter.take_stats().invalid_utf8, 3u);
}

TEST(LineSplitter, CharacterSplitAcrossReadsIsNotInvalid) {
  LineSplitter splitter;
  EXPECT_EQ(feed(splitter, "caf\xC3"), Lines{});
  EXPECT_EQ(feed(splitter, "\xA9\n"), Lines{"caf\xC3\xA9"});
  EXPECT_EQ(splitter.take_stats().invalid_utf8, 0u);
}

TEST(LineSplitter, ResetForgetsTheHeldLine) {
  LineSplitter splitter;
  feed(splitter, "stale");
  splitter.reset();
  EXPECT_EQ(splitter.pending_bytes(), 0u);
  EXPECT_EQ(feed(splitter, "fresh\n"), Lines{"fresh"});
}

TEST(Utf8, ValidPrefixStopsAtTheFirstBadByte) {
  EXPECT_EQ(valid_utf8_prefix("plain ascii text, long enough for words"), 39u);
  EXPECT_EQ(valid_utf8_prefix("abcdefgh\xC0\x80"), 8u);  // overlong
  EXPECT_EQ(valid_utf8_prefix("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(valid_utf8_prefix("\xF0\x9F\x98\x80!"), 5u);
}

}  // namespace
}  // namespace tailcast::tail
