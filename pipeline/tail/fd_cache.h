// FdCache: which tailed files hold a descriptor, in the order they were last active, so that the
// tailer keeps at most `max_open_files` open and parks the least recently active file first. A
// parked file keeps its identity and offset and is opened again when it may have changed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <unordered_map>

namespace tailcast::tail {

class TailedFile;

// (device, inode): the key under which discovery finds a tailed file, open or parked.
struct InodeKey {
  uint64_t dev = 0;
  uint64_t inode = 0;
  bool operator==(const InodeKey&) const = default;
};

struct InodeKeyHash {
  size_t operator()(const InodeKey& key) const noexcept {
    return std::hash<uint64_t>()(key.inode * 0x9E3779B97F4A7C15ULL ^ key.dev);
  }
};

// Used on the tailer's thread only. Holds pointers it does not own: the tailer forgets a file here
// before destroying it.
class FdCache {
 public:
  explicit FdCache(size_t max_open) noexcept : max_open_(max_open == 0 ? 1 : max_open) {}
  FdCache(const FdCache&) = delete;
  FdCache& operator=(const FdCache&) = delete;

  size_t max_open() const noexcept { return max_open_; }
  size_t open_count() const noexcept { return order_.size(); }
  // True when opening one more file would exceed the bound.
  bool full() const noexcept { return order_.size() >= max_open_; }
  // `file` holds a descriptor and was just opened or read: it becomes the most recent.
  void touch(TailedFile* file);
  // `file` no longer holds a descriptor (parked or finished).
  void forget(TailedFile* file) noexcept;
  // The open file that was active longest ago, or null when none is open.
  TailedFile* least_recent() const noexcept { return order_.empty() ? nullptr : order_.front(); }

 private:
  size_t max_open_;
  std::list<TailedFile*> order_;  // front: least recently active
  std::unordered_map<TailedFile*, std::list<TailedFile*>::iterator> where_;
};

// Descriptors kept free for everything else the process opens (sockets, positions, sinks).
inline constexpr size_t kReservedFds = 64;

// The bound that fits the process's RLIMIT_NOFILE: raises the soft limit towards the hard one when
// `requested` + kReservedFds needs it, and returns a smaller bound (with a warning) if that is not
// enough.
size_t fit_fd_bound(size_t requested);

}  // namespace tailcast::tail
