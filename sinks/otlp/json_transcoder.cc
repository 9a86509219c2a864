#include "sinks/otlp/json_transcoder.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <span>
#include <vector>

#include "sinks/stdout/sink.h"

namespace tailcast::sinks::otlp {
namespace {

enum class Kind : uint8_t {
  kMessage,
  kString,
  kHexId,
  kBase64,
  kFixed64,
  kInt64,
  kEnum,
  kUint32,
  kBool,
  kDouble,
  kFixed32
};

enum class Type : uint8_t {
  kNone,
  kLogsRequest,
  kResourceLogs,
  kScopeLogs,
  kLogRecord,
  kResource,
  kScope,
  kKeyValue,
  kAnyValue,
  kArrayValue,
  kKvList,
  kTraceRequest,
  kResourceSpans,
  kScopeSpans,
  kSpan,
  kEvent,
  kLink,
  kStatus
};

struct FieldSpec {
  uint32_t number;
  std::string_view json;
  Kind kind;
  Type type = Type::kNone;  // of a message field
  bool repeated = false;
};

using K = Kind;
using T = Type;

constexpr FieldSpec kLogsRequest[] = {{1, "resourceLogs", K::kMessage, T::kResourceLogs, true}};
constexpr FieldSpec kResourceLogs[] = {{1, "resource", K::kMessage, T::kResource},
                                       {2, "scopeLogs", K::kMessage, T::kScopeLogs, true},
                                       {3, "schemaUrl", K::kString}};
constexpr FieldSpec kScopeLogs[] = {{1, "scope", K::kMessage, T::kScope},
                                    {2, "logRecords", K::kMessage, T::kLogRecord, true},
                                    {3, "schemaUrl", K::kString}};
constexpr FieldSpec kLogRecord[] = {{1, "timeUnixNano", K::kFixed64},
                                    {11, "observedTimeUnixNano", K::kFixed64},
                                    {2, "severityNumber", K::kEnum},
                                    {3, "severityText", K::kString},
                                    {5, "body", K::kMessage, T::kAnyValue},
                                    {6, "attributes", K::kMessage, T::kKeyValue, true},
                                    {7, "droppedAttributesCount", K::kUint32},
                                    {8, "flags", K::kFixed32},
                                    {9, "traceId", K::kHexId},
                                    {10, "spanId", K::kHexId},
                                    {12, "eventName", K::kString}};
constexpr FieldSpec kResource[] = {{1, "attributes", K::kMessage, T::kKeyValue, true},
                                   {2, "droppedAttributesCount", K::kUint32}};
constexpr FieldSpec kScope[] = {{1, "name", K::kString},
                                {2, "version", K::kString},
                                {3, "attributes", K::kMessage, T::kKeyValue, true},
                                {4, "droppedAttributesCount", K::kUint32}};
constexpr FieldSpec kKeyValue[] = {{1, "key", K::kString}, {2, "value", K::kMessage, T::kAnyValue}};
constexpr FieldSpec kAnyValue[] = {{1, "stringValue", K::kString},
                                   {2, "boolValue", K::kBool},
                                   {3, "intValue", K::kInt64},
                                   {4, "doubleValue", K::kDouble},
                                   {5, "arrayValue", K::kMessage, T::kArrayValue},
                                   {6, "kvlistValue", K::kMessage, T::kKvList},
                                   {7, "bytesValue", K::kBase64}};
constexpr FieldSpec kArrayValue[] = {{1, "values", K::kMessage, T::kAnyValue, true}};
constexpr FieldSpec kKvList[] = {{1, "values", K::kMessage, T::kKeyValue, true}};
constexpr FieldSpec kTraceRequest[] = {{1, "resourceSpans", K::kMessage, T::kResourceSpans, true}};
constexpr FieldSpec kResourceSpans[] = {{1, "resource", K::kMessage, T::kResource},
                                        {2, "scopeSpans", K::kMessage, T::kScopeSpans, true},
                                        {3, "schemaUrl", K::kString}};
constexpr FieldSpec kScopeSpans[] = {{1, "scope", K::kMessage, T::kScope},
                                     {2, "spans", K::kMessage, T::kSpan, true},
                                     {3, "schemaUrl", K::kString}};
constexpr FieldSpec kSpan[] = {{1, "traceId", K::kHexId},
                               {2, "spanId", K::kHexId},
                               {3, "traceState", K::kString},
                               {4, "parentSpanId", K::kHexId},
                               {16, "flags", K::kFixed32},
                               {5, "name", K::kString},
                               {6, "kind", K::kEnum},
                               {7, "startTimeUnixNano", K::kFixed64},
                               {8, "endTimeUnixNano", K::kFixed64},
                               {9, "attributes", K::kMessage, T::kKeyValue, true},
                               {10, "droppedAttributesCount", K::kUint32},
                               {11, "events", K::kMessage, T::kEvent, true},
                               {12, "droppedEventsCount", K::kUint32},
                               {13, "links", K::kMessage, T::kLink, true},
                               {14, "droppedLinksCount", K::kUint32},
                               {15, "status", K::kMessage, T::kStatus}};
constexpr FieldSpec kEvent[] = {{1, "timeUnixNano", K::kFixed64},
                                {2, "name", K::kString},
                                {3, "attributes", K::kMessage, T::kKeyValue, true},
                                {4, "droppedAttributesCount", K::kUint32}};
constexpr FieldSpec kLink[] = {{1, "traceId", K::kHexId},
                               {2, "spanId", K::kHexId},
                               {3, "traceState", K::kString},
                               {4, "attributes", K::kMessage, T::kKeyValue, true},
                               {5, "droppedAttributesCount", K::kUint32},
                               {6, "flags", K::kFixed32}};
constexpr FieldSpec kStatus[] = {{2, "message", K::kString}, {3, "code", K::kEnum}};

std::span<const FieldSpec> fields_of(Type type) {
  switch (type) {
    case T::kLogsRequest:
      return kLogsRequest;
    case T::kResourceLogs:
      return kResourceLogs;
    case T::kScopeLogs:
      return kScopeLogs;
    case T::kLogRecord:
      return kLogRecord;
    case T::kResource:
      return kResource;
    case T::kScope:
      return kScope;
    case T::kKeyValue:
      return kKeyValue;
    case T::kAnyValue:
      return kAnyValue;
    case T::kArrayValue:
      return kArrayValue;
    case T::kKvList:
      return kKvList;
    case T::kTraceRequest:
      return kTraceRequest;
    case T::kResourceSpans:
      return kResourceSpans;
    case T::kScopeSpans:
      return kScopeSpans;
    case T::kSpan:
      return kSpan;
    case T::kEvent:
      return kEvent;
    case T::kLink:
      return kLink;
    case T::kStatus:
      return kStatus;
    case T::kNone:
      break;
  }
  return {};
}

struct WireField {
  uint32_t number = 0;
  uint64_t scalar = 0;     // varint, fixed64 or fixed32 value
  std::string_view bytes;  // length-delimited payload
};

bool read_varint(std::string_view& in, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool read_fixed(std::string_view& in, int bytes, uint64_t& value) {
  if (in.size() < static_cast<size_t>(bytes)) return false;
  value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= static_cast<uint64_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  in.remove_prefix(bytes);
  return true;
}

bool parse_fields(std::string_view in, std::vector<WireField>& out) {
  while (!in.empty()) {
    uint64_t tag = 0;
    if (!read_varint(in, tag)) return false;
    WireField field;
    field.number = static_cast<uint32_t>(tag >> 3);
    switch (tag & 7) {
      case 0:
        if (!read_varint(in, field.scalar)) return false;
        break;
      case 1:
        if (!read_fixed(in, 8, field.scalar)) return false;
        break;
      case 5:
        if (!read_fixed(in, 4, field.scalar)) return false;
        break;
      case 2: {
        uint64_t length = 0;
        if (!read_varint(in, length) || length > in.size()) return false;
        field.bytes = in.substr(0, length);
        in.remove_prefix(length);
        break;
      }
      default:
        return false;
    }
    out.push_back(field);
  }
  return true;
}

void append_base64(std::string_view bytes, std::string& out) {
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out.push_back('"');
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 |
                 static_cast<uint8_t>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  out.push_back('"');
}

void append_hex(std::string_view bytes, std::string& out) {
  constexpr char kDigits[] = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  out.push_back('"');
}

void append_double(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "\"NaN\"";
  } else if (std::isinf(value)) {
    out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buffer[32];
    int n = std::snprintf(buffer, sizeof buffer, "%.17g", value);
    out.append(buffer, static_cast<size_t>(n));
  }
}

bool transcode(Type type, std::string_view proto, std::string& out);

bool append_value(const FieldSpec& spec, const WireField& field, std::string& out) {
  switch (spec.kind) {
    case K::kMessage:
      return transcode(spec.type, field.bytes, out);
    case K::kString:
      append_json_string(field.bytes, out);
      break;
    case K::kHexId:
      append_hex(field.bytes, out);
      break;
    case K::kBase64:
      append_base64(field.bytes, out);
      break;
    case K::kFixed64:
      out += '"' + std::to_string(field.scalar) + '"';
      break;
    case K::kInt64:
      out += '"' + std::to_string(static_cast<int64_t>(field.scalar)) + '"';
      break;
    case K::kEnum:
      out += std::to_string(static_cast<int32_t>(field.scalar));
      break;
    case K::kUint32:
    case K::kFixed32:
      out += std::to_string(static_cast<uint32_t>(field.scalar));
      break;
    case K::kBool:
      out += field.scalar ? "true" : "false";
      break;
    case K::kDouble:
      append_double(std::bit_cast<double>(field.scalar), out);
      break;
  }
  return true;
}

// Fields in the order of their first appearance; a repeated field's values become one array.
bool transcode(Type type, std::string_view proto, std::string& out) {
  std::vector<WireField> fields;
  if (!parse_fields(proto, fields)) return false;
  out.push_back('{');
  bool first = true;
  std::vector<uint32_t> written;  // field numbers; a message has few distinct ones
  for (size_t i = 0; i < fields.size(); ++i) {
    if (std::find(written.begin(), written.end(), fields[i].number) != written.end()) continue;
    written.push_back(fields[i].number);
    const FieldSpec* spec = nullptr;
    for (const FieldSpec& candidate : fields_of(type))
      if (candidate.number == fields[i].number) spec = &candidate;
    if (!spec) continue;  // unknown fields are left out, as receivers ignore them
    if (!first) out.push_back(',');
    first = false;
    append_json_string(spec->json, out);
    out.push_back(':');
    if (!spec->repeated) {
      // proto3: the last value of a singular field wins.
      const WireField* last = &fields[i];
      for (size_t j = i + 1; j < fields.size(); ++j)
        if (fields[j].number == fields[i].number) last = &fields[j];
      if (!append_value(*spec, *last, out)) return false;
      continue;
    }
    out.push_back('[');
    bool first_item = true;
    for (size_t j = i; j < fields.size(); ++j) {
      if (fields[j].number != fields[i].number) continue;
      if (!first_item) out.push_back(',');
      first_item = false;
      if (!append_value(*spec, fields[j], out)) return false;
    }
    out.push_back(']');
  }
  out.push_back('}');
  return true;
}

}  // namespace

bool transcode_to_json(Signal signal, std::string_view proto, std::string& out) {
  out.clear();
  return transcode(signal == Signal::kLogs ? T::kLogsRequest : T::kTraceRequest, proto, out);
}

}  // namespace tailcast::sinks::otlp
