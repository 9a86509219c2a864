// Reading and writing the positions file's text. Two top-level keys: `positions:` (block map of
// path → "offset", Promtail's) and `files:` (one flow map per line, tailcast's identity records).
// Anything else is a bad line, reported to the caller, who decides whether that is fatal.
#include "pipeline/tail/positions_text.h"

#include <charconv>
#include <cstdio>

namespace tailcast::tail {
namespace {

enum class Section { kNone, kPositions, kFiles };

// A cursor over one line.
struct Scan {
  std::string_view s;
  size_t i = 0;

  void skip_spaces() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  bool at_end_or_comment() {
    skip_spaces();
    return i == s.size() || s[i] == '#';
  }
  bool eat(char c) {
    skip_spaces();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
};

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool parse_hex(std::string_view text, uint64_t& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool parse_double_quoted(Scan& in, std::string& out) {
  ++in.i;  // opening quote
  while (in.i < in.s.size()) {
    char c = in.s[in.i++];
    if (c == '"') return true;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (in.i >= in.s.size()) return false;
    char e = in.s[in.i++];
    size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits != 0) {
      uint64_t cp = 0;
      if (in.i + digits > in.s.size() || !parse_hex(in.s.substr(in.i, digits), cp)) return false;
      in.i += digits;
      // \xNN is the one byte tailcast writes for bytes that are not UTF-8; \u and \U are
      // characters.
      if (e == 'x') {
        out.push_back(static_cast<char>(cp));
      } else {
        append_utf8(static_cast<uint32_t>(cp), out);
      }
      continue;
    }
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case '0':
        out.push_back('\0');
        break;
      case '\\':
      case '"':
      case '/':
      case ' ':
        out.push_back(e);
        break;
      default:
        return false;
    }
  }
  return false;
}

bool parse_single_quoted(Scan& in, std::string& out) {
  ++in.i;
  while (in.i < in.s.size()) {
    char c = in.s[in.i++];
    if (c != '\'') {
      out.push_back(c);
    } else if (in.i < in.s.size() && in.s[in.i] == '\'') {
      out.push_back('\'');
      ++in.i;
    } else {
      return true;
    }
  }
  return false;
}

// A scalar: quoted, or plain up to a character of `stops` (plain keys also stop at ": ").
bool parse_scalar(Scan& in, std::string_view stops, bool is_key, std::string& out) {
  in.skip_spaces();
  if (in.i < in.s.size() && in.s[in.i] == '"') return parse_double_quoted(in, out);
  if (in.i < in.s.size() && in.s[in.i] == '\'') return parse_single_quoted(in, out);
  size_t start = in.i;
  while (in.i < in.s.size() && stops.find(in.s[in.i]) == std::string_view::npos) {
    if (is_key && in.s[in.i] == ':' && (in.i + 1 == in.s.size() || in.s[in.i + 1] == ' ')) break;
    if (in.s[in.i] == '#' && in.i > start && in.s[in.i - 1] == ' ') break;
    ++in.i;
  }
  std::string_view plain = in.s.substr(start, in.i - start);
  while (!plain.empty() && (plain.back() == ' ' || plain.back() == '\t')) plain.remove_suffix(1);
  out.assign(plain);
  return !out.empty();
}

template <class T>
bool parse_number(std::string_view text, T& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// `- {path: "...", dev: 1, inode: 2, fingerprint: "hex", fingerprint_bytes: 1024, offset: 3,
// seen: 1700000000}`. Unknown keys are ignored so that later versions can add some.
bool parse_record(Scan& in, PositionRecord& record) {
  if (!in.eat('-') || !in.eat('{')) return false;
  bool has_dev = false;
  bool has_inode = false;
  bool has_offset = false;
  bool has_fingerprint_bytes = false;
  if (!in.eat('}')) {
    do {
      std::string key;
      std::string value;
      if (!parse_scalar(in, ":,}", false, key) || !in.eat(':')) return false;
      // A quoted value may be empty (a path not known); a plain one may not.
      if (!parse_scalar(in, ",}", false, value)) return false;
      bool ok = true;
      if (key == "path") {
        record.path = value;
      } else if (key == "dev") {
        ok = has_dev = parse_number(value, record.identity.dev);
      } else if (key == "inode") {
        ok = has_inode = parse_number(value, record.identity.inode);
      } else if (key == "fingerprint") {
        ok = parse_hex(value, record.identity.fingerprint);
      } else if (key == "fingerprint_bytes") {
        ok = has_fingerprint_bytes = parse_number(value, record.identity.fingerprint_bytes) &&
                                     record.identity.fingerprint_bytes <= kFingerprintBytes;
      } else if (key == "offset") {
        ok = has_offset = parse_number(value, record.offset);
      } else if (key == "seen") {
        ok = parse_number(value, record.seen_unix);
      }
      if (!ok) return false;
    } while (in.eat(','));
    if (!in.eat('}')) return false;
  }
  if (!has_fingerprint_bytes) record.identity.fingerprint_bytes = 0;
  return has_dev && has_inode && has_offset && in.at_end_or_comment();
}

void append_quoted(std::string_view text, std::string& out) {
  out.push_back('"');
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20 || byte == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      out.append(escaped);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace

bool parse_offset(std::string_view text, uint64_t& offset) noexcept {
  return parse_number(text, offset);
}

Result<void> parse_positions_text(std::string_view text, ParsedPositions& out,
                                  const BadLineFn& bad) {
  Section section = Section::kNone;
  size_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Scan in{line};
    if (in.at_end_or_comment()) continue;
    auto report = [&](const char* why) { return bad(number, why); };
    if (line.find('\0') != std::string_view::npos) {
      if (auto r = report("NUL bytes"); !r) return r;
      continue;
    }
    bool indented = line[0] == ' ' || line[0] == '\t';
    if (!indented && line[0] != '-') {
      std::string key;
      Scan top{line};
      if (!parse_scalar(top, ":", true, key) || !top.eat(':')) {
        section = Section::kNone;
        if (auto r = report("expected a top-level key"); !r) return r;
        continue;
      }
      top.skip_spaces();
      std::string_view rest = line.substr(top.i);
      bool empty_value =
          top.at_end_or_comment() || rest.starts_with("{}") || rest.starts_with("[]");
      if ((key == "positions" || key == "files") && empty_value) {
        section = !top.at_end_or_comment() ? Section::kNone
                  : key == "positions"     ? Section::kPositions
                                           : Section::kFiles;
        continue;
      }
      section = Section::kNone;
      if (auto r = report("unknown top-level key"); !r) return r;
      continue;
    }
    if (section == Section::kPositions) {
      std::string path;
      std::string value;
      Scan entry{line};
      bool ok = parse_scalar(entry, "", true, path) && entry.eat(':');
      if (ok) {
        entry.skip_spaces();
        ok = parse_scalar(entry, "", false, value) && entry.at_end_or_comment();
      }
      if (ok) {
        out.paths.emplace_back(std::move(path), std::move(value));
      } else if (auto r = report("expected `path: \"offset\"`"); !r) {
        return r;
      }
    } else if (section == Section::kFiles) {
      PositionRecord record;
      Scan entry{line};
      if (parse_record(entry, record)) {
        out.files.push_back(std::move(record));
      } else if (auto r = report("expected a file record"); !r) {
        return r;
      }
    } else if (auto r = report("entry outside `positions:` or `files:`"); !r) {
      return r;
    }
  }
  return {};
}

std::string render_positions_text(const std::vector<std::pair<std::string, std::string>>& view,
                                  const std::vector<const PositionRecord*>& files) {
  std::string out =
      "# Written by tailcast. `positions` is Promtail's path -> offset view; `files` keeps each\n"
      "# file's identity (device, inode, hash of its first bytes), which decides over the path.\n";
  out += view.empty() ? "positions: {}\n" : "positions:\n";
  for (const auto& [path, value] : view) {
    out += "  ";
    append_quoted(path, out);
    out += ": ";
    append_quoted(value, out);
    out += '\n';
  }
  out += files.empty() ? "files: []\n" : "files:\n";
  char hex[24];
  for (const PositionRecord* record : files) {
    out += "  - {path: ";
    append_quoted(record->path, out);
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(record->identity.fingerprint));
    out += ", dev: " + std::to_string(record->identity.dev) +
           ", inode: " + std::to_string(record->identity.inode) + ", fingerprint: \"" + hex +
           "\", fingerprint_bytes: " + std::to_string(record->identity.fingerprint_bytes) +
           ", offset: " + std::to_string(record->offset) +
           ", seen: " + std::to_string(record->seen_unix) + "}\n";
  }
  return out;
}

}  // namespace tailcast::tail
