// JSON paths for the `json` stage: the JMESPath subset Promtail configs use (`a.b`, `"a.b"`,
// `a."b-c"`, `a[0]`, `a[-1]`, `[0].x`), parsed once at build time and evaluated per line against a
// simdjson on-demand document. Also Go's float64 text form and JSON string unescaping.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/arena.h"
#include "pipeline/entry.h"
#include "pipeline/result.h"

namespace tailcast::stages {

struct JsonPathStep {
  bool is_index = false;
  std::string key;    // when !is_index
  int64_t index = 0;  // when is_index; negative counts from the end
};

class JsonPath {
 public:
  // Errors say what is wrong with `expression` but not where it is; the caller adds that.
  static Result<JsonPath> parse(std::string_view expression);

  const std::vector<JsonPathStep>& steps() const noexcept { return steps_; }

 private:
  std::vector<JsonPathStep> steps_;
};

// What a path found: `text` views the document's source text where it can, else the arena.
struct JsonValue {
  std::string_view text;
  FieldType type = FieldType::kNull;
};

enum class JsonLoad : uint8_t {
  kObject,     // a JSON object: paths evaluate against it
  kNull,       // the literal `null`: valid, and every path yields null (as Go unmarshals it)
  kMalformed,  // anything else, including valid JSON that is not an object
};

// Holds one parsed document at a time. The source text is copied into a padded buffer that is
// reused, so loading does not allocate once the buffer has grown to the longest line seen. Values
// returned view the text passed to load(), which must outlive them. One per stage; not shared
// between threads.
class JsonDocument {
 public:
  JsonDocument() = default;
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;

  // Parses and fully validates `text`, as Go's json.Unmarshal into a map would.
  JsonLoad load(std::string_view text) noexcept;
  // Evaluates `path` on the loaded object; a missing key, index or wrong type gives kNull.
  JsonValue evaluate(const JsonPath& path, Arena& arena) noexcept;

 private:
  std::string_view to_source(std::string_view padded) const noexcept;
  JsonValue convert(simdjson::ondemand::value value, Arena& arena) noexcept;

  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document doc_;
  std::unique_ptr<char[]> padded_;
  size_t capacity_ = 0;
  std::string_view source_;
  JsonLoad state_ = JsonLoad::kMalformed;
};

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that round-trip, never an
// exponent (1e21 → "1000000000000000000000", 1.5e-7 → "0.00000015", -0.0 → "-0").
constexpr size_t kGoFloatMaxChars = 400;
std::string_view format_go_float(double value, char (&buffer)[kGoFloatMaxChars]) noexcept;

// Decodes the body of a JSON string literal (between the quotes) into `out`, which needs
// body.size() bytes. Returns the decoded length, or -1 on a bad escape or a raw control byte.
// Lone surrogates become U+FFFD, as Go's decoders do.
ptrdiff_t unescape_json_string(std::string_view body, char* out) noexcept;

}  // namespace tailcast::stages
