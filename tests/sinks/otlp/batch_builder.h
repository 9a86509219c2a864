// Builds Batches for the OTLP sink tests: entries with labels, structured metadata and a kind.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "pipeline/batch.h"

namespace tailcast::sinks::otlp::testing {

using Pairs = std::initializer_list<std::pair<std::string_view, std::string_view>>;

inline void add_entry(Batch& batch, std::string_view line, int64_t timestamp_ns, Pairs labels,
                      Pairs metadata = {}, EntryKind kind = EntryKind::kLog) {
  Entry entry;
  entry.line = line;
  entry.kind = kind;
  entry.timestamp_ns = timestamp_ns;
  for (const auto& [name, value] : labels) entry.labels.set(name, value);
  for (const auto& [name, value] : metadata) entry.structured_metadata.set(name, value);
  std::string key;
  format_stream_key(entry.labels, key);
  batch.add(entry, key);
}

}  // namespace tailcast::sinks::otlp::testing
