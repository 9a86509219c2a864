// Lexical helpers of the Ray Serve line parser: colour codes, space-separated tokens, a flat JSON
// object scanner, JSON string unescaping and Python's asctime. Allocation-free; views into input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tailcast::stages::ray {

// Position after any `ESC [ digits/; m` sequences starting at `pos`.
size_t skip_ansi(std::string_view text, size_t pos) noexcept;
// Copies `in` without colour sequences into `out` (at least in.size() bytes); returns the length.
size_t strip_ansi(std::string_view in, char* out) noexcept;
// Decodes a JSON string body (without quotes) into `out` (at least in.size() bytes); returns the
// length written. Invalid escapes are kept as written.
size_t unescape_json(std::string_view in, char* out) noexcept;

// The token starting at `pos` (up to the next space or the end); moves `pos` past the space.
inline std::string_view next_token(std::string_view text, size_t& pos) noexcept {
  if (pos >= text.size()) return {};
  const void* found = std::memchr(text.data() + pos, ' ', text.size() - pos);
  const size_t end = found ? static_cast<size_t>(static_cast<const char*>(found) - text.data())
                           : text.size();
  std::string_view token = text.substr(pos, end - pos);
  pos = end + 1;
  return token;
}

struct JsonValue {
  std::string_view text;  // a string's body without quotes, or a scalar/nested value as written
  bool escaped = false;   // the string body holds backslash escapes
};

// Walks the top-level keys of one JSON object; nested values come back whole, unparsed.
class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) noexcept : text_(text) {}

  bool begin() noexcept;
  // False at the end of the object, or on malformed input; ok() tells which.
  bool next(std::string_view& key, JsonValue& value) noexcept;
  bool ok() const noexcept { return done_; }

 private:
  void skip_space() noexcept;
  bool fail() noexcept;
  bool read_string(JsonValue& out) noexcept;
  bool skip_nested() noexcept;

  std::string_view text_;
  size_t pos_ = 0;
  bool done_ = false;
};

// `YYYY-MM-DD HH:MM:SS,mmm` as Python's logging writes asctime (local time, no zone).
inline constexpr size_t kAsctimeSize = 23;
struct CivilTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
};
bool parse_asctime(std::string_view text, CivilTime& out) noexcept;
// Days from 1970-01-01 to the civil date, proleptic Gregorian (negative before 1970).
int64_t days_from_civil(int year, int month, int day) noexcept;

}  // namespace tailcast::stages::ray
