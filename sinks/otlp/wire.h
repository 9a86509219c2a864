// OTLP's protobuf field numbers (opentelemetry-proto: common, resource, logs, trace and the
// collector export requests) and the small conversions both OTLP encoders need.
#pragma once

#include <cstdint>
#include <string_view>

namespace tailcast::sinks::otlp {

// common.v1
constexpr uint32_t kAnyString = 1, kAnyBool = 2, kAnyInt = 3, kAnyDouble = 4, kAnyArray = 5,
                   kAnyKvlist = 6, kAnyBytes = 7;
constexpr uint32_t kArrayValues = 1, kKvlistValues = 1;
constexpr uint32_t kKeyValueKey = 1, kKeyValueValue = 2;
constexpr uint32_t kScopeName = 1, kScopeVersion = 2;
// resource.v1
constexpr uint32_t kResourceAttributes = 1;
// logs.v1 and collector.logs.v1
constexpr uint32_t kLogsRequestResourceLogs = 1;
constexpr uint32_t kResourceLogsResource = 1, kResourceLogsScopeLogs = 2;
constexpr uint32_t kScopeLogsScope = 1, kScopeLogsRecords = 2;
constexpr uint32_t kLogTime = 1, kLogSeverityNumber = 2, kLogSeverityText = 3, kLogBody = 5,
                   kLogAttributes = 6, kLogFlags = 8, kLogTraceId = 9, kLogSpanId = 10,
                   kLogObservedTime = 11;
// trace.v1 and collector.trace.v1
constexpr uint32_t kTraceRequestResourceSpans = 1;
constexpr uint32_t kResourceSpansResource = 1, kResourceSpansScopeSpans = 2,
                   kResourceSpansSchemaUrl = 3;
constexpr uint32_t kScopeSpansScope = 1, kScopeSpansSpans = 2;
constexpr uint32_t kSpanTraceId = 1, kSpanSpanId = 2, kSpanTraceState = 3, kSpanParentSpanId = 4,
                   kSpanName = 5, kSpanKind = 6, kSpanStart = 7, kSpanEnd = 8, kSpanAttributes = 9,
                   kSpanEvents = 11, kSpanLinks = 13, kSpanStatus = 15, kSpanFlags = 16;
constexpr uint32_t kEventTime = 1, kEventName = 2, kEventAttributes = 3;
constexpr uint32_t kLinkTraceId = 1, kLinkSpanId = 2, kLinkTraceState = 3, kLinkAttributes = 4;
constexpr uint32_t kStatusMessage = 2, kStatusCode = 3;
// Export*ServiceResponse.partial_success and its rejected count and message.
constexpr uint32_t kResponsePartialSuccess = 1, kPartialRejected = 1, kPartialMessage = 2;

// Bytes of a trace id and a span id.
constexpr size_t kTraceIdBytes = 16, kSpanIdBytes = 8;

// Decodes an id written as hex, bare or 0x-prefixed, of exactly `bytes` bytes into `out`. False
// (and `out` unspecified) when it is not, or when it is all zeros, which OTLP calls invalid.
bool decode_hex_id(std::string_view text, size_t bytes, char* out) noexcept;

// OTLP SeverityNumber of a level name as Python logging and most loggers write it (DEBUG, INFO,
// WARNING/WARN, ERROR, CRITICAL/FATAL, TRACE; any case); 0 (unspecified) for anything else.
int severity_number(std::string_view level) noexcept;

}  // namespace tailcast::sinks::otlp
