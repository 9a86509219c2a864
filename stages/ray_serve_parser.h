// Parser for one physical line of a Ray Serve log (text formats A-D, both JSON encodings, driver
// prefixes, dedup suffixes, worker magic lines). Pure and allocation-free: every value is a view
// into the line, so the `ray_serve` stage decides what to copy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stages/ray_serve_scan.h"

namespace tailcast::stages::ray {

enum class LineKind : uint8_t {
  kUnknown,  // not a record start: a traceback line, a print, anything else
  kText,     // `LEVEL YYYY-MM-DD HH:MM:SS,mmm component id ...`
  kJson,     // one JSON object with Serve's keys
  kMagic,    // a worker's `:job_id:` / `:actor_name:` / `:task_name:` line
};

enum class Magic : uint8_t { kNone, kJobId, kActorName, kTaskName };

// What a record yields; the order is the order fields are set on an entry.
enum class Slot : uint8_t {
  kLevel,
  kTimestamp,
  kComponent,
  kComponentId,
  kApplication,
  kDeployment,
  kReplica,
  kRequestId,
  kRoute,
  kFile,
  kLine,
  kMessage,
  kMethod,
  kStatus,
  kLatencyMs,
  kTimestampNs,
  kRepeated,
  kCount,
};
inline constexpr size_t kSlotCount = static_cast<size_t>(Slot::kCount);

// The extracted-map key of each slot.
std::string_view slot_name(Slot slot) noexcept;
// Numbers keep their text but are typed so that JSON output renders them unquoted.
bool slot_is_numeric(Slot slot, std::string_view value) noexcept;

struct ParsedLine {
  LineKind kind = LineKind::kUnknown;
  Magic magic = Magic::kNone;
  // ANSI colour codes remain in `body` (a coloured message or dedup suffix): strip them into a
  // buffer with strip_ansi() and parse that text again.
  bool needs_cleaning = false;
  std::string_view prefix;  // the driver's `(Name pid=N[, ip=X])`, empty when absent
  std::string_view body;    // the line after the driver prefix and its colour codes
  std::string_view magic_value;
  bool has_time = false;  // `time` holds the text timestamp, already validated
  CivilTime time;
  std::array<std::string_view, kSlotCount> values{};
  // Bit i set: values[i] still holds JSON escapes; unescape_json() gives the text.
  uint32_t escaped = 0;

  std::string_view get(Slot slot) const noexcept { return values[static_cast<size_t>(slot)]; }
  void set(Slot slot, std::string_view value) noexcept { values[static_cast<size_t>(slot)] = value; }
  bool is_escaped(Slot slot) const noexcept { return escaped & (1u << static_cast<unsigned>(slot)); }
  bool starts_record() const noexcept { return kind == LineKind::kText || kind == LineKind::kJson; }
};

ParsedLine parse_line(std::string_view line) noexcept;

}  // namespace tailcast::stages::ray
