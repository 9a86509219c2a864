// The tailer over real files: appends, discovery, rename rotation, truncation, deletion, restarts
// with a positions file. poll() is driven directly, so nothing waits on time.
#include "pipeline/tail/tailer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/metrics.h"
#include "tests/support/temp_dir.h"

namespace tailcast::tail {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

// Plays the runtime: takes every chunk, and acknowledges it at once unless told to hold it.
class Reader {
 public:
  explicit Reader(Tailer& tailer) : tailer_(tailer) {
    tailer_.on_file_closed([this](TailedFile& file) { closed.push_back(file.path()); });
  }

  // Polls until a poll reads nothing and delivers nothing; returns the lines seen.
  Lines drain(size_t max_bytes = 1 << 20) {
    Lines seen;
    for (int round = 0; round < 1000; ++round) {
      size_t before = seen.size();
      size_t bytes = tailer_.poll([&](const LineChunk& chunk) { take(chunk, seen); }, max_bytes);
      if (bytes == 0 && seen.size() == before) break;
    }
    return seen;
  }

  bool hold = false;  // keep chunks unacknowledged, as batches in flight do
  Lines closed;
  std::map<std::string, Lines> by_file;
  std::vector<std::pair<std::shared_ptr<SourceAcks>, uint64_t>> held;

 private:
  void take(const LineChunk& chunk, Lines& seen) {
    for (std::string_view line : chunk.lines) {
      seen.emplace_back(line);
      by_file[chunk.file->path()].emplace_back(line);
    }
    uint64_t id = chunk.file->acks().open_chunk(chunk.end_offset);
    if (hold) {
      held.emplace_back(chunk.file->shared_acks(), id);
    } else {
      chunk.file->acks().release(id);
    }
  }

