// The open-file bound and the deleted-file hold: more files than descriptors, files parked and
// opened again by identity, deleted files closed with their unread bytes counted. poll() is driven
// directly and descriptors are counted in /proc/self/fd.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/tail/tailer.h"
#include "tests/support/temp_dir.h"

namespace tailcast::tail {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

size_t open_fds() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

// Polls until nothing more comes, acknowledging every chunk; tracks the most descriptors seen open
// while a chunk was being handed over.
struct Drainer {
  explicit Drainer(Tailer& tailer) : tailer(tailer) {
    tailer.on_file_closed([this](TailedFile&) { ++closed; });
  }
  Lines drain(size_t budget = 1 << 20) {
    Lines seen;
    for (int round = 0; round < 1000; ++round) {
      size_t before = seen.size();
      size_t bytes = tailer.poll(
          [&](const LineChunk& chunk) {
            peak_fds = std::max(peak_fds, open_fds());
            for (std::string_view line : chunk.lines) {
              seen.emplace_back(line);
              delivered[chunk.file->path()] += line.size() + 1;
            }
            chunk.file->acks().release(chunk.file->acks().open_chunk(chunk.end_offset));
          },
          budget);
      if (bytes == 0 && seen.size() == before) break;
    }
    return seen;
  }
  Tailer& tailer;
  size_t peak_fds = 0;
  int closed = 0;
  std::map<std::string, uint64_t> delivered;  // bytes of lines handed over, per path
};

TargetSpec target(const testing::TempDir& dir, std::string pattern) {
  return TargetSpec{"job", {(dir / pattern).string()}, {}, 0};
}

std::string name(int file) { return "f" + std::to_string(file) + ".log"; }

Lines sorted(Lines lines) {
  std::sort(lines.begin(), lines.end());
  return lines;
}

double given_up(Metrics& metrics) {
  return metrics.given_up_bytes.Add({{"reason", "deleted"}}).Value();
}

TEST(FdBound, FortyFilesAppendedUnderABoundOfFourLoseNoLineAndHoldAtMostFour) {
  testing::TempDir dir;
  Lines expected;
  for (int f = 0; f < 40; ++f) dir.write(name(f), "");
  const size_t before = open_fds();
  Tailer tailer({target(dir, "*.log")}, {.max_open_files = 4}, nullptr, nullptr);
  const size_t bound = before + 1 /* inotify */ + 4;
  Drainer drainer(tailer);
  Lines seen;
  for (int round = 0; round < 5; ++round) {
    for (int f = 0; f < 40; ++f) {
      std::string line = "f" + std::to_string(f) + "-" + std::to_string(round);
      dir.write(name(f), line + "\n", true);
      expected.push_back(line);
    }
    Lines more = drainer.drain();
    seen.insert(seen.end(), more.begin(), more.end());
    EXPECT_LE(open_fds(), bound) << round;
  }
  EXPECT_EQ(sorted(seen), sorted(expected));
  EXPECT_GT(drainer.peak_fds, before);
  EXPECT_LE(drainer.peak_fds, bound);
  EXPECT_EQ(tailer.active_files(), 40u);
}

TEST(FdBound, ParkedFilesRenamedWithinTheGlobAreFoundByIdentity) {
  testing::TempDir dir;
  for (int f = 0; f < 6; ++f) dir.write(name(f), "first-" + std::to_string(f) + "\n");
  const size_t before = open_fds();
  Tailer tailer({target(dir, "*.log*")}, {.max_open_files = 2}, nullptr, nullptr);
  Drainer drainer(tailer);
  EXPECT_EQ(drainer.drain().size(), 6u);
  EXPECT_LE(open_fds(), before + 1 + 2);  // so at least four of the six are parked
  Lines expected;
  for (int f = 0; f < 6; ++f) {
    std::string rotated = name(f) + ".1";
    fs::rename(dir / name(f), dir / rotated);
    dir.write(rotated, "tail-" + std::to_string(f) + "\n", true);
    dir.write(name(f), "new-" + std::to_string(f) + "\n");
    expected.push_back("tail-" + std::to_string(f));
    expected.push_back("new-" + std::to_string(f));
  }
  // Nothing is read again from the start: the renamed files keep their offsets.
  EXPECT_EQ(sorted(drainer.drain()), sorted(expected));
  EXPECT_EQ(tailer.active_files(), 12u);
  EXPECT_LE(drainer.peak_fds, before + 1 + 2);
}

TEST(FdBound, ParkedFileDeletedWithUnreadBytesIsCountedAsGivenUp) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 100; ++i) text += "line-" + std::to_string(i) + "\n";
  dir.write("a.log", text);
  dir.write("b.log", text);
  Metrics metrics;
  Tailer tailer({target(dir, "*.log")}, {.max_open_files = 1}, nullptr, &metrics);
  Drainer drainer(tailer);
  // One small read: a.log (found first) gets it and the descriptor; b.log stays parked, unread.
  tailer.poll([](const LineChunk& chunk) {
    chunk.file->acks().release(chunk.file->acks().open_chunk(chunk.end_offset));
  }, 64);
  fs::remove(dir / "b.log");
  drainer.drain();
  const std::string b = (dir / "b.log").string();
  EXPECT_EQ(drainer.delivered[b], 0u);
  EXPECT_EQ(given_up(metrics), static_cast<double>(text.size()));
  EXPECT_EQ(tailer.active_files(), 1u);
}

