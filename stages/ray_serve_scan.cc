// Lexical helpers of the Ray Serve line parser; see ray_serve_scan.h.
#include "stages/ray_serve_scan.h"

namespace tailcast::stages::ray {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

}  // namespace

size_t skip_ansi(std::string_view text, size_t pos) noexcept {
  while (pos + 1 < text.size() && text[pos] == '\x1b' && text[pos + 1] == '[') {
    size_t end = pos + 2;
    while (end < text.size() && (is_digit(text[end]) || text[end] == ';')) ++end;
    if (end >= text.size() || text[end] != 'm') break;
    pos = end + 1;
  }
  return pos;
}

bool JsonScanner::begin() noexcept {
  skip_space();
  if (pos_ >= text_.size() || text_[pos_] != '{') return false;
  ++pos_;
  return true;
}

bool JsonScanner::next(std::string_view& key, JsonValue& value) noexcept {
  skip_space();
  if (pos_ < text_.size() && text_[pos_] == ',') {
    ++pos_;
    skip_space();
  }
  if (pos_ < text_.size() && text_[pos_] == '}') {
    done_ = true;
    return false;
  }
  JsonValue name;
  if (!read_string(name)) return fail();
  skip_space();
  if (pos_ >= text_.size() || text_[pos_] != ':') return fail();
  ++pos_;
  skip_space();
  if (pos_ >= text_.size()) return fail();
  key = name.text;
  const char c = text_[pos_];
  if (c == '"') return read_string(value) || fail();
  const size_t start = pos_;
  if (c == '{' || c == '[') {
    if (!skip_nested()) return fail();
  } else {
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
           text_[pos_] != ' ')
      ++pos_;
  }
  value = JsonValue{text_.substr(start, pos_ - start), false};
  return pos_ > start || fail();
}

void JsonScanner::skip_space() noexcept {
  while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
}

bool JsonScanner::fail() noexcept {
  done_ = false;
  pos_ = text_.size();
  return false;
}

bool JsonScanner::read_string(JsonValue& out) noexcept {
  if (pos_ >= text_.size() || text_[pos_] != '"') return false;
  const size_t start = ++pos_;
  for (;;) {
    const void* quote = std::memchr(text_.data() + pos_, '"', text_.size() - pos_);
    if (!quote) return false;
    size_t at = static_cast<size_t>(static_cast<const char*>(quote) - text_.data());
    size_t slashes = 0;
    while (at - slashes > start && text_[at - slashes - 1] == '\\') ++slashes;
    pos_ = at + 1;
    if (slashes % 2 == 0) {
      out.text = text_.substr(start, at - start);
      out.escaped = std::memchr(out.text.data(), '\\', out.text.size()) != nullptr;
      return true;
    }
  }
}

bool JsonScanner::skip_nested() noexcept {
  int depth = 0;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '"') {
      JsonValue ignored;
      if (!read_string(ignored)) return false;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    ++pos_;
    if (depth == 0) return true;
  }
  return false;
}

size_t strip_ansi(std::string_view in, char* out) noexcept {
  size_t written = 0, pos = 0;
  while (pos < in.size()) {
    const size_t after = skip_ansi(in, pos);
    if (after != pos) {
      pos = after;
      continue;
    }
    out[written++] = in[pos++];
  }
  return written;
}

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of `\uXXXX` at `in[pos]`, or -1.
long read_unit(std::string_view in, size_t pos) noexcept {
  if (pos + 6 > in.size() || in[pos] != '\\' || in[pos + 1] != 'u') return -1;
  long unit = 0;
  for (size_t i = pos + 2; i < pos + 6; ++i) {
    const int digit = hex_value(in[i]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

size_t put_utf8(unsigned long code, char* out) noexcept {
  if (code < 0x80) {
    out[0] = static_cast<char>(code);
    return 1;
  }
  if (code < 0x800) {
    out[0] = static_cast<char>(0xC0 | (code >> 6));
    out[1] = static_cast<char>(0x80 | (code & 0x3F));
    return 2;
  }
  if (code < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (code >> 12));
    out[1] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (code & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (code >> 18));
  out[1] = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (code & 0x3F));
  return 4;
}

}  // namespace

size_t unescape_json(std::string_view in, char* out) noexcept {
  size_t written = 0, pos = 0;
  while (pos < in.size()) {
    const char c = in[pos];
    if (c != '\\' || pos + 1 >= in.size()) {
      out[written++] = c;
      ++pos;
      continue;
    }
    const char kind = in[pos + 1];
    char simple = 0;
    switch (kind) {
      case '"': simple = '"'; break;
      case '\\': simple = '\\'; break;
      case '/': simple = '/'; break;
      case 'b': simple = '\b'; break;
      case 'f': simple = '\f'; break;
      case 'n': simple = '\n'; break;
      case 'r': simple = '\r'; break;
      case 't': simple = '\t'; break;
      default: break;
    }
    if (simple) {
      out[written++] = simple;
      pos += 2;
      continue;
    }
    const long unit = read_unit(in, pos);
    if (unit < 0) {
      out[written++] = c;
      ++pos;
      continue;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const long low = read_unit(in, pos + 6);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        const unsigned long code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        written += put_utf8(code, out + written);
        pos += 12;
        continue;
      }
    }
    written += put_utf8(static_cast<unsigned long>(unit), out + written);
    pos += 6;
  }
  return written;
}

bool parse_asctime(std::string_view text, CivilTime& out) noexcept {
  if (text.size() != kAsctimeSize || text[4] != '-' || text[7] != '-' || text[10] != ' ' ||
      text[13] != ':' || text[16] != ':' || text[19] != ',')
    return false;
  bool digits = true;
  auto num = [&](size_t at, size_t len) {
    int value = 0;
    for (size_t i = at; i < at + len; ++i) {
      const unsigned digit = static_cast<unsigned char>(text[i]) - '0';
      digits &= digit <= 9;
      value = value * 10 + static_cast<int>(digit);
    }
    return value;
  };
  out = CivilTime{num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2), num(20, 3)};
  return digits && out.month >= 1 && out.month <= 12 && out.day >= 1 && out.day <= 31 &&
         out.hour < 24 && out.minute < 60 && out.second <= 60;
}

int64_t days_from_civil(int year, int month, int day) noexcept {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace tailcast::stages::ray