  Tailer& tailer_;
};

TargetSpec target(const testing::TempDir& dir, std::string pattern) {
  return TargetSpec{"job", {(dir / pattern).string()}, {}, 0};
}

Lines numbered(std::string_view prefix, int from, int to) {
  Lines out;
  for (int i = from; i < to; ++i) out.push_back(std::string(prefix) + std::to_string(i));
  return out;
}

void append(const testing::TempDir& dir, std::string_view name, const Lines& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  dir.write(name, text, true);
}

Lines sorted(Lines lines) {
  std::sort(lines.begin(), lines.end());
  return lines;
}

TEST(Tailer, FollowsAppendsAndHoldsAPartialLastLine) {
  testing::TempDir dir;
  dir.write("app.log", "one\ntwo\n");
  Tailer tailer({target(dir, "*.log")}, {}, nullptr, nullptr);
  Reader reader(tailer);
  EXPECT_EQ(reader.drain(), (Lines{"one", "two"}));
  EXPECT_EQ(tailer.active_files(), 1u);
  dir.write("app.log", "three\nfo", true);
  EXPECT_EQ(reader.drain(), (Lines{"three"}));
  dir.write("app.log", "ur\r\n", true);
  EXPECT_EQ(reader.drain(), (Lines{"four"}));
  EXPECT_EQ(reader.drain(), Lines{});
}

TEST(Tailer, AnIdlePartialLastLineIsEmittedAfterTheConfiguredIdleTime) {
  testing::TempDir dir;
  dir.write("app.log", "one\ntw");
  Tailer tailer({target(dir, "app.log")}, {.partial_line_idle = std::chrono::milliseconds(50)},
                nullptr, nullptr);
  Reader reader(tailer);
  std::vector<uint64_t> ends;
  EXPECT_EQ(reader.drain(), (Lines{"one"}));  // not idle long enough yet
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  tailer.poll([&](const LineChunk& chunk) {
    for (std::string_view line : chunk.lines) EXPECT_EQ(line, "tw");
    ends.push_back(chunk.end_offset);
  }, 1 << 20);
  EXPECT_EQ(ends, (std::vector<uint64_t>{6}));  // the position moves past the emitted part
  dir.write("app.log", "o\nthree\n", true);
  EXPECT_EQ(reader.drain(), (Lines{"o", "three"}));
}

TEST(Tailer, ChunkEndOffsetStopsBeforeAHeldPartialLine) {
  testing::TempDir dir;
  dir.write("app.log", "abc\nde");
  Tailer tailer({target(dir, "app.log")}, {}, nullptr, nullptr);
  std::vector<uint64_t> ends;
  tailer.poll([&](const LineChunk& chunk) { ends.push_back(chunk.end_offset); }, 1 << 20);
  EXPECT_EQ(ends, (std::vector<uint64_t>{4}));
}

TEST(Tailer, PicksUpNewFilesInNewDirectories) {
  testing::TempDir dir;
  fs::create_directory(dir / "logs");
  Tailer tailer({target(dir, "logs/**/*.log")}, {.rescan_interval = std::chrono::hours(1)}, nullptr,
                nullptr);
  Reader reader(tailer);
  EXPECT_EQ(reader.drain(), Lines{});
  EXPECT_GE(tailer.wait_fd(), 0);
  // Only inotify can tell: the periodic rescan is an hour away.
  dir.write("logs/session/serve/replica.log", "hello\n");
  dir.write("logs/top.log", "top\n");
  EXPECT_EQ(sorted(reader.drain()), (Lines{"hello", "top"}));
  EXPECT_EQ(tailer.active_files(), 2u);
}

TEST(Tailer, SeveralRenameRotationsBetweenPollsLoseNothingAndDuplicateNothing) {
  testing::TempDir dir;
  Tailer tailer({target(dir, "app.log*")}, {}, nullptr, nullptr);
  Reader reader(tailer);
  append(dir, "app.log", numbered("a", 0, 3));
  EXPECT_EQ(reader.drain(), numbered("a", 0, 3));
  // Python's RotatingFileHandler, three times over, with no poll in between.
  Lines expected = numbered("a", 3, 5);
  append(dir, "app.log", numbered("a", 3, 5));
  for (std::string gen : {"b", "c", "d"}) {
    if (fs::exists(dir / "app.log.2")) fs::rename(dir / "app.log.2", dir / "app.log.3");
    if (fs::exists(dir / "app.log.1")) fs::rename(dir / "app.log.1", dir / "app.log.2");
    fs::rename(dir / "app.log", dir / "app.log.1");
    append(dir, "app.log", numbered(gen, 0, 4));
    Lines more = numbered(gen, 0, 4);
    expected.insert(expected.end(), more.begin(), more.end());
  }
  EXPECT_EQ(sorted(reader.drain()), sorted(expected));
  // Every file is still tailed under its current name; the first keeps the path it was found at.
  EXPECT_EQ(reader.by_file[(dir / "app.log.1").string()], numbered("c", 0, 4));
  EXPECT_EQ(tailer.active_files(), 4u);
  append(dir, "app.log", {"last"});
  EXPECT_EQ(reader.drain(), Lines{"last"});
}

TEST(Tailer, RotatedAwayFileIsReadToItsEndThenClosed) {
  testing::TempDir dir;
  Tailer tailer({target(dir, "app.log")}, {}, nullptr, nullptr);
  Reader reader(tailer);
  append(dir, "app.log", {"old-1"});
  EXPECT_EQ(reader.drain(), Lines{"old-1"});
  dir.write("app.log", "old-2\nold-partial", true);
  fs::rename(dir / "app.log", dir / "app.log.1");
  append(dir, "app.log", {"new-1", "new-2"});
  // The old file's last line had no newline: it is emitted when the file is finished.
  EXPECT_EQ(sorted(reader.drain()), (Lines{"new-1", "new-2", "old-2", "old-partial"}));
  EXPECT_EQ(reader.closed, Lines{(dir / "app.log").string()});
  EXPECT_EQ(tailer.active_files(), 1u);
}

TEST(Tailer, FinishedFileFoundAgainResumesWhereItStopped) {
  testing::TempDir dir;
  fs::create_directory(dir / "old");
  Tailer tailer({target(dir, "app.log*")}, {}, nullptr, nullptr);
  Reader reader(tailer);
  append(dir, "app.log", {"a0", "a1"});
  EXPECT_EQ(reader.drain(), (Lines{"a0", "a1"}));
  fs::rename(dir / "app.log", dir / "old/app.log");  // out of the glob's reach: finished
  EXPECT_EQ(reader.drain(), Lines{});
  EXPECT_EQ(reader.closed.size(), 1u);
  append(dir, "old/app.log", {"a2"});
  fs::rename(dir / "old/app.log", dir / "app.log.1");  // back in reach: the same file
  EXPECT_EQ(reader.drain(), Lines{"a2"});
}

TEST(Tailer, DeletedFileIsReadToItsEndThenClosed) {
  testing::TempDir dir;
  Metrics metrics;
  Tailer tailer({target(dir, "*.log")}, {}, nullptr, &metrics);
  Reader reader(tailer);
  append(dir, "gone.log", {"x"});
  EXPECT_EQ(reader.drain(), Lines{"x"});
  append(dir, "gone.log", {"y"});
  fs::remove(dir / "gone.log");
  EXPECT_EQ(reader.drain(), Lines{"y"});
  EXPECT_EQ(reader.closed.size(), 1u);
  EXPECT_EQ(tailer.active_files(), 0u);
  EXPECT_NE(metrics.text().find("promtail_files_active_total 0"), std::string::npos);
}

TEST(Tailer, TruncationStartsANewGenerationFromZero) {
  testing::TempDir dir;
  Tailer tailer({target(dir, "app.log")}, {}, nullptr, nullptr);
  Reader reader(tailer);
  append(dir, "app.log", {"long line one", "long line two"});
  EXPECT_EQ(reader.drain().size(), 2u);
  TailedFile* file = nullptr;
  dir.write("app.log", "short\n");  // truncates
  Lines after;
  tailer.poll(
      [&](const LineChunk& chunk) {
        file = chunk.file;
        for (auto line : chunk.lines) after.emplace_back(line);
        EXPECT_EQ(chunk.file->acks().committed_offset(), 0u);
        chunk.file->acks().release(chunk.file->acks().open_chunk(chunk.end_offset));
      },
      1 << 20);
  EXPECT_EQ(after, Lines{"short"});
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->generation(), 1u);
  EXPECT_EQ(file->acks().committed_offset(), 6u);
}

