// Discovery and reading. A file is known by its identity (device, inode, head hash), never by its
// path: a renamed file keeps its reader and offset, a new file at an old path is a new file.
#include "pipeline/tail/tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "pipeline/log.h"
#include "pipeline/metrics.h"

namespace tailcast::tail {
namespace {

// Finished files remembered for rediscovery; beyond this the oldest are forgotten (their place is
// still in the positions file).
constexpr size_t kMaxRetired = 4096;
constexpr size_t kMinReadBuffer = 4096;

}  // namespace

TailedFile::~TailedFile() {
  if (fd_ >= 0) ::close(fd_);
}

Tailer::Tailer(std::vector<TargetSpec> targets, TailerOptions options, PositionsFile* positions,
               Metrics* metrics)
    : targets_(std::move(targets)),
      options_(options),
      positions_(positions),
      metrics_(metrics),
      fd_cache_(fit_fd_bound(options.max_open_files)),
      buffer_(std::max(options.read_buffer_bytes, kMinReadBuffer)) {
  auto compile = [&](const std::vector<std::string>& patterns, const TargetSpec& target) {
    std::vector<Glob> globs;
    for (const std::string& pattern : patterns) {
      Result<Glob> glob = Glob::compile(pattern);
      if (glob) {
        globs.push_back(std::move(*glob));
      } else {
        log::warn("Glob is invalid; it matches nothing.",
                  {{"job", target.job_name}, {"error", glob.error().message}});
      }
    }
    return globs;
  };
  for (const TargetSpec& target : targets_) {
    includes_.push_back(compile(target.include, target));
    excludes_.push_back(compile(target.exclude, target));
  }
  if (metrics_ != nullptr) {
    truncated_ = &metrics_->lines_fixed.Add({{"reason", "truncated"}});
    too_long_ = &metrics_->lines_fixed.Add({{"reason", "too_long"}});
    invalid_utf8_ = &metrics_->lines_fixed.Add({{"reason", "invalid_utf8"}});
    given_up_deleted_ = &metrics_->given_up_bytes.Add({{"reason", "deleted"}});
  }
  if (options_.watch == WatchMode::kPoll) {
    polling_ = true;
  } else if (watch_.fd() < 0 && options_.watch == WatchMode::kAuto) {
    fall_back_to_polling("no inotify instance");
  }
}

Tailer::~Tailer() = default;

void Tailer::on_file_closed(std::function<void(TailedFile&)> callback) {
  on_closed_ = std::move(callback);
}

int Tailer::wait_fd() const { return polling_ ? -1 : watch_.fd(); }

size_t Tailer::active_files() const { return files_.size(); }

TailedFile* Tailer::find_open(uint64_t dev, uint64_t inode) noexcept {
  auto it = by_inode_.find(InodeKey{dev, inode});
  return it == by_inode_.end() ? nullptr : it->second;
}

void Tailer::rescan(std::chrono::steady_clock::time_point now) {
  last_scan_ = now;
  rescan_needed_ = false;
  pending_reads_ = true;
  ++scan_serial_;
  std::vector<std::string> dirs;
  for (size_t t = 0; t < targets_.size(); ++t) {
    GlobScan scan = scan_globs(includes_[t], excludes_[t]);
    dirs.insert(dirs.end(), scan.dirs.begin(), scan.dirs.end());
    for (const std::string& path : scan.files) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      TailedFile* open =
          find_open(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
      if (open == nullptr) {
        open_file(path, t);
        continue;
      }
      // Already tailed: note where it is now, unless it is still where it was.
      open->vanished_ = false;
      struct stat where {};
      if (open->position_path_ != path &&
          (::stat(open->position_path_.c_str(), &where) != 0 || where.st_dev != st.st_dev ||
           where.st_ino != st.st_ino)) {
        open->position_path_ = path;
      }
      open->seen_in_scan_ = scan_serial_;
      // The scan's stat tells whether there is anything to read: idle files are left alone.
      if (static_cast<uint64_t>(st.st_size) != open->read_offset_) open->needs_read_ = true;
    }
  }
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  if (!polling_ && !watch_.set_dirs(dirs) && options_.watch == WatchMode::kAuto) {
    fall_back_to_polling("a directory could not be watched");
  }
  if (polling_) poll_watch_.set_dirs(dirs);
  // A file not found where it was is read to its end, then checked as finished.
  for (auto& file : files_) {
    if (file->seen_in_scan_ != scan_serial_) file->needs_read_ = true;
  }
}

void Tailer::open_file(const std::string& path, size_t target) {
  make_room();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    log::debug("Cannot open file; will retry at the next scan.", {{"path", path}});
    return;
  }
  Result<FileIdentity> id = identify(fd);
  // The path may have been replaced between stat and open: what was opened is what counts.
  if (!id || find_open(id->dev, id->inode) != nullptr) {
    ::close(fd);
    return;
  }
  SplitterOptions split{options_.max_line_size, options_.max_line_size_truncate,
                        options_.hard_line_cap};
  std::unique_ptr<TailedFile> file(new TailedFile(path, &targets_[target], fd, split));
  file->identity_ = *id;
  file->size_ = id->size;
  auto retired = std::find_if(retired_.begin(), retired_.end(),
                              [&](const Retired& r) { return matches(fd, *id, r.identity); });
  const char* source = "start";
  if (retired != retired_.end() && retired->read_offset <= id->size) {
    file->read_offset_ = retired->read_offset;
    file->acks_ = retired->acks;
    retired_.erase(retired);
    source = "rediscovered";
  } else {
    if (retired != retired_.end()) retired_.erase(retired);
    std::optional<uint64_t> saved =
        positions_ != nullptr ? positions_->find(path, fd, *id) : std::nullopt;
    if (saved) source = "positions";
    // Unknown: it may be a copy of a tailed file, still being written; decided at its first read.
    file->copy_check_ = !saved.has_value();
    file->read_offset_ = saved.value_or(0);
    file->acks_ = std::make_shared<SourceAcks>(file->read_offset_);
  }
  if (metrics_ != nullptr) {
    file->read_bytes_ = &metrics_->read_bytes.Add({{"path", path}});
    file->read_lines_ = &metrics_->read_lines.Add({{"path", path}});
    file->file_bytes_ = &metrics_->file_bytes.Add({{"path", path}});
  }
  log::info("Tailing file.",
            {{"path", path}, {"offset", std::to_string(file->read_offset_)}, {"from", source}});
  by_inode_[InodeKey{id->dev, id->inode}] = file.get();
  fd_cache_.touch(file.get());
  files_.push_back(std::move(file));
}

