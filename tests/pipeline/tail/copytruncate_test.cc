// The tailer under copytruncate and in-place rewrites, and behind a re-pointed symlink: a copy of
// what was read is read only from where the original stopped, a file refilled past the old offset
// is a new generation, and a new session behind `session_latest` is found without a timer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/tail/tailer.h"
#include "tests/support/temp_dir.h"

namespace tailcast::tail {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;
using testing::TempDir;

// Polls until nothing more comes, acknowledging every chunk; the lines seen, sorted.
Lines drain(Tailer& tailer) {
  Lines seen;
  for (int round = 0; round < 100; ++round) {
    size_t before = seen.size();
    size_t bytes = tailer.poll(
        [&](const LineChunk& chunk) {
          for (std::string_view line : chunk.lines) seen.emplace_back(line);
          chunk.file->acks().release(chunk.file->acks().open_chunk(chunk.end_offset));
        },
        1 << 20);
    if (bytes == 0 && seen.size() == before) break;
  }
  std::sort(seen.begin(), seen.end());
  return seen;
}

// 60-byte lines, so that a few dozen fill more than the fingerprinted first KiB.
Lines numbered(const std::string& prefix, int from, int to) {
  Lines out;
  for (int n = from; n < to; ++n) {
    std::string line = prefix + "-" + std::to_string(1000 + n) + " ";
    out.push_back(line + std::string(59 - line.size(), 'x'));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string text(const Lines& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

Lines both(Lines a, const Lines& b) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end());
  return a;
}

TailerOptions no_timer() { return TailerOptions{.rescan_interval = std::chrono::hours(1)}; }

TargetSpec target(const TempDir& dir, const std::string& pattern) {
  return TargetSpec{"job", {(dir / pattern).string()}, {}, 0};
}

TEST(Copytruncate, CopyMadeBeforeTheTruncationIsReadFromWhereTheOriginalStopped) {
  TempDir dir;
  dir.write("app.log", text(numbered("a", 0, 40)));
  Tailer tailer({target(dir, "app.log*")}, no_timer(), nullptr, nullptr);
  EXPECT_EQ(drain(tailer), numbered("a", 0, 40));
  // logrotate's copytruncate, with ten lines written since the last read.
  dir.write("app.log", text(numbered("a", 40, 50)), true);
  fs::copy_file(dir / "app.log", dir / "app.log.1");
  dir.write("app.log", text(numbered("b", 0, 5)));
  EXPECT_EQ(drain(tailer), both(numbered("a", 40, 50), numbered("b", 0, 5)));
  EXPECT_EQ(tailer.active_files(), 2u);
}

TEST(Copytruncate, CopyFoundOnlyAfterTheTruncationIsReadFromWhereTheOriginalStopped) {
  TempDir dir;
  dir.write("app.log", text(numbered("a", 0, 40)));
  Tailer tailer({target(dir, "app.log*")}, no_timer(), nullptr, nullptr);
  EXPECT_EQ(drain(tailer), numbered("a", 0, 40));
  dir.write("app.log", text(numbered("a", 40, 50)), true);
  fs::copy_file(dir / "app.log", dir / "app.old");  // not matched yet
  dir.write("app.log", text(numbered("b", 0, 5)));
  EXPECT_EQ(drain(tailer), numbered("b", 0, 5));
  fs::rename(dir / "app.old", dir / "app.log.1");
  EXPECT_EQ(drain(tailer), numbered("a", 40, 50));
}

TEST(Copytruncate, PlainCopyOfAFileStillBeingReadIsNotReadAgain) {
  TempDir dir;
  dir.write("app.log", text(numbered("a", 0, 40)));
  Tailer tailer({target(dir, "app.log*")}, no_timer(), nullptr, nullptr);
  EXPECT_EQ(drain(tailer), numbered("a", 0, 40));
  fs::copy_file(dir / "app.log", dir / "app.log.bak");
  dir.write("app.log", text(numbered("a", 40, 45)), true);
  EXPECT_EQ(drain(tailer), numbered("a", 40, 45));
}

TEST(Copytruncate, SameHeadButOtherContentIsAFileOfItsOwn) {
  TempDir dir;
  dir.write("one.log", text(numbered("h", 0, 30)) + text(numbered("one", 0, 10)));
  Tailer tailer({target(dir, "*.log")}, no_timer(), nullptr, nullptr);
  EXPECT_EQ(drain(tailer), both(numbered("h", 0, 30), numbered("one", 0, 10)));
  dir.write("two.log", text(numbered("h", 0, 30)) + text(numbered("two", 0, 12)));
  EXPECT_EQ(drain(tailer), both(numbered("h", 0, 30), numbered("two", 0, 12)));
}

TEST(Copytruncate, TruncatedAndRefilledPastTheOffsetBetweenReadsIsANewGeneration) {
  TempDir dir;
  dir.write("app.log", text(numbered("a", 0, 20)));
  Tailer tailer({target(dir, "app.log")}, no_timer(), nullptr, nullptr);
  EXPECT_EQ(drain(tailer), numbered("a", 0, 20));
  // Longer than what was read: the size alone says "appended".
  dir.write("app.log", text(numbered("b", 0, 30)));
  EXPECT_EQ(drain(tailer), numbered("b", 0, 30));
}

TEST(Copytruncate, UnfinishedLineOfATruncatedGenerationIsReadWholeFromTheCopy) {
  TempDir dir;
  dir.write("app.log", text(numbered("a", 0, 40)) + "a-partial");
  Tailer tailer({target(dir, "app.log*")}, no_timer(), nullptr, nullptr);
  EXPECT_EQ(drain(tailer), numbered("a", 0, 40));
  dir.write("app.log", " line\n", true);
  fs::copy_file(dir / "app.log", dir / "app.log.1");
  dir.write("app.log", text(numbered("b", 0, 2)));
  EXPECT_EQ(drain(tailer), both(Lines{"a-partial line"}, numbered("b", 0, 2)));
}

TEST(DirWatch, SessionLatestRepointedIsFollowedWithoutWaitingForTheTimer) {
  TempDir dir;
  dir.write("session_1/logs/a.log", "a\n");
  fs::create_directory_symlink(dir / "session_1", dir / "session_latest");
  Tailer tailer({target(dir, "session_latest/logs/*.log")}, no_timer(), nullptr, nullptr);
  EXPECT_EQ(drain(tailer), Lines{"a"});
  dir.write("session_2/logs/b.log", "b\n");
  fs::create_directory_symlink(dir / "session_2", dir / "link.new");
  fs::rename(dir / "link.new", dir / "session_latest");
  EXPECT_EQ(drain(tailer), Lines{"b"});
  EXPECT_EQ(tailer.active_files(), 1u) << "the old session's file is released";
  // The new session's directory is the one watched now.
  dir.write("session_2/logs/c.log", "c\n");
  EXPECT_EQ(drain(tailer), Lines{"c"});
}

}  // namespace
}  // namespace tailcast::tail
