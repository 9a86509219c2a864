// Reading one span's values for the `spans` stage; see span_fields.h.
#include "stages/span_fields.h"

#include <cstdint>

#include "stages/ray_serve_scan.h"

namespace tailcast::stages::spans {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// The string at `key` of `from`, or empty when absent or not a string.
std::string_view string_at(const object& from, std::string_view key) noexcept {
  std::string_view out;
  if (from.at_key(key).get_string().get(out) != simdjson::SUCCESS) return {};
  return out;
}

std::string_view without_prefix(std::string_view text, std::string_view prefix) noexcept {
  if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
  return text;
}

bool digits(std::string_view text, size_t pos, size_t count, int& out) noexcept {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

// Service name: `resource.attributes["service.name"]`, or the flat resource map that SDKs
// before 1.12 wrote.
std::string_view service_name(const object& span) noexcept {
  object resource;
  if (span.at_key("resource").get_object().get(resource) != simdjson::SUCCESS) return {};
  object attributes;
  if (resource.at_key("attributes").get_object().get(attributes) == simdjson::SUCCESS)
    return string_at(attributes, "service.name");
  return string_at(resource, "service.name");
}

}  // namespace

bool normalize_hex_id(std::string_view text, char* out, size_t size) noexcept {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    text.remove_prefix(2);
  if (text.size() != size) return false;
  for (size_t i = 0; i < size; ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      out[i] = c;
    } else if (c >= 'a' && c <= 'f') {
      out[i] = c;
    } else if (c >= 'A' && c <= 'F') {
      out[i] = static_cast<char>(c - 'A' + 'a');
    } else {
      return false;
    }
  }
  return true;
}

bool parse_utc_time(std::string_view text, int64_t& ns) noexcept {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != ' ') || !digits(text, 11, 2, hour) || text[13] != ':' ||
      !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second))
    return false;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return false;
  size_t pos = 19;
  int64_t fraction = 0;
  if (text[pos] == '.') {
    size_t count = 0;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++count) {
      if (count < 9) fraction = fraction * 10 + (text[pos] - '0');
    }
    if (count == 0) return false;
    for (; count < 9; ++count) fraction *= 10;
  }
  const std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "+00:00") return false;
  const int64_t days = ray::days_from_civil(year, month, day);
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  // Unix nanoseconds in an int64 cover the years 1678 to 2261.
  constexpr int64_t kMaxSeconds = INT64_MAX / 1'000'000'000 - 1;
  if (seconds > kMaxSeconds || seconds < -kMaxSeconds) return false;
  ns = seconds * 1'000'000'000 + fraction;
  return true;
}

SpanError SpanParser::parse(const std::string& text, SpanFields& out) noexcept {
  out = SpanFields{};
  element root;
  if (parser_.parse(text).get(root) != simdjson::SUCCESS) return SpanError::kInvalidJson;
  object span;
  object context;
  if (root.get_object().get(span) != simdjson::SUCCESS ||
      span.at_key("context").get_object().get(context) != simdjson::SUCCESS ||
      !normalize_hex_id(string_at(context, "trace_id"), out.ids.trace.data(),
                        out.ids.trace.size()) ||
      !normalize_hex_id(string_at(context, "span_id"), out.ids.span.data(), out.ids.span.size()))
    return SpanError::kNotASpan;
  // A root span has `"parent_id": null`; an id that does not parse is left out like one.
  out.ids.has_parent =
      normalize_hex_id(string_at(span, "parent_id"), out.ids.parent.data(), out.ids.parent.size());
  out.name = string_at(span, "name");
  out.kind = without_prefix(string_at(span, "kind"), "SpanKind.");
  object status;
  if (span.at_key("status").get_object().get(status) == simdjson::SUCCESS)
    out.status = without_prefix(string_at(status, "status_code"), "StatusCode.");
  out.service_name = service_name(span);
  object attributes;
  if (span.at_key("attributes").get_object().get(attributes) == simdjson::SUCCESS) {
    out.application = string_at(attributes, "app");
    out.deployment = string_at(attributes, "deployment");
    out.replica = string_at(attributes, "replica_id");
    out.request_id = string_at(attributes, "request_id");
  }
  int64_t start = 0;
  if (parse_utc_time(string_at(span, "start_time"), start)) out.start_ns = start;
  return SpanError::kNone;
}

}  // namespace tailcast::stages::spans
