#include "sinks/otlp/span_encoder.h"

#include <charconv>
#include <chrono>

#include "sinks/otlp/proto_emit.h"

namespace tailcast::sinks::otlp {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kTailcastScope = "tailcast";
constexpr uint32_t kSampled = 1;  // W3C trace flags: only sampled spans are exported

std::optional<element> member(element object, std::string_view key) {
  element value;
  if (object.type() != element_type::OBJECT || object.at_key(key).get(value) != simdjson::SUCCESS)
    return std::nullopt;
  return value;
}

std::string_view string_of(std::optional<element> value) {
  std::string_view text;
  if (value && value->get_string().get(text) == simdjson::SUCCESS) return text;
  return {};
}

// The first of `keys` present on `object`: the SDK's snake_case names, then OTLP JSON's.
std::optional<element> first_member(element object, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys)
    if (auto value = member(object, key)) return value;
  return std::nullopt;
}

bool id_of(element span, std::string_view sdk_key, std::string_view otlp_key, size_t bytes,
           char* out) {
  std::string_view text = string_of(member(member(span, "context").value_or(span), sdk_key));
  if (text.empty()) text = string_of(first_member(span, {sdk_key, otlp_key}));
  return decode_hex_id(text, bytes, out);
}

// SpanKind by name (Python's enum numbers differ from OTLP's); a number is taken as OTLP's.
int64_t kind_of(std::optional<element> value) {
  int64_t number = 0;
  if (value && value->get_int64().get(number) == simdjson::SUCCESS)
    return number >= 0 && number <= 5 ? number : 0;
  std::string_view name = string_of(value);
  if (size_t dot = name.rfind('.'); dot != std::string_view::npos) name.remove_prefix(dot + 1);
  if (name.rfind("SPAN_KIND_", 0) == 0) name.remove_prefix(10);
  constexpr std::string_view kKinds[] = {"INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"};
  for (size_t i = 0; i < std::size(kKinds); ++i)
    if (name == kKinds[i]) return static_cast<int64_t>(i + 1);
  return 0;
}

int64_t status_code_of(std::optional<element> value) {
  int64_t number = 0;
  if (value && value->get_int64().get(number) == simdjson::SUCCESS)
    return number >= 0 && number <= 2 ? number : 0;
  std::string_view name = string_of(value);
  if (name.rfind("STATUS_CODE_", 0) == 0) name.remove_prefix(12);
  if (size_t dot = name.rfind('.'); dot != std::string_view::npos) name.remove_prefix(dot + 1);
  if (name == "OK") return 1;
  if (name == "ERROR") return 2;
  return 0;
}

// Unix nanoseconds from an ISO-8601 string, a number, or a decimal string (OTLP JSON's fixed64).
uint64_t time_of(std::optional<element> value) {
  if (!value) return 0;
  int64_t number = 0;
  if (value->get_int64().get(number) == simdjson::SUCCESS) return number > 0 ? number : 0;
  uint64_t unsigned_number = 0;
  if (value->get_uint64().get(unsigned_number) == simdjson::SUCCESS) return unsigned_number;
  std::string_view text = string_of(value);
  uint64_t digits = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), digits);
  if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return digits;
  auto iso = parse_iso8601_ns(text);
  return iso && *iso > 0 ? static_cast<uint64_t>(*iso) : 0;
}

template <class Out>
void write_any(Out& out, element value);

// KeyValue attributes from a JSON object; nulls carry no value and are left out.
template <class Out>
void write_attributes(Out& out, uint32_t field, std::optional<element> object) {
  simdjson::dom::object members;
  if (!object || object->get_object().get(members) != simdjson::SUCCESS) return;
  for (auto [key, value] : members) {
    if (value.is_null()) continue;
    out.message(field, [&](auto& kv) {
      kv.string_field(kKeyValueKey, key);
      kv.message(kKeyValueValue, [&](auto& any) { write_any(any, value); });
    });
  }
}

template <class Out>
void write_any(Out& out, element value) {
  switch (value.type()) {
    case element_type::STRING:
      out.string_always(kAnyString, value.get_string().value_unsafe());
      break;
    case element_type::BOOL:
      out.varint_always(kAnyBool, value.get_bool().value_unsafe() ? 1 : 0);
      break;
    case element_type::INT64:
      out.varint_always(kAnyInt, value.get_int64().value_unsafe());
      break;
    case element_type::UINT64:  // beyond int64: only a double can hold it
    case element_type::DOUBLE:
      out.double_always(kAnyDouble, value.get_double().value_unsafe());
      break;
    case element_type::ARRAY:
      out.message(kAnyArray, [&](auto& array) {
        simdjson::dom::array items;
        if (value.get_array().get(items) != simdjson::SUCCESS) return;
        for (element item : items)
          array.message(kArrayValues, [&](auto& any) { write_any(any, item); });
      });
      break;
    case element_type::OBJECT:
      out.message(kAnyKvlist, [&](auto& list) { write_attributes(list, kKvlistValues, value); });
      break;
    case element_type::NULL_VALUE:
      break;
  }
}