void Tailer::deliver(TailedFile& file, uint64_t end_offset, const ChunkFn& on_chunk) {
  SplitStats stats = file.splitter_.take_stats();
  if (truncated_ != nullptr) {
    if (stats.truncated) truncated_->Increment(static_cast<double>(stats.truncated));
    if (stats.too_long) too_long_->Increment(static_cast<double>(stats.too_long));
    if (stats.invalid_utf8) invalid_utf8_->Increment(static_cast<double>(stats.invalid_utf8));
  }
  if (lines_.empty()) return;
  if (file.read_lines_ != nullptr) file.read_lines_->Increment(static_cast<double>(lines_.size()));
  on_chunk(LineChunk{&file, std::span<const std::string_view>(lines_), end_offset});
}

size_t Tailer::read_file(TailedFile& file, const ChunkFn& on_chunk, size_t budget) {
  struct stat st {};
  if (::fstat(file.fd_, &st) != 0) return 0;
  auto size = static_cast<uint64_t>(st.st_size);
  file.size_ = size;
  if (file.file_bytes_ != nullptr) file.file_bytes_->Set(static_cast<double>(size));
  // Truncated in place, or truncated and refilled since the last read: a new generation.
  if (size < file.read_offset_ || head_changed(file)) start_generation(file);
  if (file.copy_check_ && !settle_copy(file)) return 0;
  if (size == file.read_offset_) {  // nothing new: spares a read on every rescan of idle files
    file.at_eof_ = true;
    return 0;
  }
  size_t total = 0;
  while (total < budget) {
    size_t want = std::min(buffer_.size(), budget - total);
    ssize_t n = ::pread(file.fd_, buffer_.data(), want, static_cast<off_t>(file.read_offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      file.at_eof_ = n == 0;
      break;
    }
    auto got = static_cast<size_t>(n);
    if (total == 0) fd_cache_.touch(&file);
    file.read_offset_ += got;
    file.grew_at_ = std::chrono::steady_clock::now();
    total += got;
    if (file.read_bytes_ != nullptr) file.read_bytes_->Set(static_cast<double>(file.read_offset_));
    lines_.clear();
    file.splitter_.feed(std::string_view(buffer_.data(), got), lines_);
    keep_last_read(file, std::string_view(buffer_.data(), got));
    deliver(file, file.read_offset_ - file.splitter_.pending_bytes(), on_chunk);
  }
  return total;
}

// A file read to its end is finished when no path discovery knows names it any more.
bool Tailer::finished(const TailedFile& file) const noexcept {
  if (file.vanished_) return true;
  if (!file.at_eof_) return false;
  // The latest scan found it where it is thought to be; a rename since would have caused another.
  if (file.seen_in_scan_ == scan_serial_) return false;
  struct stat st {};
  if (::stat(file.position_path_.c_str(), &st) != 0) return true;
  return static_cast<uint64_t>(st.st_dev) != file.identity_.dev ||
         static_cast<uint64_t>(st.st_ino) != file.identity_.inode;
}

void Tailer::retire(size_t index, const ChunkFn& on_chunk) {
  TailedFile& file = *files_[index];
  if (file.vanished_ || file.deleted_at_) give_up(file);
  // Nothing more will follow the last line, newline or not.
  lines_.clear();
  file.splitter_.finish(lines_);
  deliver(file, file.read_offset_, on_chunk);
  if (on_closed_) on_closed_(file);
  struct stat st {};
  bool deleted = ::fstat(file.fd_, &st) == 0 && st.st_nlink == 0;
  retired_.push_back(
      Retired{file.identity_, file.position_path_, file.read_offset_, file.acks_, deleted});
  if (retired_.size() > kMaxRetired) retired_.pop_front();
  log::info("Finished file.", {{"path", file.path_}, {"deleted", deleted ? "true" : "false"}});
  fd_cache_.forget(&file);
  if (auto it = by_inode_.find(InodeKey{file.identity_.dev, file.identity_.inode});
      it != by_inode_.end() && it->second == &file) {
    by_inode_.erase(it);
  }
  files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(index));
  // Whatever replaced it at its path is likely there already.
  rescan_needed_ = true;
}

