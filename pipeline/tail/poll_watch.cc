// Stat-based directory change detection for the tailer's polling mode.
#include "pipeline/tail/poll_watch.h"

#include <sys/stat.h>
#include <time.h>

namespace tailcast::tail {
namespace {

// Coarse file timestamps advance once per kernel tick (up to 10 ms) on some file systems: a change
// made in the same tick as the last check leaves the mtime as it was.
constexpr int64_t kTimestampSlackNs = 20'000'000;

int64_t realtime_ns() noexcept {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace

bool parse_watch_mode(std::string_view text, WatchMode& mode) noexcept {
  if (text == "auto") mode = WatchMode::kAuto;
  else if (text == "inotify") mode = WatchMode::kInotify;
  else if (text == "poll") mode = WatchMode::kPoll;
  else return false;
  return true;
}

void PollWatch::set_dirs(const std::vector<std::string>& dirs) {
  std::unordered_map<std::string, Seen> next;
  next.reserve(dirs.size());
  for (const std::string& dir : dirs) {
    auto old = dirs_.find(dir);
    next.emplace(dir, old != dirs_.end() ? old->second : Seen{});
  }
  dirs_ = std::move(next);
}

bool PollWatch::changed() {
  const int64_t now = realtime_ns();
  bool any = false;
  for (auto& [dir, seen] : dirs_) {
    struct stat st {};
    Seen current;  // a directory that cannot be stat'ed is "gone": a change once, then steady
    if (::stat(dir.c_str(), &st) == 0) {
      current.dev = static_cast<uint64_t>(st.st_dev);
      current.inode = static_cast<uint64_t>(st.st_ino);
      current.nlink = static_cast<uint64_t>(st.st_nlink);
      current.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    }
    bool recent = current.mtime_ns >= 0 && current.mtime_ns >= last_check_ns_ - kTimestampSlackNs;
    if (current.dev != seen.dev || current.inode != seen.inode || current.nlink != seen.nlink ||
        current.mtime_ns != seen.mtime_ns || recent) {
      any = true;
    }
    seen = current;
  }
  last_check_ns_ = now;
  return any;
}

}  // namespace tailcast::tail