TEST(Tailer, RestartResumesFromAcknowledgedPositionsOnly) {
  testing::TempDir dir;
  std::string positions_path = (dir / "positions.yaml").string();
  append(dir, "logs/app.log", numbered("l", 0, 3));
  {
    auto positions = PositionsFile::open({positions_path});
    ASSERT_TRUE(positions.has_value());
    Tailer tailer({target(dir, "logs/*.log")}, {}, positions->get(), nullptr);
    Reader reader(tailer);
    EXPECT_EQ(reader.drain(), numbered("l", 0, 3));
    append(dir, "logs/app.log", numbered("l", 3, 5));
    reader.hold = true;  // these two are read but never delivered
    EXPECT_EQ(reader.drain(), numbered("l", 3, 5));
    ASSERT_TRUE(tailer.sync_positions().has_value());
  }
  append(dir, "logs/app.log", numbered("l", 5, 6));
  auto positions = PositionsFile::open({positions_path});
  ASSERT_TRUE(positions.has_value());
  Tailer tailer({target(dir, "logs/*.log")}, {}, positions->get(), nullptr);
  Reader reader(tailer);
  EXPECT_EQ(reader.drain(), numbered("l", 3, 6));
}

TEST(Tailer, RestartAfterRotationDoesNotReadTheRenamedFileAgain) {
  testing::TempDir dir;
  std::string positions_path = (dir / "positions.yaml").string();
  {
    auto positions = PositionsFile::open({positions_path});
    Tailer tailer({target(dir, "app.log*")}, {}, positions->get(), nullptr);
    Reader reader(tailer);
    append(dir, "app.log", numbered("a", 0, 2));
    EXPECT_EQ(reader.drain().size(), 2u);
    fs::rename(dir / "app.log", dir / "app.log.1");
    append(dir, "app.log", numbered("b", 0, 2));
    EXPECT_EQ(reader.drain(), numbered("b", 0, 2));
    ASSERT_TRUE(tailer.sync_positions().has_value());
  }
  fs::rename(dir / "app.log.1", dir / "app.log.2");  // another rollover while stopped
  fs::rename(dir / "app.log", dir / "app.log.1");
  append(dir, "app.log", {"c0"});
  auto positions = PositionsFile::open({positions_path});
  Tailer tailer({target(dir, "app.log*")}, {}, positions->get(), nullptr);
  Reader reader(tailer);
  EXPECT_EQ(reader.drain(), Lines{"c0"});
}

TEST(Tailer, FilesWithTheSameFirstKibibyteAreBothReadFully) {
  testing::TempDir dir;
  std::string head(2048, 'h');
  dir.write("a.log", head + "\nonly in a\n");
  dir.write("b.log", head + "\nonly in b\n");
  Tailer tailer({target(dir, "*.log")}, {}, nullptr, nullptr);
  Reader reader(tailer);
  EXPECT_EQ(sorted(reader.drain()), (Lines{head, head, "only in a", "only in b"}));
  EXPECT_EQ(tailer.active_files(), 2u);
}