size_t Tailer::poll(const ChunkFn& on_chunk, size_t max_bytes) {
  auto now = std::chrono::steady_clock::now();
  bool polled = false;
  if (polling_ && now - last_poll_ >= options_.poll_interval) {
    // No events to say what changed: every file is looked at, and the directories are stat'ed.
    last_poll_ = now;
    polled = true;
    if (poll_watch_.changed()) rescan_needed_ = true;
    for (auto& file : files_) file->needs_read_ = true;
    pending_reads_ = true;
  } else if (!polling_) {
    modified_.clear();
    if (watch_.drain(&modified_)) rescan_needed_ = true;
  }
  bool scanned = false;
  if (rescan_needed_ || now - last_scan_ >= options_.rescan_interval) {
    rescan(now);
    scanned = true;
  }
  mark_modified();
  size_t total = 0;
  size_t count = files_.size();
  // Only files that may have changed are read: idle files cost nothing between scans.
  if (pending_reads_) {
    pending_reads_ = false;
    // A file the budget does not reach may have grown: only a read proves it is at its end.
    for (auto& file : files_) file->at_eof_ = file->at_eof_ && !file->needs_read_;
    for (size_t k = 0; k < count; ++k) {
      TailedFile& file = *files_[(next_file_ + k) % count];
      if (!file.needs_read_) continue;
      if (total >= max_bytes || (file.parked() && !reopen(file))) {
        pending_reads_ = pending_reads_ || file.needs_read_;
        continue;
      }
      total += read_file(file, on_chunk, max_bytes - total);
      if (file.at_eof_) file.needs_read_ = false;
      else pending_reads_ = true;
    }
  }
  next_file_ = count == 0 ? 0 : (next_file_ + 1) % count;

  // Renames and deletions show up as scans (inotify or timer); files are checked after one, once
  // each has been read to its end, rather than stat'ed on every poll.
  if (scanned || polled || (!polling_ && watch_.fd() < 0)) check_finished_ = true;
  if (check_finished_) {
    bool any_finished = false;
    bool all_at_eof = true;
    for (const auto& file : files_) {
      any_finished = any_finished || finished(*file);
      all_at_eof = all_at_eof && file->at_eof_;
    }
    // Before giving a file up, look for it under the names that match now: a rename is more
    // likely than a deletion, and a renamed file that still matches keeps being read.
    if (any_finished && !scanned) rescan(now);
    for (size_t i = files_.size(); i-- > 0;) {
      if (finished(*files_[i]) || hold_expired(*files_[i], now)) retire(i, on_chunk);
    }
    check_finished_ = !all_at_eof;
  }
  if (options_.partial_line_idle.count() > 0) emit_idle_partial_lines(now, on_chunk);
  if (metrics_ != nullptr) metrics_->files_active.Set(static_cast<double>(files_.size()));
  return total;
}

