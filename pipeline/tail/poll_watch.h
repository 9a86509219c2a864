// PollWatch: discovery's change detection where inotify is unavailable (network and FUSE file
// systems, exhausted inotify limits): the directories the glob walk visited are stat'ed at the
// poll interval, and a changed modification time, inode or link count asks for a rescan.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tailcast::tail {

// How the tailer learns that files changed. kAuto uses inotify and falls back to polling when an
// inotify instance or watch cannot be had.
enum class WatchMode { kAuto, kInotify, kPoll };

// "auto", "inotify" or "poll"; false for anything else.
bool parse_watch_mode(std::string_view text, WatchMode& mode) noexcept;

// Used by the tailer's thread only.
class PollWatch {
 public:
  // Watches exactly `dirs` from now on; a directory not seen before counts as changed once.
  void set_dirs(const std::vector<std::string>& dirs);
  // Stats every watched directory. True when one changed since the last call, or changed so
  // recently that a second change within the file system's timestamp granularity could hide.
  bool changed();

 private:
  struct Seen {
    uint64_t dev = 0;
    uint64_t inode = 0;
    uint64_t nlink = 0;
    int64_t mtime_ns = -1;
  };
  std::unordered_map<std::string, Seen> dirs_;
  int64_t last_check_ns_ = 0;  // CLOCK_REALTIME, the clock file timestamps come from
};

}  // namespace tailcast::tail
