// Fuzzes the `timestamp` stage: Go layouts, Promtail's named and Unix formats, fallbacks and a
// location with daylight saving. The first byte picks the configuration; the line is the value.
#include <cstdint>
#include <string>

#include "tests/fuzz/stage_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* const kConfigs[] = {
      "timestamp: {source: ts, format: RFC3339Nano}",
      "timestamp: {source: ts, format: '2006-01-02 15:04:05,000', location: America/New_York}",
      "timestamp: {source: ts, format: UnixMs, fallback_formats: [Unix, UnixNs, RFC1123Z]}",
      "timestamp: {source: ts, format: 'Jan _2 15:04:05.000000 MST', action_on_failure: skip}",
      "timestamp: {source: ts, format: 'Mon, 02 Jan 2006 15:04:05 -0700', location: Asia/Kolkata}",
      "timestamp: {source: ts, format: UnixUs, fallback_formats: "
      "['2006-01-02T15:04:05.999999999Z07:00']}",
  };
  const std::string yaml = kConfigs[data[0] % (sizeof(kConfigs) / sizeof(kConfigs[0]))];
  tailcast::fuzz::run_stage(yaml, input, "ts", [](const tailcast::Entry&) {});
  return 0;
}
