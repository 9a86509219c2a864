// inotify bookkeeping for discovery: one watch per directory, events reduced to "rescan or not".
#include "pipeline/tail/dir_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace tailcast::tail {
namespace {

constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY |
                           IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
constexpr uint32_t kStructural = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                 IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_Q_OVERFLOW;

}  // namespace

DirWatch::DirWatch() noexcept : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}

DirWatch::~DirWatch() {
  if (fd_ >= 0) ::close(fd_);
}

void DirWatch::set_dirs(const std::vector<std::string>& dirs) {
  if (fd_ < 0) return;
  for (auto it = by_path_.begin(); it != by_path_.end();) {
    if (std::find(dirs.begin(), dirs.end(), it->first) == dirs.end()) {
      ::inotify_rm_watch(fd_, it->second);
      by_wd_.erase(it->second);
      it = by_path_.erase(it);
    } else {
      ++it;
    }
  }
  for (const std::string& dir : dirs) {
    if (by_path_.contains(dir)) continue;
    // Follows symlinks, so a `session_latest` link is watched as the directory it points to.
    int wd = ::inotify_add_watch(fd_, dir.c_str(), kMask | IN_ONLYDIR);
    if (wd < 0) continue;  // gone meanwhile, or out of watches: the periodic rescan covers it
    // Two paths can name one directory (a link and its target); inotify gives them one watch.
    if (auto old = by_wd_.find(wd); old != by_wd_.end()) by_path_.erase(old->second);
    by_path_[dir] = wd;
    by_wd_[wd] = dir;
  }
}

bool DirWatch::drain() noexcept {
  if (fd_ < 0) return false;
  bool structural = false;
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      if (event->mask & kStructural) structural = true;
      if (event->mask & IN_IGNORED) {
        // The kernel dropped the watch (directory deleted); forget it so it can be added again.
        if (auto it = by_wd_.find(event->wd); it != by_wd_.end()) {
          by_path_.erase(it->second);
          by_wd_.erase(it);
        }
      }
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  return structural;
}

}  // namespace tailcast::tail
