// OTLP JSON: the protobuf the OTLP encoders wrote, rewritten as OTLP's JSON mapping (lowerCamelCase
// keys, trace and span ids as hex, enums as integers, 64-bit integers as decimal strings, other
// bytes as base64). Protobuf's own JSON printer cannot do this without the descriptors the sink
// does not carry, and it writes ids as base64; so a table of the OTLP messages drives it.
#pragma once

#include <string>
#include <string_view>

namespace tailcast::sinks::otlp {

enum class Signal : unsigned char { kLogs, kTraces };

// Writes the Export{Logs,Trace}ServiceRequest in `proto` as JSON into `out` (cleared first).
// False when `proto` is not well-formed protobuf.
bool transcode_to_json(Signal signal, std::string_view proto, std::string& out);

}  // namespace tailcast::sinks::otlp
