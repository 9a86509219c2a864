#include "pipeline/batch.h"

#include <algorithm>
#include <cstdio>

namespace tailcast {
namespace {

// Go's strconv.Quote for the characters label values carry: printable UTF-8 stays as it is.
void append_quoted(std::string_view value, std::string& out) {
  out.push_back('"');
  for (unsigned char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char hex[5];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace

void format_stream_key(const LabelSet& labels, std::string& out) {
  out.clear();
  // Sort a small array of pointers rather than the set itself: stages may still read it.
  const Label* sorted[64];
  size_t count = 0;
  for (const Label& label : labels) {
    if (count == 64) break;
    sorted[count++] = &label;
  }
  std::sort(sorted, sorted + count, [](const Label* a, const Label* b) { return a->name < b->name; });
  out.push_back('{');
  for (size_t i = 0; i < count; ++i) {
    if (i) out += ", ";
    out += sorted[i]->name;
    out.push_back('=');
    append_quoted(sorted[i]->value, out);
  }
  out.push_back('}');
}

void Batch::add(const Entry& entry, std::string_view stream_key) {
  uint32_t stream_id;
  auto found = stream_index_.find(stream_key);
  if (found != stream_index_.end()) {
    stream_id = found->second;
  } else {
    BatchStream stream;
    stream.key = arena_.copy(stream_key);
    for (const Label& label : entry.labels)
      stream.labels.push_back(Label{arena_.copy(label.name), arena_.copy(label.value)});
    std::sort(stream.labels.begin(), stream.labels.end(),
              [](const Label& a, const Label& b) { return a.name < b.name; });
    stream_id = static_cast<uint32_t>(streams_.size());
    stream_index_.emplace(stream.key, stream_id);
    streams_.push_back(std::move(stream));
  }

  BatchEntry out;
  out.timestamp_ns = entry.timestamp_ns;
  out.line = arena_.copy(entry.line);
  out.kind = entry.kind;
  out.stream = stream_id;
  out.metadata_begin = static_cast<uint32_t>(metadata_.size());
  size_t bytes = entry.line.size();
  for (const Label& pair : entry.structured_metadata) {
    metadata_.push_back(Label{arena_.copy(pair.name), arena_.copy(pair.value)});
    bytes += pair.name.size() + pair.value.size();
  }
  out.metadata_count = static_cast<uint32_t>(metadata_.size()) - out.metadata_begin;
  streams_[stream_id].entries.push_back(static_cast<uint32_t>(entries_.size()));
  entries_.push_back(out);
  bytes_ += bytes;

  // Entries of one chunk arrive together, so checking the last hold deduplicates.
  if (entry.source.acks) {
    for (uint64_t chunk = entry.source.first_chunk; chunk <= entry.source.last_chunk; ++chunk) {
      if (!holds_.empty() && holds_.back().holds(entry.source.acks, chunk)) continue;
      holds_.emplace_back(entry.source.acks->shared_from_this(), chunk);
    }
  }
}

}  // namespace tailcast