TEST(Tailer, OneFileFoundThroughTwoPathsIsReadOnce) {
  testing::TempDir dir;
  append(dir, "session_1/raylet.out", {"once"});
  fs::create_directory_symlink(dir / "session_1", dir / "session_latest");
  Tailer tailer({target(dir, "session_*/*.out")}, {}, nullptr, nullptr);
  Reader reader(tailer);
  EXPECT_EQ(reader.drain(), Lines{"once"});
  EXPECT_EQ(tailer.active_files(), 1u);
}

TEST(Tailer, ReadsNoMoreThanTheBudgetPerPoll) {
  testing::TempDir dir;
  append(dir, "a.log", numbered("line-", 0, 100));
  Tailer tailer({target(dir, "*.log")}, {.read_buffer_bytes = 4096}, nullptr, nullptr);
  size_t total = 0;
  size_t lines = 0;
  for (int i = 0; i < 100; ++i) {
    size_t bytes = tailer.poll([&](const LineChunk& chunk) { lines += chunk.lines.size(); }, 64);
    EXPECT_LE(bytes, 64u);
    total += bytes;
  }
  EXPECT_EQ(lines, 100u);
  EXPECT_EQ(total, fs::file_size(dir / "a.log"));
}

TEST(Tailer, RotatedFileTheBudgetDidNotReachIsStillReadToItsEnd) {
  testing::TempDir dir;
  Tailer tailer({target(dir, "*.log")}, {.read_buffer_bytes = 4096}, nullptr, nullptr);
  Reader reader(tailer);
  append(dir, "a.log", {"a"});
  append(dir, "b.log", {"b"});
  EXPECT_EQ(reader.drain().size(), 2u);
  for (int round = 0; round < 2; ++round) {
    // Whichever file a poll starts with, the other waits behind a full budget.
    append(dir, "a.log", numbered("a-more-", 0, 50));
    append(dir, "b.log", numbered("b-more-", 0, 50));
    fs::rename(dir / (round == 0 ? "b.log" : "a.log"), dir / "gone.old");
    Lines seen = reader.drain(64);
    EXPECT_EQ(seen.size(), 100u) << round;
    fs::remove(dir / "gone.old");
    append(dir, round == 0 ? "b.log" : "a.log", {"again"});
    EXPECT_EQ(reader.drain(), Lines{"again"});
  }
}

TEST(Tailer, CountsBytesLinesAndFixedLinesPerFile) {
  testing::TempDir dir;
  dir.write("m.log", "ok\ntoo long for the limit\nbad \xFF\n");
  Metrics metrics;
  Tailer tailer({target(dir, "*.log")}, {.max_line_size = 8}, nullptr, &metrics);
  Reader reader(tailer);
  EXPECT_EQ(reader.drain(), (Lines{"ok", "bad \xEF\xBF\xBD"}));
  std::string text = metrics.text();
  std::string path = (dir / "m.log").string();
  EXPECT_NE(text.find("promtail_read_lines_total{path=\"" + path + "\"} 2"), std::string::npos)
      << text;
  std::string size = std::to_string(fs::file_size(path));
  EXPECT_NE(text.find("promtail_read_bytes_total{path=\"" + path + "\"} " + size),
            std::string::npos);
  EXPECT_NE(text.find("promtail_file_bytes_total{path=\"" + path + "\"} " + size),
            std::string::npos);
  EXPECT_NE(text.find("tailcast_reader_lines_total{reason=\"too_long\"} 1"), std::string::npos);
  EXPECT_NE(text.find("tailcast_reader_lines_total{reason=\"invalid_utf8\"} 1"), std::string::npos);
}

TEST(Tailer, ExcludedFilesAreNotTailed) {
  testing::TempDir dir;
  append(dir, "keep.log", {"kept"});
  append(dir, "debug.log", {"excluded"});
  TargetSpec spec = target(dir, "*.log");
  spec.exclude = {(dir / "debug*").string()};
  Tailer tailer({spec}, {}, nullptr, nullptr);
  Reader reader(tailer);
  EXPECT_EQ(reader.drain(), Lines{"kept"});
}

}  // namespace
}  // namespace tailcast::tail