// Called twice per span (measure, then write), so it only reads.
template <class Out>
void write_span(Out& out, element span, const char* trace_id, const char* span_id) {
  auto context = member(span, "context");
  out.string_field(kSpanTraceId, std::string_view(trace_id, kTraceIdBytes));
  out.string_field(kSpanSpanId, std::string_view(span_id, kSpanIdBytes));
  std::string state = trace_state_of(
      string_of(context ? member(*context, "trace_state") : first_member(span, {"traceState"})));
  out.string_field(kSpanTraceState, state);
  char parent[kSpanIdBytes];
  std::string_view parent_text =
      string_of(first_member(span, {"parent_id", "parent_span_id", "parentSpanId"}));
  if (decode_hex_id(parent_text, kSpanIdBytes, parent))
    out.string_field(kSpanParentSpanId, std::string_view(parent, kSpanIdBytes));
  out.string_field(kSpanName, string_of(member(span, "name")));
  out.varint_field(kSpanKind, kind_of(member(span, "kind")));
  out.fixed64_field(kSpanStart, time_of(first_member(span, {"start_time", "startTimeUnixNano"})));
  out.fixed64_field(kSpanEnd, time_of(first_member(span, {"end_time", "endTimeUnixNano"})));
  write_attributes(out, kSpanAttributes, member(span, "attributes"));
  simdjson::dom::array items;
  if (auto events = member(span, "events"); events && events->get_array().get(items) == 0) {
    for (element event : items)
      out.message(kSpanEvents, [&](auto& e) {
        e.fixed64_field(kEventTime, time_of(first_member(event, {"timestamp", "timeUnixNano"})));
        e.string_field(kEventName, string_of(member(event, "name")));
        write_attributes(e, kEventAttributes, member(event, "attributes"));
      });
  }
  if (auto links = member(span, "links"); links && links->get_array().get(items) == 0) {
    for (element link : items) {
      char link_trace[kTraceIdBytes];
      char link_span[kSpanIdBytes];
      if (!id_of(link, "trace_id", "traceId", kTraceIdBytes, link_trace) ||
          !id_of(link, "span_id", "spanId", kSpanIdBytes, link_span))
        continue;
      auto link_context = member(link, "context");
      std::string link_state =
          trace_state_of(string_of(link_context ? member(*link_context, "trace_state")
                                                : first_member(link, {"traceState"})));
      out.message(kSpanLinks, [&](auto& l) {
        l.string_field(kLinkTraceId, std::string_view(link_trace, kTraceIdBytes));
        l.string_field(kLinkSpanId, std::string_view(link_span, kSpanIdBytes));
        l.string_field(kLinkTraceState, link_state);
        write_attributes(l, kLinkAttributes, member(link, "attributes"));
      });
    }
  }
  if (auto status = member(span, "status")) {
    int64_t code = status_code_of(first_member(*status, {"status_code", "code"}));
    std::string_view message = string_of(first_member(*status, {"description", "message"}));
    if (code != 0 || !message.empty())
      out.message(kSpanStatus, [&](auto& s) {
        s.string_field(kStatusMessage, message);
        s.varint_field(kStatusCode, code);
      });
  }
  out.fixed32_field(kSpanFlags, kSampled);
}

bool is_unknown_service(element value) {
  std::string_view text;
  return value.get_string().get(text) == simdjson::SUCCESS && text.rfind("unknown_service", 0) == 0;
}

}  // namespace

std::optional<int64_t> parse_iso8601_ns(std::string_view text) noexcept {
  auto number = [&](size_t at, size_t digits, int& out) {
    if (at + digits > text.size()) return false;
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + digits, out);
    return ec == std::errc() && end == text.data() + at + digits;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!number(0, 4, year) || text.size() < 19 || text[4] != '-' || !number(5, 2, month) ||
      text[7] != '-' || !number(8, 2, day) || (text[10] != 'T' && text[10] != ' ') ||
      !number(11, 2, hour) || text[13] != ':' || !number(14, 2, minute) || text[16] != ':' ||
      !number(17, 2, second))
    return std::nullopt;
  using namespace std::chrono;
  year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  int64_t nanos = 0;
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    int64_t scale = 100'000'000;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
      nanos += (text[at] - '0') * scale;
      scale /= 10;
    }
  }
  int64_t offset_seconds = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int offset_hours = 0, offset_minutes = 0;
    if (!number(at + 1, 2, offset_hours) || at + 3 >= text.size() || text[at + 3] != ':' ||
        !number(at + 4, 2, offset_minutes))
      return std::nullopt;
    offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (text[at] == '+' ? 1 : -1);
    at += 6;
  }
  if (at != text.size()) return std::nullopt;
  int64_t seconds = sys_days(date).time_since_epoch().count() * 86400 + hour * 3600 + minute * 60 +
                    second - offset_seconds;
  return seconds * 1'000'000'000 + nanos;
}

