// The tailer's descriptors: the open-file bound (least recently active files are parked and opened
// again by identity), which files need a read after inotify events, and how long a deleted file
// that cannot be read to its end is held open. Members of Tailer; see tailer.h.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "pipeline/log.h"
#include "pipeline/tail/tailer.h"

namespace tailcast::tail {

void Tailer::park(TailedFile& file) {
  ::close(file.fd_);
  file.fd_ = -1;
  fd_cache_.forget(&file);
}

void Tailer::make_room() {
  while (fd_cache_.full()) {
    TailedFile* least_recent = fd_cache_.least_recent();
    if (least_recent == nullptr) return;
    park(*least_recent);
  }
}

// Opens a parked file again when it changed. False when there is nothing to read (it is as it was
// parked), when it cannot be opened now, or when it is gone: then it is marked vanished_ and the
// finished-file check retires it (after a rescan has had the chance to find it renamed).
bool Tailer::reopen(TailedFile& file) {
  const FileIdentity& id = file.identity_;
  struct stat st {};
  if (::stat(file.position_path_.c_str(), &st) != 0 ||
      static_cast<uint64_t>(st.st_dev) != id.dev || static_cast<uint64_t>(st.st_ino) != id.inode) {
    file.vanished_ = true;
    check_finished_ = true;
    return false;
  }
  if (static_cast<uint64_t>(st.st_size) == file.read_offset_) {
    file.size_ = file.read_offset_;
    file.needs_read_ = false;
    file.at_eof_ = true;
    return false;
  }
  make_room();
  int fd = ::open(file.position_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // tried again at the next poll
  struct stat opened {};
  uint64_t head = 0;
  bool same = ::fstat(fd, &opened) == 0 && static_cast<uint64_t>(opened.st_dev) == id.dev &&
              static_cast<uint64_t>(opened.st_ino) == id.inode &&
              (id.fingerprint_bytes == 0 ||
               (hash_head(fd, id.fingerprint_bytes, head) && head == id.fingerprint));
  if (!same) {
    // The inode was freed while the file was parked and now belongs to another file, which the
    // next scan finds as new once this one no longer claims the inode.
    ::close(fd);
    by_inode_.erase(InodeKey{id.dev, id.inode});
    file.vanished_ = true;
    check_finished_ = true;
    rescan_needed_ = true;
    return false;
  }
  file.fd_ = fd;
  fd_cache_.touch(&file);
  return true;
}

// inotify named the files written to; only those are read. More names than files: read them all.
void Tailer::mark_modified() {
  if (modified_.empty()) return;
  pending_reads_ = true;
  if (modified_.size() > files_.size()) {
    for (auto& file : files_) file->needs_read_ = true;
    modified_.clear();
    return;
  }
  std::sort(modified_.begin(), modified_.end());
  modified_.erase(std::unique(modified_.begin(), modified_.end()), modified_.end());
  for (const std::string& path : modified_) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;
    TailedFile* file = find_open(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
    if (file != nullptr) file->needs_read_ = true;
  }
  modified_.clear();
}

// A deleted file is read to its end and closed. One that cannot be (the sinks have no room) would
// otherwise pin its disk space for as long as they stay down: past the hold it is given up.
bool Tailer::hold_expired(TailedFile& file, std::chrono::steady_clock::time_point now) {
  if (file.parked() || file.at_eof_) return false;
  struct stat st {};
  if (!file.deleted_at_) {
    if (::fstat(file.fd_, &st) != 0 || st.st_nlink != 0) return false;
    file.deleted_at_ = now;
  }
  if (now - *file.deleted_at_ < options_.deleted_file_max_hold) return false;
  if (::fstat(file.fd_, &st) == 0) file.size_ = static_cast<uint64_t>(st.st_size);
  return true;
}

// Counts what a file that is being closed unread still had, and drops its held partial line: the
// rest of that line is among the unread bytes.
void Tailer::give_up(TailedFile& file) {
  if (file.size_ <= file.read_offset_) return;  // read to its end: nothing is lost
  uint64_t bytes = file.size_ - file.read_offset_ + file.splitter_.pending_bytes();
  file.splitter_.reset();
  if (given_up_deleted_ != nullptr) given_up_deleted_->Increment(static_cast<double>(bytes));
  log::warn("Closed a deleted file before reading it to its end; its unread bytes are lost.",
            {{"path", file.path_}, {"bytes", std::to_string(bytes)},
             {"why", file.vanished_ ? "gone while parked" : "deleted_file_max_hold"}});
}

void Tailer::fall_back_to_polling(const char* why) {
  if (polling_) return;
  polling_ = true;
  watch_.set_dirs({});
  log::warn("inotify is unavailable; watching files by polling.",
            {{"reason", why},
             {"poll_interval_ms", std::to_string(options_.poll_interval.count())}});
}

}  // namespace tailcast::tail
