// Reading one span for the `spans` stage: a JSON object as OpenTelemetry Python's
// ReadableSpan.to_json() writes it (any SDK version), validated with simdjson, reduced to the
// values that become the entry's timestamp, labels and structured metadata.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tailcast::stages::spans {

enum class SpanError : unsigned char {
  kNone,
  kInvalidJson,  // simdjson rejected the text
  kNotASpan,     // valid JSON, but no context with a trace id and span id in hex
};

// Hex ids normalised to lowercase without `0x`; `parent_span_id` is empty for a root span.
struct SpanIds {
  std::array<char, 32> trace{};
  std::array<char, 16> span{};
  std::array<char, 16> parent{};
  bool has_parent = false;

  std::string_view trace_id() const noexcept { return {trace.data(), trace.size()}; }
  std::string_view span_id() const noexcept { return {span.data(), span.size()}; }
  std::string_view parent_span_id() const noexcept {
    return has_parent ? std::string_view(parent.data(), parent.size()) : std::string_view();
  }
};

// Views into the parser's storage: valid until the next parse().
struct SpanFields {
  SpanIds ids;
  std::string_view name;
  std::string_view kind;    // OTLP's name: SERVER, CLIENT, INTERNAL… (SpanKind. prefix removed)
  std::string_view status;  // UNSET, OK or ERROR
  std::string_view service_name;
  std::string_view application;  // Serve's `app` attribute
  std::string_view deployment;
  std::string_view replica;  // `replica_id`
  std::string_view request_id;
  int64_t start_ns = 0;  // 0: absent or not an ISO 8601 UTC time
};

// `0x`-prefixed or bare hex of exactly out.size() digits, any case, into lowercase `out`.
bool normalize_hex_id(std::string_view text, char* out, size_t size) noexcept;
// `2025-11-24T16:00:00.217592Z` (fraction optional, up to 9 digits; `Z` or `+00:00`) → Unix ns.
bool parse_utc_time(std::string_view text, int64_t& ns) noexcept;

// One per stage; reuses simdjson's buffers from span to span. Pipeline thread only.
class SpanParser {
 public:
  // `text` must have simdjson::SIMDJSON_PADDING bytes of capacity after its size.
  SpanError parse(const std::string& text, SpanFields& out) noexcept;

 private:
  simdjson::dom::parser parser_;
};

}  // namespace tailcast::stages::spans