std::string trace_state_of(std::string_view text) {
  if (text.empty() || text.front() != '[') return std::string(text);
  std::string out;
  // [{key=k, value=v}, {key=k2, value=v2}]
  for (size_t at = text.find("key="); at != std::string_view::npos; at = text.find("key=", at)) {
    size_t comma = text.find(", value=", at);
    if (comma == std::string_view::npos) break;
    size_t close = text.find('}', comma);
    if (close == std::string_view::npos) break;
    if (!out.empty()) out.push_back(',');
    out.append(text.substr(at + 4, comma - at - 4));
    out.push_back('=');
    out.append(text.substr(comma + 8, close - comma - 8));
    at = close;
  }
  return out;
}

bool SpanEncoder::add_span(const BatchStream& stream, std::string_view line) {
  element span;
  if (parser_.parse(line.data(), line.size()).get(span) != simdjson::SUCCESS ||
      span.type() != element_type::OBJECT)
    return false;
  char trace_id[kTraceIdBytes];
  char span_id[kSpanIdBytes];
  if (!id_of(span, "trace_id", "traceId", kTraceIdBytes, trace_id) ||
      !id_of(span, "span_id", "spanId", kSpanIdBytes, span_id))
    return false;

  // The span's resource (SDK ≥ 1.12 nests it under "attributes") wins over the sink's, except
  // the SDK's placeholder service name.
  auto resource = member(span, "resource");
  if (resource) resource = member(*resource, "attributes").value_or(*resource);
  resource_.attributes_of(stream.labels, attributes_);
  resource_scratch_.clear();
  ProtoEmit resource_out(resource_scratch_);
  simdjson::dom::object own;
  bool has_own = resource && resource->get_object().get(own) == simdjson::SUCCESS;
  auto owned = [&](std::string_view key) {
    element value;
    return has_own && own.at_key(key).get(value) == simdjson::SUCCESS &&
           !(key == "service.name" && is_unknown_service(value));
  };
  if (has_own) {
    for (auto [key, value] : own) {
      if (value.is_null() || !owned(key)) continue;
      resource_out.message(kResourceAttributes, [&](auto& kv) {
        kv.string_field(kKeyValueKey, key);
        kv.message(kKeyValueValue, [&](auto& any) { write_any(any, value); });
      });
    }
  }
  bool service_name = owned("service.name");
  for (const Attribute& attribute : attributes_) {
    if (owned(attribute.key)) continue;
    service_name |= attribute.key == "service.name";
    write_string_attribute(resource_out, kResourceAttributes, attribute.key, attribute.value);
  }
  // The SDK's placeholder is better than no service.name at all.
  element placeholder;
  if (!service_name && has_own && own.at_key("service.name").get(placeholder) == simdjson::SUCCESS)
    resource_out.message(kResourceAttributes, [&](auto& kv) {
      kv.string_field(kKeyValueKey, "service.name");
      kv.message(kKeyValueValue, [&](auto& any) { write_any(any, placeholder); });
    });

  size_t group = 0;
  while (group < groups_ && resources_[group] != resource_scratch_) ++group;
  if (group == groups_) {
    if (groups_ == resources_.size()) resources_.emplace_back();
    resources_[groups_++] = resource_scratch_;
  }

  Encoded encoded{spans_.size(), 0, group};
  ProtoEmit span_out(spans_);
  write_span(span_out, span, trace_id, span_id);
  encoded.size = spans_.size() - encoded.offset;
  encoded_.push_back(encoded);
  return true;
}

SpanCounts SpanEncoder::encode(const Batch& batch, std::string& out) {
  out.clear();
  spans_.clear();
  encoded_.clear();
  groups_ = 0;
  SpanCounts counts;
  for (const BatchStream& stream : batch.streams()) {
    for (uint32_t index : stream.entries) {
      const BatchEntry& entry = batch.entries()[index];
      if (entry.kind != EntryKind::kSpan) continue;
      if (add_span(stream, entry.line)) {
        ++counts.spans;
      } else {
        ++counts.invalid;
      }
    }
  }
  ProtoEmit emit(out);
  for (size_t group = 0; group < groups_; ++group) {
    emit.message(kTraceRequestResourceSpans, [&](auto& resource_spans) {
      resource_spans.string_field(kResourceSpansResource, resources_[group]);
      resource_spans.message(kResourceSpansScopeSpans, [&](auto& scope_spans) {
        scope_spans.message(kScopeSpansScope, [](auto& scope) {
          scope.string_field(kScopeName, kTailcastScope);
          scope.string_field(kScopeVersion, TC_VERSION);
        });
        for (const Encoded& span : encoded_)
          if (span.group == group)
            scope_spans.string_field(kScopeSpansSpans,
                                     std::string_view(spans_).substr(span.offset, span.size));
      });
    });
  }
  return counts;
}

}  // namespace tailcast::sinks::otlp
