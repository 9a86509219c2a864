// Batch: what a sink receives — entries of one tenant grouped by stream, owning their bytes in an
// arena, and holding the chunk references that its delivery report releases.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <span>
#include <vector>

#include "pipeline/acks.h"
#include "pipeline/arena.h"
#include "pipeline/entry.h"

namespace tailcast {

struct BatchStream {
  std::string_view key;       // canonical `{a="b", c="d"}`: names sorted, Go-quoted values
  std::vector<Label> labels;  // sorted by name; views into the batch arena
  std::vector<uint32_t> entries;  // indexes into Batch::entries, in arrival order
};

struct BatchEntry {
  int64_t timestamp_ns = 0;
  std::string_view line;
  EntryKind kind = EntryKind::kLog;
  uint32_t stream = 0;
  uint32_t metadata_begin = 0;  // range in Batch::metadata
  uint32_t metadata_count = 0;
};

class Batch {
 public:
  explicit Batch(std::string tenant) : tenant_(std::move(tenant)) {}

  // Copies the entry into the batch. `stream_key` must be the canonical key of entry.labels
  // (see format_stream_key); it selects or creates the stream.
  void add(const Entry& entry, std::string_view stream_key);

  const std::string& tenant() const noexcept { return tenant_; }
  const std::vector<BatchStream>& streams() const noexcept { return streams_; }
  const std::vector<BatchEntry>& entries() const noexcept { return entries_; }
  const std::vector<Label>& metadata() const noexcept { return metadata_; }
  std::span<const Label> metadata_of(const BatchEntry& entry) const noexcept {
    return {metadata_.data() + entry.metadata_begin, entry.metadata_count};
  }
  // Promtail's batchsize accounting: line bytes plus structured-metadata bytes.
  size_t bytes() const noexcept { return bytes_; }
  // Bytes of memory the batch holds, for the memory budget.
  size_t memory_bytes() const noexcept { return arena_.used_bytes(); }
  bool empty() const noexcept { return entries_.empty(); }
  size_t size() const noexcept { return entries_.size(); }
  std::chrono::steady_clock::time_point created() const noexcept { return created_; }

  // The chunk references of the batch's entries. The batcher takes them before the batch goes to
  // a sink and releases them when the sink reports, so a sink may free the batch early.
  std::vector<AckHold> take_holds() noexcept { return std::move(holds_); }

 private:
  std::string tenant_;
  Arena arena_{256 * 1024};
  std::vector<BatchStream> streams_;
  std::unordered_map<std::string_view, uint32_t> stream_index_;
  std::vector<BatchEntry> entries_;
  std::vector<Label> metadata_;
  std::vector<AckHold> holds_;
  size_t bytes_ = 0;
  std::chrono::steady_clock::time_point created_ = std::chrono::steady_clock::now();
};

// Appends the canonical stream key of `labels` to `out` (cleared first): `{a="b", c="d"}` with
// names sorted and values quoted as Go's strconv.Quote does, as Promtail sends it. Loki caches
// parsed label strings by their raw text, so one stream must always give the same string.
void format_stream_key(const LabelSet& labels, std::string& out);

}  // namespace tailcast
