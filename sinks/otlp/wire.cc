// Hex ids and severities for the OTLP encoders.
#include "sinks/otlp/wire.h"

#include <cctype>

namespace tailcast::sinks::otlp {
namespace {

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool equals_nocase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

}  // namespace

bool decode_hex_id(std::string_view text, size_t bytes, char* out) noexcept {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    text.remove_prefix(2);
  if (text.size() != 2 * bytes) return false;
  bool nonzero = false;
  for (size_t i = 0; i < bytes; ++i) {
    int high = hex_digit(text[2 * i]);
    int low = hex_digit(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<char>(high * 16 + low);
    nonzero |= out[i] != 0;
  }
  return nonzero;
}

int severity_number(std::string_view level) noexcept {
  struct Level {
    std::string_view name;
    int number;
  };
  // The base number of each OTLP range; Python's levels map to them (OTel Python std_to_otel).
  constexpr Level kLevels[] = {{"TRACE", 1}, {"DEBUG", 5},  {"INFO", 9},      {"WARNING", 13},
                               {"WARN", 13}, {"ERROR", 17}, {"CRITICAL", 21}, {"FATAL", 21}};
  for (const Level& known : kLevels)
    if (equals_nocase(level, known.name)) return known.number;
  return 0;
}

}  // namespace tailcast::sinks::otlp
