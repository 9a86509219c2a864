#include "pipeline/acks.h"

#include <cassert>

namespace tailcast {

uint64_t SourceAcks::open_chunk(uint64_t end_offset) {
  std::lock_guard lock(mutex_);
  pending_.push_back(Chunk{end_offset, 1});
  return first_id_ + pending_.size() - 1;
}

void SourceAcks::retain(uint64_t chunk) {
  std::lock_guard lock(mutex_);
  assert(chunk >= first_id_ && chunk - first_id_ < pending_.size());
  ++pending_[chunk - first_id_].refs;
}

void SourceAcks::release(uint64_t chunk) {
  std::lock_guard lock(mutex_);
  assert(chunk >= first_id_ && chunk - first_id_ < pending_.size());
  Chunk& entry = pending_[chunk - first_id_];
  assert(entry.refs > 0);
  --entry.refs;
  while (!pending_.empty() && pending_.front().refs == 0) {
    // Offsets only grow within one file generation; a truncation opens a new SourceAcks.
    if (pending_.front().end_offset > committed_) committed_ = pending_.front().end_offset;
    pending_.pop_front();
    ++first_id_;
  }
}

uint64_t SourceAcks::committed_offset() const {
  std::lock_guard lock(mutex_);
  return committed_;
}

size_t SourceAcks::pending_chunks() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

}  // namespace tailcast
