// Truncation and copytruncate. A file's content replaced in place (truncated, or truncated and
// refilled between two reads) starts a new generation; the copy that logrotate's copytruncate made
// of the old one (x.log.1, often matched by the same glob) is read only from where reading of the
// original stopped, so its lines are not shipped twice. Members of Tailer; see tailer.h.
#include <algorithm>
#include <utility>

#include "pipeline/log.h"
#include "pipeline/tail/tailer.h"

namespace tailcast::tail {
namespace {

using InodePair = std::pair<uint64_t, uint64_t>;

bool listed(const std::vector<InodePair>& list, const FileIdentity& id) {
  return std::find(list.begin(), list.end(), InodePair{id.dev, id.inode}) != list.end();
}

}  // namespace

void Tailer::keep_last_read(TailedFile& file, std::string_view got) {
  std::string& kept = file.last_read_;
  if (got.size() >= kTailWindowBytes) {
    kept.assign(got.substr(got.size() - kTailWindowBytes));
    return;
  }
  size_t overflow = kept.size() + got.size();
  if (overflow > kTailWindowBytes) kept.erase(0, overflow - kTailWindowBytes);
  kept.append(got);
}

// Grown, but no longer starting with the bytes it was identified by: truncated and written again
// past the old offset between two reads, which the size alone cannot show.
bool Tailer::head_changed(const TailedFile& file) const noexcept {
  const FileIdentity& id = file.identity_;
  if (id.fingerprint_bytes == 0 || file.size_ <= file.read_offset_) return false;
  uint64_t hash = 0;
  return !hash_head(file.fd_, id.fingerprint_bytes, hash) || hash != id.fingerprint;
}

void Tailer::start_generation(TailedFile& file) {
  // What ends here is remembered for its copy, up to the last complete line: an unfinished line is
  // dropped, since the copy holds it whole (or whoever truncated meant to discard it).
  const size_t pending = file.splitter_.pending_bytes();
  TailedFile::EndedGeneration ended;
  ended.end = file.read_offset_ - pending;
  if (file.identity_.fingerprint_bytes == kFingerprintBytes && pending < file.last_read_.size()) {
    ended.fingerprint = file.identity_.fingerprint;
    ended.last_bytes = file.last_read_.substr(0, file.last_read_.size() - pending);
  }
  ended.copies = std::move(file.copies_);
  file.ended_ = std::move(ended);
  file.copies_.clear();
  file.last_read_.clear();
  file.splitter_.reset();
  file.read_offset_ = 0;
  // Offsets of the two generations cannot be ordered: the new one gets its own SourceAcks, while
  // batches holding the old one's acks keep it alive on their own.
  file.acks_ = std::make_shared<SourceAcks>(0);
  ++file.generation_;
  if (Result<FileIdentity> fresh = identify(file.fd_); fresh) file.identity_ = *fresh;
  // A copy held back until this truncation can now be placed.
  rescan_needed_ = true;
  log::info("File was truncated; reading it again from the start.", {{"path", file.path_}});
}

// Whether the new file `fd` is a copy of a tailed file's content: the same first KiB, and the same
// bytes just before the point where reading the original stopped. A copy of a generation that has
// ended is read from that point (kOf, `offset`); a copy of one still being read is held back
// (kHeldBack: not read) until the original's truncation, since the original still holds its
// lines. Files shorter than a KiB, or with another head, are files of their own (kNone).
Tailer::Copy Tailer::find_copy_source(int fd, const FileIdentity& id, uint64_t& offset) {
  if (id.fingerprint_bytes < kFingerprintBytes) return Copy::kNone;
  for (const auto& owned : files_) {
    TailedFile& file = *owned;
    if (file.identity_.same_inode(id)) continue;
    if (file.ended_ && file.ended_->fingerprint == id.fingerprint) {
      const TailedFile::EndedGeneration& ended = *file.ended_;
      if (listed(ended.copies, id)) {
        offset = std::min(ended.end, id.size);
        return Copy::kOf;
      }
      if (!ended.last_bytes.empty() && id.size >= ended.end &&
          bytes_before(fd, ended.end, ended.last_bytes)) {
        offset = ended.end;
        return Copy::kOf;
      }
    }
    const FileIdentity& live = file.identity_;
    if (live.fingerprint_bytes != kFingerprintBytes || live.fingerprint != id.fingerprint ||
        file.read_offset_ <= kFingerprintBytes || file.last_read_.empty()) {
      continue;
    }
    // A copy of everything read so far (its truncation may already have happened unseen), or of
    // an earlier part that the original still holds.
    bool copy = id.size >= file.read_offset_
                    ? bytes_before(fd, file.read_offset_, file.last_read_)
                    : !file.parked() && id.size > kFingerprintBytes + kTailWindowBytes &&
                          same_bytes_before(fd, file.fd_, id.size);
    if (copy) {
      if (!listed(file.copies_, id)) file.copies_.emplace_back(id.dev, id.inode);
      return Copy::kHeldBack;
    }
  }
  return Copy::kNone;
}

// A new file that no record knows is decided at its first read rather than at discovery: a copy
// is created empty and filled afterwards. False while it must not be read: still empty, or a copy
// held back until its original's truncation.
bool Tailer::settle_copy(TailedFile& file) {
  if (file.size_ == 0) {
    file.at_eof_ = true;
    return false;
  }
  file.copy_check_ = false;
  if (file.size_ < kFingerprintBytes) return true;
  Result<FileIdentity> id = identify(file.fd_);
  if (!id) return true;
  uint64_t offset = 0;
  switch (find_copy_source(file.fd_, *id, offset)) {
    case Copy::kNone:
      return true;
    case Copy::kHeldBack:
      file.copy_check_ = true;
      file.at_eof_ = true;  // nothing to read for now; retired like any file once its path is gone
      return false;
    case Copy::kOf:
      break;
  }
  file.identity_ = *id;
  file.read_offset_ = offset;
  file.acks_ = std::make_shared<SourceAcks>(offset);
  log::info("File is a copy of one already read; reading it from where that one stopped.",
            {{"path", file.path_}, {"offset", std::to_string(offset)}});
  return true;
}

}  // namespace tailcast::tail
