// Polling mode: the tailer without inotify sees appends, rotations, new files and deletions by
// stat'ing at the poll interval; PollWatch on its own; the target_config keys that choose it.
#include "pipeline/tail/poll_watch.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/tail/tailer.h"
#include "tests/support/temp_dir.h"

namespace tailcast::tail {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

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

TailerOptions polling(std::chrono::milliseconds interval) {
  // The periodic rescan is an hour away: only the poll can find anything.
  return {.rescan_interval = std::chrono::hours(1), .watch = WatchMode::kPoll,
          .poll_interval = interval};
}

// Sets a directory's modification time an hour back, so that only a new change is "recent".
void age(const fs::path& dir) {
  timespec times[2];
  ::clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= 3600;
  times[1] = times[0];
  ASSERT_EQ(::utimensat(AT_FDCWD, dir.c_str(), times, 0), 0);
}

TEST(PollingMode, AppendsRotationsNewFilesAndDeletionsAreSeenWithoutInotify) {
  testing::TempDir dir;
  Tailer tailer({TargetSpec{"job", {(dir / "logs/**/app.log*").string()}, {}, 0}},
                polling(std::chrono::milliseconds(0)), nullptr, nullptr);
  int closed = 0;
  tailer.on_file_closed([&](TailedFile&) { ++closed; });
  EXPECT_EQ(tailer.wait_fd(), -1);
  dir.write("logs/app.log", "a0\n");
  EXPECT_EQ(drain(tailer), Lines{"a0"});
  dir.write("logs/app.log", "a1\n", true);
  EXPECT_EQ(drain(tailer), Lines{"a1"});
  fs::rename(dir / "logs/app.log", dir / "logs/app.log.1");
  dir.write("logs/app.log.1", "a2\n", true);
  dir.write("logs/app.log", "b0\n");
  EXPECT_EQ(drain(tailer), (Lines{"a2", "b0"}));
  dir.write("logs/session/deep/app.log", "c0\n");  // a new directory
  EXPECT_EQ(drain(tailer), Lines{"c0"});
  EXPECT_EQ(tailer.active_files(), 3u);
  fs::remove(dir / "logs/app.log.1");
  EXPECT_EQ(drain(tailer), Lines{});
  EXPECT_EQ(closed, 1);
  EXPECT_EQ(tailer.active_files(), 2u);
}

TEST(PollingMode, FilesAreLookedAtOnlyAtThePollInterval) {
  testing::TempDir dir;
  dir.write("app.log", "first\n");
  Tailer tailer({TargetSpec{"job", {(dir / "*.log").string()}, {}, 0}},
                polling(std::chrono::hours(1)), nullptr, nullptr);
  EXPECT_EQ(drain(tailer), Lines{"first"});
  dir.write("app.log", "second\n", true);
  // inotify would have woken the reader; with polling nothing is seen until the next interval.
  EXPECT_EQ(drain(tailer), Lines{});
}

TEST(PollWatch, ReportsAChangedDirectoryOnceAndAQuietOneNever) {
  testing::TempDir dir;
  fs::create_directory(dir / "logs");
  age(dir / "logs");
  PollWatch watch;
  watch.set_dirs({(dir / "logs").string()});
  EXPECT_TRUE(watch.changed());  // first sight
  EXPECT_FALSE(watch.changed());
  dir.write("logs/new.log", "x");
  EXPECT_TRUE(watch.changed());
  age(dir / "logs");
  EXPECT_TRUE(watch.changed());  // a different mtime is a change, whichever way it moved
  EXPECT_FALSE(watch.changed());
  fs::remove_all(dir / "logs");
  EXPECT_TRUE(watch.changed());
  EXPECT_FALSE(watch.changed());
}

TEST(TargetConfig, ReadsTheWatchModeOpenFileBoundAndDeletedFileHold) {
  auto config = config::parse_config(R"(
clients: [{url: http://localhost:3100/loki/api/v1/push}]
target_config:
  sync_period: 5s
  max_open_files: 256
  watch: poll
  poll_interval: 2s
  deleted_file_max_hold: 1m
  partial_line_idle: 15s
)",
                                     "t.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->target.max_open_files, 256u);
  EXPECT_EQ(config->target.watch, "poll");
  EXPECT_EQ(config->target.poll_interval, std::chrono::seconds(2));
  EXPECT_EQ(config->target.deleted_file_max_hold, std::chrono::minutes(1));
  EXPECT_EQ(config->target.partial_line_idle, std::chrono::seconds(15));
  WatchMode mode = WatchMode::kAuto;
  EXPECT_TRUE(parse_watch_mode(config->target.watch, mode));
  EXPECT_EQ(mode, WatchMode::kPoll);

  auto defaults = config::parse_config("clients: [{url: http://l:3100/}]\n", "d.yaml");
  ASSERT_TRUE(defaults.has_value());
  EXPECT_EQ(defaults->target.max_open_files, 1024u);
  EXPECT_EQ(defaults->target.watch, "auto");

  auto bad = config::parse_config(
      "clients: [{url: http://l:3100/}]\ntarget_config: {watch: fanotify}\n", "b.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("b.yaml:2"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("auto, inotify or poll"), std::string::npos);
}

}  // namespace
}  // namespace tailcast::tail
