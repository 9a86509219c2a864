// SpanEncoder: the kSpan entries of a Batch — each line one OpenTelemetry JSON span as the Python
// SDK's ConsoleSpanExporter writes it (old and new SDK shapes, see the shared span fixtures) — as
// an OTLP ExportTraceServiceRequest (protobuf). Ids become bytes, SpanKind and status are mapped
// by name, ISO-8601 times become unix nanoseconds, attributes keep their JSON types. Spans are
// grouped by Resource: the span's own resource merged with the sink's (resource.h). One owner
// thread; the simdjson parser is reused across batches.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/batch.h"
#include "sinks/otlp/config.h"
#include "sinks/otlp/resource.h"

namespace tailcast::sinks::otlp {

struct SpanCounts {
  size_t spans = 0;    // encoded
  size_t invalid = 0;  // not a JSON object, or without a valid trace and span id: left out
};

class SpanEncoder {
 public:
  explicit SpanEncoder(const OtlpSinkConfig& config) : resource_(config) {}

  // Serializes the batch's span entries into `out` (cleared first; its capacity is reused).
  SpanCounts encode(const Batch& batch, std::string& out);

 private:
  struct Encoded {
    size_t offset = 0;  // in spans_
    size_t size = 0;
    size_t group = 0;
  };

  // Encodes the Span and its Resource; false when the span is invalid.
  bool add_span(const BatchStream& stream, std::string_view line);

  ResourceRule resource_;
  simdjson::dom::parser parser_;
  std::string spans_;  // encoded Span messages, back to back
  std::vector<Encoded> encoded_;
  std::vector<std::string> resources_;  // encoded Resource messages, one per group
  size_t groups_ = 0;
  std::string resource_scratch_;
  std::vector<Attribute> attributes_;
};

// Unix nanoseconds of "2025-11-24T16:00:00.217592Z" (fraction optional, up to 9 digits; Z or a
// ±HH:MM offset); nullopt when the text is not such a time.
std::optional<int64_t> parse_iso8601_ns(std::string_view text) noexcept;

// The W3C tracestate of the Python SDK's repr ("[]", "[{key=k, value=v}, …]"); other text as is.
std::string trace_state_of(std::string_view text);

}  // namespace tailcast::sinks::otlp
