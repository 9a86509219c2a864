// SourceAcks: turns delivery reports into a file position that never passes an undelivered line.
// The reader opens one chunk per read it processes; every batch holding entries of the chunk
// retains it, and releases it when its sink reports. The committed offset is the end of the
// longest prefix of chunks nobody holds any more. Thread-safe: readers retain, sinks release.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

namespace tailcast {

class SourceAcks : public std::enable_shared_from_this<SourceAcks> {
 public:
  explicit SourceAcks(uint64_t committed_offset) noexcept : committed_(committed_offset) {}

  // Opens the chunk ending at `end_offset` with one reference held by the caller, who releases it
  // once every entry of the chunk has been handed on (or dropped).
  uint64_t open_chunk(uint64_t end_offset);
  void retain(uint64_t chunk);
  void release(uint64_t chunk);

  uint64_t committed_offset() const;
  // Chunks opened but not yet committed.
  size_t pending_chunks() const;

 private:
  struct Chunk {
    uint64_t end_offset;
    uint32_t refs;
  };

  mutable std::mutex mutex_;
  std::deque<Chunk> pending_;  // pending_[i] has id first_id_ + i
  uint64_t first_id_ = 0;
  uint64_t committed_;
};

// One reference on one chunk. Only release() gives it back: a hold destroyed unreleased (a batch
// abandoned at shutdown) pins its file's position for the rest of the run, so lines that were
// never delivered are read again after a restart instead of being skipped.
class AckHold {
 public:
  AckHold() = default;
  AckHold(std::shared_ptr<SourceAcks> acks, uint64_t chunk) : acks_(std::move(acks)), chunk_(chunk) {
    acks_->retain(chunk_);
  }
  AckHold(AckHold&& other) noexcept = default;
  AckHold& operator=(AckHold&& other) noexcept = default;
  AckHold(const AckHold&) = delete;
  AckHold& operator=(const AckHold&) = delete;
  ~AckHold() = default;

  void release() {
    if (acks_) acks_->release(chunk_);
    acks_.reset();
  }
  bool holds(const SourceAcks* acks, uint64_t chunk) const noexcept {
    return acks_.get() == acks && chunk_ == chunk;
  }

 private:
  std::shared_ptr<SourceAcks> acks_;
  uint64_t chunk_ = 0;
};

}  // namespace tailcast
