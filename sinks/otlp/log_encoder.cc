#include "sinks/otlp/log_encoder.h"

#include <algorithm>

#include "sinks/otlp/proto_emit.h"

namespace tailcast::sinks::otlp {
namespace {

constexpr std::string_view kTailcastScope = "tailcast";
constexpr std::string_view kLevel = "level";

bool same_resource(const std::vector<Attribute>& a, const std::vector<Attribute>& b) {
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(),
      [](const Attribute& x, const Attribute& y) { return x.key == y.key && x.value == y.value; });
}

template <class Out>
void write_scope(Out& out, uint32_t field) {
  out.message(field, [](auto& scope) {
    scope.string_field(kScopeName, kTailcastScope);
    scope.string_field(kScopeVersion, TC_VERSION);
  });
}

// One LogRecord. Called twice per record (measure, then write), so it only reads.
template <class Out>
void write_record(Out& out, const Batch& batch, const BatchStream& stream, const BatchEntry& entry,
                  const ResourceRule& resource, int64_t observed_ns) {
  std::string_view level;
  for (const Label& label : stream.labels)
    if (label.name == kLevel) level = label.value;
  char trace_id[kTraceIdBytes];
  char span_id[kSpanIdBytes];
  bool has_trace = false;
  bool has_span = false;
  for (const Label& pair : batch.metadata_of(entry)) {
    if (pair.name == kLevel && level.empty()) level = pair.value;
    if (pair.name == "trace_id") has_trace = decode_hex_id(pair.value, kTraceIdBytes, trace_id);
    if (pair.name == "span_id") has_span = decode_hex_id(pair.value, kSpanIdBytes, span_id);
  }

  out.fixed64_field(kLogTime, static_cast<uint64_t>(entry.timestamp_ns));
  out.varint_field(kLogSeverityNumber, severity_number(level));
  out.string_field(kLogSeverityText, level);
  out.message(kLogBody, [&](auto& body) { body.string_always(kAnyString, entry.line); });
  for (const Label& label : stream.labels) {
    if (label.name == kLevel || resource.is_resource_label(label.name)) continue;
    write_string_attribute(out, kLogAttributes, label.name, label.value);
  }
  for (const Label& pair : batch.metadata_of(entry)) {
    // Carried by the record's own fields instead.
    if ((pair.name == "trace_id" && has_trace) || (pair.name == "span_id" && has_span) ||
        pair.name == kLevel)
      continue;
    write_string_attribute(out, kLogAttributes, pair.name, pair.value);
  }
  if (has_trace) out.string_field(kLogTraceId, std::string_view(trace_id, kTraceIdBytes));
  if (has_span) out.string_field(kLogSpanId, std::string_view(span_id, kSpanIdBytes));
  out.fixed64_field(kLogObservedTime, static_cast<uint64_t>(observed_ns));
}

}  // namespace

size_t LogEncoder::encode(const Batch& batch, int64_t observed_ns, std::string& out) {
  out.clear();
  // Streams → Resources. Few streams per batch: a linear search beats hashing here.
  size_t used = 0;
  size_t records = 0;
  const auto& streams = batch.streams();
  for (uint32_t s = 0; s < streams.size(); ++s) {
    bool has_logs = false;
    for (uint32_t index : streams[s].entries)
      if (batch.entries()[index].kind == EntryKind::kLog) {
        has_logs = true;
        ++records;
      }
    if (!has_logs) continue;
    resource_.attributes_of(streams[s].labels, scratch_);
    auto group = std::find_if(groups_.begin(), groups_.begin() + static_cast<ptrdiff_t>(used),
                              [&](const Group& g) { return same_resource(g.resource, scratch_); });
    if (group == groups_.begin() + static_cast<ptrdiff_t>(used)) {
      if (used == groups_.size()) groups_.emplace_back();
      group = groups_.begin() + static_cast<ptrdiff_t>(used++);
      group->resource.swap(scratch_);
      group->streams.clear();
    }
    group->streams.push_back(s);
  }

  ProtoEmit emit(out);
  for (size_t g = 0; g < used; ++g) {
    const Group& group = groups_[g];
    emit.message(kLogsRequestResourceLogs, [&](auto& resource_logs) {
      resource_logs.message(kResourceLogsResource, [&](auto& resource) {
        for (const Attribute& attribute : group.resource)
          write_string_attribute(resource, kResourceAttributes, attribute.key, attribute.value);
      });
      resource_logs.message(kResourceLogsScopeLogs, [&](auto& scope_logs) {
        write_scope(scope_logs, kScopeLogsScope);
        for (uint32_t s : group.streams) {
          const BatchStream& stream = streams[s];
          for (uint32_t index : stream.entries) {
            const BatchEntry& entry = batch.entries()[index];
            if (entry.kind != EntryKind::kLog) continue;
            scope_logs.message(kScopeLogsRecords, [&](auto& record) {
              write_record(record, batch, stream, entry, resource_, observed_ns);
            });
          }
        }
      });
    });
  }
  return records;
}

}  // namespace tailcast::sinks::otlp
