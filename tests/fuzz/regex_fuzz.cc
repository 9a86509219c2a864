// Fuzzes the `regex` stage with named groups, on the line and on an extracted value.
#include <cstdint>

#include "tests/fuzz/stage_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const bool from_field = data[0] & 1;
  std::string yaml =
      R"(regex: {expression: '^(?P<level>[A-Z]+) (?P<time>\S+ \S+) (?P<rest>(?s).*?)(?P<id>[0-9a-f-]{36})?$')";
  if (from_field) yaml += ", source: message";
  yaml += "}";
  tailcast::fuzz::run_stage(yaml, input, from_field ? "message" : "",
                            [](const tailcast::Entry&) {});
  return 0;
}