void Tailer::emit_idle_partial_lines(std::chrono::steady_clock::time_point now,
                                     const ChunkFn& on_chunk) {
  for (const auto& file : files_) {
    if (!file->at_eof_ || file->splitter_.pending_bytes() == 0 ||
        now - file->grew_at_ < options_.partial_line_idle)
      continue;
    // The writer stopped mid-line; what follows later becomes a line of its own.
    lines_.clear();
    file->splitter_.finish(lines_);
    deliver(*file, file->read_offset_, on_chunk);
  }
}

Result<void> Tailer::sync_positions() {
  if (positions_ == nullptr) return {};
  const bool retiring = !retired_.empty();
  for (auto it = retired_.begin(); it != retired_.end();) {
    bool drained = it->acks->pending_chunks() == 0;
    if (it->deleted && drained) {
      positions_->forget(it->identity);
    } else {
      positions_->update(it->path, it->identity, it->acks->committed_offset());
    }
    // Once everything is acknowledged the positions file knows all the retired entry did.
    it = drained ? retired_.erase(it) : std::next(it);
  }
  for (auto& file : files_) {
    if (file->copy_check_) continue;  // not known yet to be a file of its own
    FileIdentity& id = file->identity_;
    // Only while they are open and have grown past what was hashed.
    if (id.fingerprint_bytes < kFingerprintBytes && !file->parked() &&
        file->size_ > id.fingerprint_bytes) {
      // Young files are fingerprinted again as they grow, up to the full head.
      if (Result<FileIdentity> fresh = identify(file->fd_); fresh && fresh->same_inode(id)) {
        id = *fresh;
      }
    }
  }
  uint64_t signature = files_.size();
  auto mix = [&signature](uint64_t value) {
    signature = (signature ^ value) * 0x100000001b3ULL + 0x9E3779B97F4A7C15ULL;
  };
  for (const auto& file : files_) {
    mix(file->identity_.dev);
    mix(file->identity_.inode);
    mix(file->identity_.fingerprint);
    mix(file->acks_->committed_offset());
    mix(std::hash<std::string>()(file->position_path_));
  }
  // Nothing moved since the last write: the file on disk already says it all. An idle node with
  // thousands of files would otherwise rewrite (and fsync) megabytes every sync_period. Records
  // are refreshed before every write, so retention never prunes a file that is still tailed.
  if (!retiring && signature == saved_signature_) return {};
  for (auto& file : files_) {
    positions_->update(file->position_path_, file->identity_, file->acks_->committed_offset());
  }
  Result<void> saved = positions_->save();
  if (saved) saved_signature_ = signature;
  return saved;
}

}  // namespace tailcast::tail
