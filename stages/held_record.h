// HeldRecord and RecordQueue: what stages that fold lines (`multiline`, `cri`) keep between
// calls. A record owns copies of everything its entry shows and retains the chunks its lines came
// from; the queue hands finished records to the chain through Stage::release() and gives their
// chunks back only once the chain has run them through the later stages.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/acks.h"
#include "pipeline/arena.h"
#include "pipeline/entry.h"

namespace tailcast::stages {

struct HeldRecord {
  Entry entry;  // labels, metadata, extracted and tenant point into `arena`; line into `line`
  Arena arena{4096};
  std::string line;
  std::vector<AckHold> holds;
  size_t lines = 0;
  std::chrono::steady_clock::time_point last_line_at;

  // Copies everything but the line and the source from `from` (replacing what was there).
  void copy_fields(const Entry& from) {
    const SourceRef source = entry.source;
    entry.clear();
    arena.reset();
    entry.source = source;
    entry.timestamp_ns = from.timestamp_ns;
    entry.kind = from.kind;
    entry.tenant = arena.copy(from.tenant);
    for (const Label& label : from.labels)
      entry.labels.set(arena.copy(label.name), arena.copy(label.value));
    for (const Label& pair : from.structured_metadata)
      entry.structured_metadata.set(arena.copy(pair.name), arena.copy(pair.value));
    for (const Field& field : from.extracted)
      entry.extracted.set(arena.copy(field.name), arena.copy(field.text), field.type);
  }

  // Retains the chunks of `from`. A record spans one read generation (one SourceAcks): callers
  // close a record before a line of another generation joins it.
  void retain(const Entry& from) {
    const SourceRef& source = from.source;
    if (!source.acks) return;
    if (holds.empty()) {
      entry.source = SourceRef{source.acks, source.first_chunk, source.first_chunk};
      holds.emplace_back(source.acks->shared_from_this(), source.first_chunk);
    }
    for (uint64_t chunk = entry.source.last_chunk + 1; chunk <= source.last_chunk; ++chunk)
      holds.emplace_back(source.acks->shared_from_this(), chunk);
    if (source.last_chunk > entry.source.last_chunk) entry.source.last_chunk = source.last_chunk;
  }

  bool same_generation(const Entry& from) const noexcept {
    return holds.empty() || entry.source.acks == from.source.acks;
  }

  // With `newline`, lines are joined by '\n' as Promtail's multiline buffer joins them (not after
  // an empty start).
  void append_line(std::string_view text, bool newline) {
    if (newline && !line.empty()) line.push_back('\n');
    line.append(text);
    ++lines;
  }

  void reset() noexcept {
    for (AckHold& hold : holds) hold.release();
    holds.clear();
    entry.clear();
    arena.reset();
    line.clear();
    lines = 0;
  }
};

// Records are recycled; a record is due once its stage closed it, and comes back to the pool one
// release() call after it was returned, when the chain is done with it.
class RecordQueue {
 public:
  HeldRecord* acquire() {
    if (free_.empty()) {
      records_.push_back(std::make_unique<HeldRecord>());
      return records_.back().get();
    }
    HeldRecord* record = free_.back();
    free_.pop_back();
    return record;
  }
  void give_back(HeldRecord* record) noexcept {
    record->reset();
    free_.push_back(record);
  }
  void make_due(HeldRecord* record) { due_.push_back(record); }
  bool has_due() const noexcept { return due_head_ < due_.size(); }

  // Stage::release(): the next due record's entry, or null when none is left.
  Entry* release() noexcept {
    finish_returned();
    if (due_head_ == due_.size()) {
      due_.clear();
      due_head_ = 0;
      return nullptr;
    }
    HeldRecord* record = due_[due_head_++];
    record->entry.line = record->line;
    returned_ = record;
    return &record->entry;
  }
  // The chain has handed the record returned last on: its chunks can go.
  void finish_returned() noexcept {
    if (!returned_) return;
    give_back(returned_);
    returned_ = nullptr;
  }

 private:
  std::vector<std::unique_ptr<HeldRecord>> records_;
  std::vector<HeldRecord*> free_;
  std::vector<HeldRecord*> due_;
  size_t due_head_ = 0;
  HeldRecord* returned_ = nullptr;
};

// A label set as one string key (names and values, sorted by name), for per-stream state.
inline void label_key(const LabelSet& labels, std::vector<const Label*>& sorted, std::string& out) {
  sorted.clear();
  for (const Label& label : labels) sorted.push_back(&label);
  std::sort(sorted.begin(), sorted.end(),
            [](const Label* a, const Label* b) { return a->name < b->name; });
  out.clear();
  for (const Label* label : sorted) {
    out.append(label->name);
    out.push_back('\0');
    out.append(label->value);
    out.push_back('\0');
  }
}

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace tailcast::stages
