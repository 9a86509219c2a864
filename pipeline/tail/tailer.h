// Tailer: finds the files the scrape configs' globs name, follows them through appends, renames,
// truncation and deletion, and hands their complete lines to the runtime one read at a time. The
// first step of a line's life (pipeline/README.md); positions come back through SourceAcks.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pipeline/acks.h"
#include "pipeline/metrics.h"
#include "pipeline/result.h"
#include "pipeline/tail/dir_watch.h"
#include "pipeline/tail/fd_cache.h"
#include "pipeline/tail/file_identity.h"
#include "pipeline/tail/glob.h"
#include "pipeline/tail/line_splitter.h"
#include "pipeline/tail/poll_watch.h"
#include "pipeline/tail/positions.h"

namespace tailcast::tail {

struct TargetSpec {  // one static_configs entry of one scrape config
  std::string job_name;
  std::vector<std::string> include;  // __path__ globs
  std::vector<std::string> exclude;  // __path_exclude__ globs
  size_t pipeline = 0;               // index of the scrape config; opaque to the tailer
};

struct TailerOptions {
  std::chrono::milliseconds rescan_interval{1000};
  size_t read_buffer_bytes = 256 * 1024;
  uint64_t max_line_size = 0;  // 0: only the hard cap applies
  bool max_line_size_truncate = false;
  uint64_t hard_line_cap = 8 * 1024 * 1024;
  // Descriptors held for tailed files; beyond it the least recently active are parked (closed and
  // opened again by identity when they change). Fitted to RLIMIT_NOFILE (fit_fd_bound).
  size_t max_open_files = 1024;
  WatchMode watch = WatchMode::kAuto;
  std::chrono::milliseconds poll_interval{1000};  // polling mode: how often files are stat'ed
  // A deleted file that cannot be read to its end (the sinks are full) is closed after this long,
  // and its unread bytes counted as given up.
  std::chrono::milliseconds deleted_file_max_hold{std::chrono::minutes(5)};
  // An unfinished last line (no newline yet) of a file that has not grown for this long is
  // emitted as it is; 0 waits for its newline, the file's rotation or its deletion.
  std::chrono::milliseconds partial_line_idle{0};
};

// One open file, owned by the Tailer from discovery until it is finished. Its SourceAcks is shared
// with the batches holding its lines and outlives the file if they do.
class TailedFile {
 public:
  TailedFile(const TailedFile&) = delete;
  TailedFile& operator=(const TailedFile&) = delete;
  ~TailedFile();  // closes the file

  const std::string& path() const noexcept { return path_; }  // as the glob found it
  const TargetSpec& target() const noexcept { return *target_; }
  SourceAcks& acks() noexcept { return *acks_; }  // current generation's
  std::shared_ptr<SourceAcks> shared_acks() const noexcept { return acks_; }
  const FileIdentity& identity() const noexcept { return identity_; }
  uint64_t read_offset() const noexcept { return read_offset_; }
  uint32_t generation() const noexcept { return generation_; }  // +1 per truncation
  bool parked() const noexcept { return fd_ < 0; }  // closed for the open-file bound

 private:
  friend class Tailer;
  TailedFile(std::string path, const TargetSpec* target, int fd, const SplitterOptions& split)
      : path_(std::move(path)), position_path_(path_), target_(target), fd_(fd), splitter_(split) {}
  std::string path_;
  std::string position_path_;  // where the file is now, as far as discovery knows
  const TargetSpec* target_;
  int fd_;
  FileIdentity identity_;
  uint64_t read_offset_ = 0;
  uint32_t generation_ = 0;
  bool at_eof_ = false;  // the last read returned nothing
  std::chrono::steady_clock::time_point grew_at_{};  // the last read that returned bytes
  bool needs_read_ = true;  // may have changed since a read last reached its end
  bool vanished_ = false;   // parked, and no longer where discovery last saw it
  uint64_t seen_in_scan_ = 0;  // the last scan that found it under position_path_
  uint64_t size_ = 0;       // at the last fstat or stat
  std::optional<std::chrono::steady_clock::time_point> deleted_at_;  // first seen unlinked
  std::shared_ptr<SourceAcks> acks_;
  LineSplitter splitter_;
  // Copytruncate (copy_detection.cc): the last bytes read, and what a truncation ended, so that
  // the copy is read only from where this file's reading stopped.
  struct EndedGeneration {
    uint64_t fingerprint = 0;  // of the full first KiB; 0 with fewer bytes: no copy is recognised
    uint64_t end = 0;          // the line boundary reading reached
    std::string last_bytes;    // up to kTailWindowBytes just before `end`
    std::vector<std::pair<uint64_t, uint64_t>> copies;  // (dev, inode) seen copying it live
  };
  std::string last_read_;  // up to kTailWindowBytes, ending at read_offset_
  std::vector<std::pair<uint64_t, uint64_t>> copies_;  // of the current generation, held back
  std::optional<EndedGeneration> ended_;
  bool copy_check_ = false;  // new and unknown: see Tailer::settle_copy
  prometheus::Gauge* read_bytes_ = nullptr;  // Promtail's: the read offset
  prometheus::Counter* read_lines_ = nullptr;
  prometheus::Gauge* file_bytes_ = nullptr;
};

struct LineChunk {
  TailedFile* file;
  // Complete lines without "\n"/"\r\n"; valid during the callback.
  std::span<const std::string_view> lines;
  uint64_t end_offset;  // offset just after the last byte consumed
};

// Lives on the pipeline thread and is used only there. Sees every file through its identity.
class Tailer {
 public:
  Tailer(std::vector<TargetSpec> targets, TailerOptions options, PositionsFile* positions,
         Metrics* metrics /* may be null */);
  ~Tailer();
  Tailer(const Tailer&) = delete;
  Tailer& operator=(const Tailer&) = delete;
  // Discovers files (a rescan at most every rescan_interval, and when inotify says something
  // changed), reads appended bytes of open files and calls on_chunk once per read that produced
  // lines. Reads at most `max_bytes` in total per call (backpressure). Returns bytes read.
  size_t poll(const std::function<void(const LineChunk&)>& on_chunk, size_t max_bytes);
  // Called when a file is finished (deleted or rotated away and read to its end) before it is
  // closed, so held multiline state can be flushed. Set before the first poll.
  void on_file_closed(std::function<void(TailedFile&)> callback);
  int wait_fd() const;  // inotify fd to poll() on for "something changed", or -1
  // Writes every file's committed offset (acks().committed_offset()) to the positions file.
  Result<void> sync_positions();
  size_t active_files() const;