TEST(FdBound, ParkedFileDeletedAfterItWasReadIsNotCountedAsGivenUp) {
  testing::TempDir dir;
  dir.write("a.log", "a\n");
  dir.write("b.log", "b\n");
  dir.write("c.log", "c\n");
  Metrics metrics;
  Tailer tailer({target(dir, "*.log")}, {.max_open_files = 1}, nullptr, &metrics);
  Drainer drainer(tailer);
  EXPECT_EQ(sorted(drainer.drain()), (Lines{"a", "b", "c"}));
  for (const char* file : {"a.log", "b.log", "c.log"}) fs::remove(dir / file);
  EXPECT_EQ(drainer.drain(), Lines{});
  EXPECT_EQ(drainer.closed, 3);
  EXPECT_EQ(tailer.active_files(), 0u);
  EXPECT_EQ(given_up(metrics), 0.0);
}

TEST(DeletedFileHold, DeletedFileTheSinksCannotTakeIsClosedAfterTheHoldWithItsBytesCounted) {
  testing::TempDir dir;
  dir.write("a.log", "one\ntwo\nthree\n");
  const size_t before = open_fds();
  Metrics metrics;
  Tailer tailer({target(dir, "*.log")}, {.deleted_file_max_hold = std::chrono::milliseconds(0)},
                nullptr, &metrics);
  auto nothing = [](const LineChunk&) { FAIL() << "no room: nothing may be read"; };
  tailer.poll(nothing, 0);  // the sinks are full
  EXPECT_EQ(open_fds(), before + 2);
  fs::remove(dir / "a.log");
  tailer.poll(nothing, 0);
  EXPECT_EQ(tailer.active_files(), 0u);
  EXPECT_EQ(open_fds(), before + 1);  // only the inotify instance
  EXPECT_EQ(given_up(metrics), 14.0);
}

TEST(DeletedFileHold, DeletedFileIsHeldUntilTheHoldAndReadFullyWhenRoomComesBack) {
  testing::TempDir dir;
  dir.write("a.log", "one\ntwo\n");
  Metrics metrics;
  Tailer tailer({target(dir, "*.log")}, {.deleted_file_max_hold = std::chrono::hours(1)}, nullptr,
                &metrics);
  tailer.poll([](const LineChunk&) {}, 0);
  fs::remove(dir / "a.log");
  for (int i = 0; i < 3; ++i) tailer.poll([](const LineChunk&) {}, 0);
  EXPECT_EQ(tailer.active_files(), 1u);
  Drainer drainer(tailer);
  EXPECT_EQ(drainer.drain(), (Lines{"one", "two"}));
  EXPECT_EQ(tailer.active_files(), 0u);
  EXPECT_EQ(given_up(metrics), 0.0);
}

TEST(IdleFiles, PositionsFileIsRewrittenOnlyWhenSomethingMoved) {
  testing::TempDir dir;
  dir.write("logs/a.log", "one\n");
  const fs::path path = dir / "positions.yaml";
  auto positions = PositionsFile::open({path.string()});
  ASSERT_TRUE(positions.has_value());
  Tailer tailer({target(dir, "logs/*.log")}, {}, positions->get(), nullptr);
  Drainer drainer(tailer);
  EXPECT_EQ(drainer.drain(), Lines{"one"});
  ASSERT_TRUE(tailer.sync_positions().has_value());
  // Each write is a new file renamed into place: an unchanged inode means no write.
  const auto inode = [&] {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_ino;
  };
  const auto first = inode();
  ASSERT_TRUE(tailer.sync_positions().has_value());
  EXPECT_EQ(inode(), first);
  dir.write("logs/a.log", "two\n", true);
  EXPECT_EQ(drainer.drain(), Lines{"two"});
  ASSERT_TRUE(tailer.sync_positions().has_value());
  EXPECT_NE(inode(), first);
  EXPECT_NE(testing::read_file(path).find("\"8\""), std::string::npos);
}

}  // namespace
}  // namespace tailcast::tail
