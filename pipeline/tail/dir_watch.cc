// inotify bookkeeping for discovery: one watch per directory, events reduced to "rescan or not".
#include "pipeline/tail/dir_watch.h"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

namespace tailcast::tail {
namespace {

constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY |
                           IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
constexpr uint32_t kStructural = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                 IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_Q_OVERFLOW;

// Adds to `out` the directory holding each symlink on the way to each of `dirs`: re-pointing a
// link (Ray's session_latest) changes no watched directory, only the one that holds the link.
void add_link_parents(const std::vector<std::string>& dirs, std::vector<std::string>& out) {
  std::set<std::string, std::less<>> checked;
  for (const std::string& dir : dirs) {
    for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
      std::string prefix = dir.substr(0, slash);
      if (checked.insert(prefix).second) {
        struct stat st {};
        if (::lstat(prefix.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
          size_t cut = prefix.find_last_of('/');
          out.push_back(cut == std::string::npos ? "." : cut == 0 ? "/" : prefix.substr(0, cut));
        }
      }
      if (slash == std::string::npos) break;
    }
  }
}

}  // namespace

DirWatch::DirWatch() noexcept : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}

DirWatch::~DirWatch() {
  if (fd_ >= 0) ::close(fd_);
}

void DirWatch::unwatch(std::map<std::string, Watched>::iterator it) {
  ::inotify_rm_watch(fd_, it->second.wd);
  by_wd_.erase(it->second.wd);
  by_path_.erase(it);
}

bool DirWatch::set_dirs(const std::vector<std::string>& dirs) {
  if (fd_ < 0) return false;
  std::vector<std::string> wanted = dirs;
  add_link_parents(dirs, wanted);
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  for (auto it = by_path_.begin(); it != by_path_.end();) {
    auto next = std::next(it);
    if (!std::binary_search(wanted.begin(), wanted.end(), it->first)) unwatch(it);
    it = next;
  }
  bool all = true;
  for (const std::string& dir : wanted) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) continue;  // gone meanwhile; a rescan will tell
    const auto dev = static_cast<uint64_t>(st.st_dev);
    const auto ino = static_cast<uint64_t>(st.st_ino);
    if (auto it = by_path_.find(dir); it != by_path_.end()) {
      if (it->second.dev == dev && it->second.ino == ino) continue;
      unwatch(it);  // a link on the way now leads to another directory
    }
    // Follows symlinks, so a `session_latest` link is watched as the directory it points to.
    int wd = ::inotify_add_watch(fd_, dir.c_str(), kMask | IN_ONLYDIR);
    if (wd < 0) {
      all = all && errno == ENOENT;  // gone meanwhile is fine; out of watches is not
      continue;
    }
    // Two paths can name one directory (a link and its target); inotify gives them one watch.
    if (auto old = by_wd_.find(wd); old != by_wd_.end()) by_path_.erase(old->second);
    by_path_[dir] = Watched{wd, dev, ino};
    by_wd_[wd] = dir;
  }
  return all;
}

bool DirWatch::drain(std::vector<std::string>* written) {
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
      if (written != nullptr && (event->mask & IN_MODIFY) && event->len > 0) {
        if (auto dir = by_wd_.find(event->wd); dir != by_wd_.end()) {
          written->push_back(dir->second + "/" + event->name);
        }
      }
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