 private:
  // A finished file whose lines may be in flight, or which may turn up again under a matching
  // path: reading then resumes where it stopped, with the same SourceAcks.
  struct Retired {
    FileIdentity identity;
    std::string path;
    uint64_t read_offset;
    std::shared_ptr<SourceAcks> acks;
    bool deleted;
  };
  using ChunkFn = std::function<void(const LineChunk&)>;

  void rescan(std::chrono::steady_clock::time_point now);
  void open_file(const std::string& path, size_t target);
  TailedFile* find_open(uint64_t dev, uint64_t inode) noexcept;
  size_t read_file(TailedFile& file, const ChunkFn& on_chunk, size_t budget);
  void deliver(TailedFile& file, uint64_t end_offset, const ChunkFn& on_chunk);
  bool finished(const TailedFile& file) const noexcept;
  void retire(size_t index, const ChunkFn& on_chunk);
  // Copytruncate (copy_detection.cc).
  enum class Copy { kNone, kOf, kHeldBack };
  Copy find_copy_source(int fd, const FileIdentity& id, uint64_t& offset);
  bool head_changed(const TailedFile& file) const noexcept;
  bool settle_copy(TailedFile& file);
  void start_generation(TailedFile& file);
  static void keep_last_read(TailedFile& file, std::string_view got);
  void emit_idle_partial_lines(std::chrono::steady_clock::time_point now, const ChunkFn& on_chunk);
  // Open-file bound and change tracking (fd_parking.cc).
  void make_room();
  void park(TailedFile& file);
  bool reopen(TailedFile& file);
  void mark_modified();
  bool hold_expired(TailedFile& file, std::chrono::steady_clock::time_point now);
  void give_up(TailedFile& file);
  void fall_back_to_polling(const char* why);

  std::vector<TargetSpec> targets_;
  std::vector<std::vector<Glob>> includes_;
  std::vector<std::vector<Glob>> excludes_;
  TailerOptions options_;
  PositionsFile* positions_;
  Metrics* metrics_;
  std::vector<std::unique_ptr<TailedFile>> files_;
  std::deque<Retired> retired_;
  std::function<void(TailedFile&)> on_closed_;
  DirWatch watch_;
  PollWatch poll_watch_;
  bool polling_ = false;  // stat-based change detection instead of inotify
  std::chrono::steady_clock::time_point last_poll_{};
  std::vector<std::string> modified_;  // paths inotify reported written since the last poll
  FdCache fd_cache_;
  std::unordered_map<InodeKey, TailedFile*, InodeKeyHash> by_inode_;  // every file in files_
  bool rescan_needed_ = true;
  bool pending_reads_ = true;  // some file has needs_read_ set
  uint64_t saved_signature_ = 0;  // of the offsets, identities and paths last written
  uint64_t scan_serial_ = 0;
  bool check_finished_ = false;  // look for finished files once all are read to their end
  std::chrono::steady_clock::time_point last_scan_{};
  size_t next_file_ = 0;
  std::vector<char> buffer_;             // one read, shared by all files
  std::vector<std::string_view> lines_;  // one read's lines
  prometheus::Counter* truncated_ = nullptr;
  prometheus::Counter* too_long_ = nullptr;
  prometheus::Counter* invalid_utf8_ = nullptr;
  prometheus::Counter* given_up_deleted_ = nullptr;
};

}  // namespace tailcast::tail
