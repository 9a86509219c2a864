// DirWatch: inotify on the directories discovery walked, so that a created, renamed or deleted
// file triggers a rescan at once and a write wakes the reader, instead of waiting for the timer.
#pragma once

#include <cstdint>
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
  // Watches exactly `dirs` from now on: new ones are added, ones no longer listed removed, ones a
  // re-pointed symlink now leads elsewhere watched again. Directories holding a symlink on the way
  // are watched too, so that re-pointing it is an event. False when a directory that exists could
  // not be watched (out of inotify watches).
  bool set_dirs(const std::vector<std::string>& dirs);
  // Consumes the pending events. True when one may change which files exist: a create, rename or
  // delete in a watched directory, a watched directory going away, or a queue overflow. When
  // `written` is given, the paths of files written to are appended to it.
  bool drain(std::vector<std::string>* written = nullptr);

 private:
  struct Watched {
    int wd;
    uint64_t dev;  // the directory the path led to when the watch was added
    uint64_t ino;
  };
  void unwatch(std::map<std::string, Watched>::iterator it);

  int fd_ = -1;
  std::map<std::string, Watched> by_path_;
  std::map<int, std::string> by_wd_;
};

}  // namespace tailcast::tail
