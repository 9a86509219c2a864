// Fuzzes the `ray_serve` stage: every Serve text generation, JSON encoding, driver prefixes, ANSI
// colours, magic worker lines and traceback folding across reads.
#include <cstdint>

#include "tests/fuzz/stage_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const char* yaml = (data[0] & 1) ? "ray_serve: {fold_tracebacks: false}" : "ray_serve: {}";
  tailcast::fuzz::run_stage(yaml, input, "", [](const tailcast::Entry&) {});
  return 0;
}
