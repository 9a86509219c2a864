// Fuzzes the `logfmt` stage: quoting, escapes, bare keys and repeated keys.
#include <cstdint>

#include "tests/fuzz/stage_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const bool from_field = data[0] & 1;
  std::string yaml = "logfmt: {mapping: {level: level, msg: msg, dur: duration, other: msg}";
  if (from_field) yaml += ", source: text";
  yaml += "}";
  tailcast::fuzz::run_stage(yaml, input, from_field ? "text" : "", [](const tailcast::Entry&) {});
  return 0;
}
