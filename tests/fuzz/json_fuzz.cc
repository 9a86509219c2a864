// Fuzzes the `json` stage: simdjson on arbitrary lines and JMESPath-style selections of nested
// values, arrays and escaped strings.
#include <cstdint>

#include "tests/fuzz/stage_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string yaml =
      "json: {expressions: {level: levelname, msg: message, first: 'a[0]', nested: 'b.c.d', "
      "quoted: '\"x.y\"', all: '', deep: 'a[0].b[1]', last: 'a[-1]'}";
  if (data[0] & 1) yaml += ", drop_malformed: true";
  yaml += "}";
  tailcast::fuzz::run_stage(yaml, input, "", [](const tailcast::Entry&) {});
  return 0;
}
