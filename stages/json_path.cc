// JsonPath parsing, on-demand evaluation and the text forms Promtail gives JSON values.
#include "stages/json_path.h"

#include <charconv>
#include <cstring>

namespace tailcast::stages {
namespace {

namespace od = simdjson::ondemand;

bool is_identifier_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_identifier_char(char c) noexcept {
  return is_identifier_start(c) || (c >= '0' && c <= '9');
}
bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_right(std::string_view text) noexcept {
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

Error path_error(std::string_view expression, std::string_view why) {
  return make_error(Errc::kInvalidConfig, "invalid JSON expression \"" + std::string(expression) +
                                              "\": " + std::string(why));
}

// Walks every value so that a line is accepted only if all of it is valid JSON, as Go decodes it.
bool validate(od::value value, int depth) noexcept {
  if (depth > 1024) return false;
  od::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (value.get_object().get(object)) return false;
      for (auto field : object) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return false;
        if (!validate(field.value(), depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::array: {
      od::array array;
      if (value.get_array().get(array)) return false;
      for (auto element : array) {
        od::value item;
        if (element.get(item) || !validate(item, depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::number: {
      double number;
      return !value.get_double().get(number);
    }
    case od::json_type::string: {
      std::string_view text;
      return !value.get_string().get(text);
    }
    case od::json_type::boolean: {
      bool flag;
      return !value.get_bool().get(flag);
    }
    case od::json_type::null: {
      bool null = false;
      return !value.is_null().get(null) && null;
    }
  }
  return false;
}

void append_utf8(uint32_t code, char*& out) noexcept {
  if (code < 0x80) {
    *out++ = static_cast<char>(code);
  } else if (code < 0x800) {
    *out++ = static_cast<char>(0xC0 | (code >> 6));
    *out++ = static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (code >> 12));
    *out++ = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (code & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (code >> 18));
    *out++ = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Four hex digits at `text[at]`, or -1.
int32_t hex4(std::string_view text, size_t at) noexcept {
  if (at + 4 > text.size()) return -1;
  int32_t value = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = text[i];
    int digit = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

}  // namespace

Result<JsonPath> JsonPath::parse(std::string_view expression) {
  JsonPath path;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < expression.size() && is_space(expression[i])) ++i;
  };
  bool expect_name = true;  // at the start, or after a dot
  bool after_dot = false;
  skip_space();
  if (i == expression.size()) return path_error(expression, "it is empty");
  while (i < expression.size()) {
    char c = expression[i];
    if (c == '[') {
      if (after_dot) return path_error(expression, "a key must follow '.'");
      size_t close = expression.find(']', i);
      if (close == std::string_view::npos) return path_error(expression, "'[' is not closed");
      std::string_view inside = expression.substr(i + 1, close - i - 1);
      while (!inside.empty() && is_space(inside.front())) inside.remove_prefix(1);
      inside = trim_right(inside);
      int64_t index = 0;
      auto [end, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), index);
      if (inside.empty() || ec != std::errc() || end != inside.data() + inside.size())
        return path_error(expression,
                          "only integer array indexes such as [0] or [-1] are supported "
                          "(no projections, slices or filters)");
      path.steps_.push_back(JsonPathStep{true, {}, index});
      i = close + 1;
      expect_name = false;
    } else if (c == '.') {
      if (expect_name || after_dot) return path_error(expression, "unexpected '.'");
      after_dot = true;
      ++i;
      skip_space();
      continue;
    } else if (c == '"') {
      if (!expect_name && !after_dot) return path_error(expression, "expected '.' before a key");
      size_t close = i + 1;
      while (close < expression.size() && expression[close] != '"')
        close += expression[close] == '\\' ? 2 : 1;
      if (close >= expression.size()) return path_error(expression, "a quoted key is not closed");
      std::string_view body = expression.substr(i + 1, close - i - 1);
      std::string key(body.size(), '\0');
      ptrdiff_t length = unescape_json_string(body, key.data());
      if (length < 0) return path_error(expression, "a quoted key has a bad escape");
      key.resize(static_cast<size_t>(length));
      path.steps_.push_back(JsonPathStep{false, std::move(key), 0});
      i = close + 1;
    } else if (is_identifier_start(c)) {
      if (!expect_name && !after_dot) return path_error(expression, "expected '.' before a key");
      size_t end = i;
      while (end < expression.size() && is_identifier_char(expression[end])) ++end;
      path.steps_.push_back(JsonPathStep{false, std::string(expression.substr(i, end - i)), 0});
      i = end;
    } else {
      return path_error(
          expression, std::string("unexpected '") + c +
                          "'; keys that are not plain identifiers must be double-quoted, and only "
                          "keys, '.' and [index] are supported");
    }
    expect_name = false;
    after_dot = false;
    skip_space();
  }
  if (after_dot) return path_error(expression, "it ends with '.'");
  return path;
}

JsonLoad JsonDocument::load(std::string_view text) noexcept {
  source_ = text;
  state_ = JsonLoad::kMalformed;
  const size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
  if (needed > capacity_) {
    capacity_ = needed < 4096 ? 4096 : needed + needed / 2;
    padded_.reset(new (std::nothrow) char[capacity_]);
    if (!padded_) {
      capacity_ = 0;
      return state_;
    }
  }
  if (!text.empty()) std::memcpy(padded_.get(), text.data(), text.size());
  std::memset(padded_.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
  if (parser_.iterate(padded_.get(), text.size(), capacity_).get(doc_)) return state_;
  od::json_type type;
  if (doc_.type().get(type)) return state_;
  if (type == od::json_type::null) {
    bool null = false;
    if (!doc_.is_null().get(null) && null) state_ = JsonLoad::kNull;
    return state_;
  }
  if (type != od::json_type::object) return state_;
  od::value root;
  if (doc_.get_value().get(root) || !validate(root, 0)) return state_;
  // Anything after the closing brace makes the line malformed, as for Go.
  const char* rest = nullptr;
  if (doc_.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) return state_;
  state_ = JsonLoad::kObject;
  return state_;
}

std::string_view JsonDocument::to_source(std::string_view padded) const noexcept {
  const size_t offset = static_cast<size_t>(padded.data() - padded_.get());
  return source_.substr(offset, padded.size());
}

JsonValue JsonDocument::evaluate(const JsonPath& path, Arena& arena) noexcept {
  if (state_ != JsonLoad::kObject) return {};
  doc_.rewind();
  od::value current;
  if (doc_.get_value().get(current)) return {};
  for (const JsonPathStep& step : path.steps()) {
    if (!step.is_index) {
      od::object object;
      if (current.get_object().get(object)) return {};
      if (object.find_field_unordered(step.key).get(current)) return {};
      continue;
    }
    od::array array;
    if (current.get_array().get(array)) return {};
    int64_t wanted = step.index;
    if (wanted < 0) {
      size_t count = 0;
      if (array.count_elements().get(count)) return {};
      wanted += static_cast<int64_t>(count);
      if (wanted < 0) return {};
    }
    bool found = false;
    int64_t position = 0;
    for (auto element : array) {
      if (position++ != wanted) continue;
      if (element.get(current)) return {};
      found = true;
      break;
    }
    if (!found) return {};
  }
  return convert(current, arena);
}

JsonValue JsonDocument::convert(od::value value, Arena& arena) noexcept {
  od::json_type type;
  if (value.type().get(type)) return {};
  switch (type) {
    case od::json_type::string: {
      std::string_view token = trim_right(value.raw_json_token());
      if (token.size() >= 2 && token.find('\\') == std::string_view::npos)
        return {to_source(token.substr(1, token.size() - 2)), FieldType::kString};
      std::string_view decoded;
      if (value.get_string().get(decoded)) return {};
      return {arena.copy(decoded), FieldType::kString};
    }
    case od::json_type::number: {
      double number = 0;
      if (value.get_double().get(number)) return {};
      std::string_view token = trim_right(value.raw_json_token());
      char buffer[kGoFloatMaxChars];
      std::string_view text = format_go_float(number, buffer);
      if (text == token) return {to_source(token), FieldType::kNumber};
      return {arena.copy(text), FieldType::kNumber};
    }
    case od::json_type::boolean: {
      bool flag = false;
      if (value.get_bool().get(flag)) return {};
      return {flag ? std::string_view("true") : std::string_view("false"), FieldType::kBool};
    }
    case od::json_type::null:
      return {};
    case od::json_type::object:
    case od::json_type::array: {
      std::string_view raw;
      if (type == od::json_type::object) {
        od::object object;
        if (value.get_object().get(object) || object.raw_json().get(raw)) return {};
      } else {
        od::array array;
        if (value.get_array().get(array) || array.raw_json().get(raw)) return {};
      }
      raw = trim_right(raw);
      // Go re-encodes nested values compactly; drop the insignificant whitespace the same way.
      bool has_space = false;
      for (char c : raw) has_space = has_space || is_space(c);
      if (!has_space) return {to_source(raw), FieldType::kJson};
      char* out = arena.allocate(raw.size());
      size_t length = 0;
      if (simdjson::minify(raw.data(), raw.size(), out, length)) return {};
      return {std::string_view(out, length), FieldType::kJson};
    }
  }
  return {};
}

std::string_view format_go_float(double value, char (&buffer)[kGoFloatMaxChars]) noexcept {
  // Shortest round-trip digits in scientific form, then laid out without an exponent.
  char scientific[64];
  auto [end, ec] = std::to_chars(scientific, scientific + sizeof(scientific), value,
                                 std::chars_format::scientific);
  if (ec != std::errc()) return {};
  std::string_view text(scientific, static_cast<size_t>(end - scientific));
  size_t out = 0;
  if (text.front() == '-') {
    buffer[out++] = '-';
    text.remove_prefix(1);
  }
  const size_t e_at = text.find('e');
  int exponent = 0;
  std::from_chars(text.data() + e_at + (text[e_at + 1] == '+' ? 2 : 1), text.data() + text.size(),
                  exponent);
  char digits[32];
  size_t count = 0;
  for (size_t i = 0; i < e_at; ++i)
    if (text[i] != '.') digits[count++] = text[i];
  if (exponent < 0) {
    buffer[out++] = '0';
    buffer[out++] = '.';
    for (int i = -1; i > exponent; --i) buffer[out++] = '0';
    for (size_t i = 0; i < count; ++i) buffer[out++] = digits[i];
  } else {
    const size_t integer_digits = static_cast<size_t>(exponent) + 1;
    for (size_t i = 0; i < integer_digits; ++i) buffer[out++] = i < count ? digits[i] : '0';
    if (count > integer_digits) {
      buffer[out++] = '.';
      for (size_t i = integer_digits; i < count; ++i) buffer[out++] = digits[i];
    }
  }
  return {buffer, out};
}

ptrdiff_t unescape_json_string(std::string_view body, char* out) noexcept {
  char* const start = out;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (static_cast<unsigned char>(c) < 0x20) return -1;
    if (c != '\\') {
      *out++ = c;
      continue;
    }
    if (++i == body.size()) return -1;
    switch (body[i]) {
      case '"':
        *out++ = '"';
        break;
      case '\\':
        *out++ = '\\';
        break;
      case '/':
        *out++ = '/';
        break;
      case 'b':
        *out++ = '\b';
        break;
      case 'f':
        *out++ = '\f';
        break;
      case 'n':
        *out++ = '\n';
        break;
      case 'r':
        *out++ = '\r';
        break;
      case 't':
        *out++ = '\t';
        break;
      case 'u': {
        int32_t code = hex4(body, i + 1);
        if (code < 0) return -1;
        i += 4;
        if (code >= 0xD800 && code < 0xDC00) {
          int32_t low = (i + 2 < body.size() && body[i + 1] == '\\' && body[i + 2] == 'u')
                            ? hex4(body, i + 3)
                            : -1;
          if (low >= 0xDC00 && low < 0xE000) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          } else {
            code = 0xFFFD;
          }
        } else if (code >= 0xDC00 && code < 0xE000) {
          code = 0xFFFD;
        }
        append_utf8(static_cast<uint32_t>(code), out);
        break;
      }
      default:
        return -1;
    }
  }
  return out - start;
}

}  // namespace tailcast::stages
