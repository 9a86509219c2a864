// LogQL log selector parser (a hand-written recursive descent over LogQL 2.8's grammar for stream
// selectors, line filters and label filters) and the per-line matcher.
#include "stages/logql_selector.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "pipeline/config/node.h"

namespace tailcast::stages {

bool unquote_go_string(std::string_view quoted, std::string& out) {
  out.clear();
  if (quoted.size() < 2) return false;
  if (quoted.front() == '`') {
    if (quoted.back() != '`') return false;
    out.assign(quoted.substr(1, quoted.size() - 2));
    return true;
  }
  if (quoted.front() != '"' || quoted.back() != '"') return false;
  std::string_view body = quoted.substr(1, quoted.size() - 2);
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  auto append_utf8 = [&](uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '"' || c == '\n') return false;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return false;
    switch (char e = body[i]) {
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case 'x': case 'u': case 'U': {
        const size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t value = 0;
        for (size_t k = 1; k <= digits; ++k) {
          if (i + k >= body.size()) return false;
          int d = hex(body[i + k]);
          if (d < 0) return false;
          value = value * 16 + static_cast<uint32_t>(d);
        }
        i += digits;
        if (e == 'x') out += static_cast<char>(value);
        else if (value > 0x10FFFF || (value >= 0xD800 && value < 0xE000)) return false;
        else append_utf8(value);
        break;
      }
      default: {
        if (e < '0' || e > '7' || i + 2 >= body.size()) return false;
        uint32_t value = 0;
        for (size_t k = 0; k < 3; ++k) {
          char d = body[i + k];
          if (d < '0' || d > '7') return false;
          value = value * 8 + static_cast<uint32_t>(d - '0');
        }
        if (value > 255) return false;
        out += static_cast<char>(value);
        i += 2;
      }
    }
  }
  return true;
}

std::optional<double> parse_logql_bytes(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) ||
                                  text[digits] == '.'))
    ++digits;
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (digits == 0 || ec != std::errc() || end != text.data() + digits) return std::nullopt;
  char folded[4];  // the longest unit, "kib", lower-cased without allocating
  size_t length = 0;
  for (char c : text.substr(digits)) {
    if (c == ' ') continue;
    if (length == sizeof folded) return std::nullopt;
    folded[length++] = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const std::string_view unit(folded, length);
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"", 1},          {"b", 1},         {"k", 1e3},   {"kb", 1e3},   {"m", 1e6},
      {"mb", 1e6},      {"g", 1e9},       {"gb", 1e9},  {"t", 1e12},   {"tb", 1e12},
      {"kib", 1024.0},  {"ki", 1024.0},   {"mib", 1048576.0},          {"mi", 1048576.0},
      {"gib", 1073741824.0},              {"gi", 1073741824.0},        {"tib", 1099511627776.0},
      {"ti", 1099511627776.0}};
  for (const auto& [name, factor] : kUnits)
    if (unit == name) return number * factor;
  return std::nullopt;
}

namespace {

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_seconds(std::string_view text) {
  auto value = config::parse_duration(text);
  if (!value) return std::nullopt;
  return std::chrono::duration<double>(*value).count();
}

}  // namespace

bool LogSelector::Comparison::accepts(std::string_view value) const noexcept {
  const re2::StringPiece piece(value.data(), value.size());
  if (kind != Kind::kString) {
    std::optional<double> parsed = kind == Kind::kNumber     ? parse_number(value)
                                   : kind == Kind::kDuration ? parse_seconds(value)
                                                             : parse_logql_bytes(value);
    // LogQL marks such lines with __error__; a line whose label is not a number does not match.
    if (!parsed) return false;
    const double v = *parsed;
    switch (op) {
      case Op::kEqual: return v == number;
      case Op::kNotEqual: return v != number;
      case Op::kGreater: return v > number;
      case Op::kGreaterEqual: return v >= number;
      case Op::kLess: return v < number;
      case Op::kLessEqual: return v <= number;
      default: return false;
    }
  }
  switch (op) {
    case Op::kEqual: return value == text;
    case Op::kNotEqual: return value != text;
    case Op::kRegex: return re2::RE2::FullMatch(piece, *regex);
    case Op::kNotRegex: return !re2::RE2::FullMatch(piece, *regex);
    case Op::kContains: return value.find(text) != std::string_view::npos;
    case Op::kNotContains: return value.find(text) == std::string_view::npos;
    case Op::kLineRegex: return re2::RE2::PartialMatch(piece, *regex);
    case Op::kNotLineRegex: return !re2::RE2::PartialMatch(piece, *regex);
    default: return false;
  }
}

bool LogSelector::evaluate(int index, const LabelSet& labels) const noexcept {
  const FilterNode& node = nodes_[static_cast<size_t>(index)];
  switch (node.type) {
    case FilterNode::Type::kAnd:
      return evaluate(node.left, labels) && evaluate(node.right, labels);
    case FilterNode::Type::kOr:
      return evaluate(node.left, labels) || evaluate(node.right, labels);
    case FilterNode::Type::kLeaf: {
      const std::string_view* value = labels.get(node.leaf.name);
      return node.leaf.accepts(value ? *value : std::string_view());
    }
  }
  return false;
}

bool LogSelector::matches(const LabelSet& labels, std::string_view line) const noexcept {
  for (const Comparison& matcher : matchers_) {
    const std::string_view* value = labels.get(matcher.name);
    if (!matcher.accepts(value ? *value : std::string_view())) return false;
  }
  for (const Comparison& filter : line_filters_)
    if (!filter.accepts(line)) return false;
  for (int root : label_filters_)
    if (!evaluate(root, labels)) return false;
  return true;
}

}  // namespace tailcast::stages
