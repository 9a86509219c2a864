// Fuzzes the `spans` stage: framing of concatenated JSON objects across lines and reads, driver
// prefixes, validation and id normalisation. The first byte picks the stage's options.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>

#include "tests/fuzz/stage_fuzz.h"

namespace {

bool lower_hex(std::string_view text, size_t size) {
  if (text.size() != size) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t options = data[0];
  std::string yaml = "spans: {";
  yaml += (options & 1) ? "malformed: keep" : "malformed: drop";
  if (options & 2) yaml += ", max_object_bytes: 256";
  if (options & 4) yaml += ", driver_prefix: false";
  yaml += "}";
  static simdjson::dom::parser parser;
  tailcast::fuzz::run_stage(
      yaml, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), "",
      [](const tailcast::Entry& entry) {
        if (entry.kind != tailcast::EntryKind::kSpan) return;
        simdjson::dom::element root;
        const std::string_view* trace = entry.structured_metadata.get("trace_id");
        const std::string_view* span = entry.structured_metadata.get("span_id");
        if (entry.line.find('\n') != std::string_view::npos ||
            parser.parse(std::string(entry.line)).get(root) != simdjson::SUCCESS ||
            !root.is_object() || !trace || !lower_hex(*trace, 32) || !span || !lower_hex(*span, 16))
          std::abort();
      });
  return 0;
}
