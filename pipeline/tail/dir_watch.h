// DirWatch: inotify on the directories discovery walked, so that a created, renamed or deleted
// file triggers a rescan at once and a write wakes the reader, instead of waiting for the timer.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tailcast::tail {

// Used by the tailer's thread only. When inotify is unavailable (no instance or watch left) fd()
// is -1 and discovery falls back to the periodic rescan alone.
class DirWatch {
 public:
  DirWatch() noexcept;
  ~DirWatch();
  DirWatch(const DirWatch&) = delete;
  DirWatch& operator=(const DirWatch&) = delete;

  int fd() const noexcept { return fd_; }
  // Watches exactly `dirs` from now on: new ones are added, ones no longer listed removed.
  void set_dirs(const std::vector<std::string>& dirs);
  // Consumes the pending events. True when one may change which files exist: a create, rename or
  // delete in a watched directory, a watched directory going away, or a queue overflow.
  bool drain() noexcept;

 private:
  int fd_ = -1;
  std::map<std::string, int> by_path_;
  std::map<int, std::string> by_wd_;
};

}  // namespace tailcast::tail
