// GoTemplate's string functions: Promtail's ToLower … TrimSpace and Replace, and Sprig's string,
// quoting and default functions. Go works on UTF-8 runes; so do these.
#include <wctype.h>

#include <algorithm>
#include <cstdio>
#include <locale.h>

#include "stages/go_template_funcs.h"

namespace tailcast::stages::go_template {

// Decodes one code point; an invalid byte comes back alone, as its negated value.
int32_t decode(std::string_view text, size_t& i) {
  const auto byte = static_cast<unsigned char>(text[i]);
  if (byte < 0x80) return ++i, byte;
  const int extra = (byte & 0xE0) == 0xC0 ? 1 : (byte & 0xF0) == 0xE0 ? 2 : (byte & 0xF8) == 0xF0 ? 3 : -1;
  if (extra < 0 || i + static_cast<size_t>(extra) >= text.size()) return ++i, -byte;
  int32_t code = byte & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    const auto next = static_cast<unsigned char>(text[i + static_cast<size_t>(k)]);
    if ((next & 0xC0) != 0x80) return ++i, -byte;
    code = (code << 6) | (next & 0x3F);
  }
  i += static_cast<size_t>(extra) + 1;
  return code;
}

bool is_unicode_space(int32_t code) {
  return code == ' ' || (code >= '\t' && code <= '\r') || code == 0x85 || code == 0xA0 ||
         code == 0x1680 || (code >= 0x2000 && code <= 0x200A) || code == 0x2028 ||
         code == 0x2029 || code == 0x202F || code == 0x205F || code == 0x3000;
}

// strconv.Quote for the printable ASCII subset; other bytes are escaped as Go escapes them.
void append_quoted(std::string& out, std::string_view text, char quote) {
  out.push_back(quote);
  for (unsigned char c : text) {
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c < 0x20 || c == 0x7F) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out.append(buffer);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back(quote);
}

namespace {

// ---- UTF-8 ---------------------------------------------------------------------------------


void encode(std::string& out, int32_t code) {
  if (code < 0) return out.push_back(static_cast<char>(-code)), void();
  if (code < 0x80) return out.push_back(static_cast<char>(code)), void();
  if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
  }
  out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
}

// Go's unicode.ToUpper/ToLower per code point, through glibc's C.UTF-8 tables.
locale_t utf8_locale() {
  static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return locale;
}

bool map_case(Call& call, Value& result, bool upper) {
  std::string_view text;
  if (!as_string(call.args[0], text)) return false;
  std::string& out = call.scratch.text;
  out.clear();
  const locale_t locale = utf8_locale();
  for (size_t i = 0; i < text.size();) {
    int32_t code = decode(text, i);
    if (code >= 0x80 && locale)
      code = static_cast<int32_t>(upper ? towupper_l(static_cast<wint_t>(code), locale)
                                        : towlower_l(static_cast<wint_t>(code), locale));
    else if (code >= 'a' && code <= 'z' && upper)
      code -= 32;
    else if (code >= 'A' && code <= 'Z' && !upper)
      code += 32;
    encode(out, code);
  }
  return set_string(call, result, out);
}
bool fn_upper(Call& call, Value& result) { return map_case(call, result, true); }
bool fn_lower(Call& call, Value& result) { return map_case(call, result, false); }


bool in_cutset(std::string_view cutset, int32_t code) {
  for (size_t i = 0; i < cutset.size();)
    if (decode(cutset, i) == code) return true;
  return false;
}

// Trims leading and/or trailing code points for which `cut` holds.
template <class Cut>
std::string_view trim_runes(std::string_view text, bool left, bool right, Cut cut) {
  if (left) {
    size_t i = 0;
    while (i < text.size()) {
      size_t next = i;
      if (!cut(decode(text, next))) break;
      i = next;
    }
    text.remove_prefix(i);
  }
  if (right) {
    size_t keep_end = 0;
    for (size_t i = 0; i < text.size();)
      if (!cut(decode(text, i))) keep_end = i;
    text = text.substr(0, keep_end);
  }
  return text;
}

bool trim_with(Call& call, Value& result, bool left, bool right) {
  std::string_view text, cutset;
  if (!as_string(call.args[0], text) || !as_string(call.args[1], cutset)) return false;
  result = Value::string(
      trim_runes(text, left, right, [&](int32_t code) { return in_cutset(cutset, code); }));
  return true;
}
bool fn_trim(Call& call, Value& result) { return trim_with(call, result, true, true); }
bool fn_trim_left(Call& call, Value& result) { return trim_with(call, result, true, false); }
bool fn_trim_right(Call& call, Value& result) { return trim_with(call, result, false, true); }
bool fn_trim_space(Call& call, Value& result) {
  std::string_view text;
  if (!as_string(call.args[0], text)) return false;
  result = Value::string(trim_runes(text, true, true, is_unicode_space));
  return true;
}
// Sprig's trim: strings.TrimSpace.
bool fn_sprig_trim(Call& call, Value& result) { return fn_trim_space(call, result); }
// Sprig's trimAll(cutset, s).
bool fn_trim_all(Call& call, Value& result) {
  std::string_view cutset, text;
  if (!as_string(call.args[0], cutset) || !as_string(call.args[1], text)) return false;
  result = Value::string(
      trim_runes(text, true, true, [&](int32_t code) { return in_cutset(cutset, code); }));
  return true;
}

// Promtail's TrimPrefix(s, prefix) and Sprig's trimPrefix(prefix, s).
bool trim_affix(Call& call, Value& result, bool prefix, bool sprig_order) {
  std::string_view text, affix;
  if (!as_string(call.args[sprig_order ? 1 : 0], text) ||
      !as_string(call.args[sprig_order ? 0 : 1], affix))
    return false;
  if (prefix && text.starts_with(affix)) text.remove_prefix(affix.size());
  if (!prefix && text.ends_with(affix)) text.remove_suffix(affix.size());
  result = Value::string(text);
  return true;
}
bool fn_trim_prefix(Call& call, Value& result) { return trim_affix(call, result, true, false); }
bool fn_trim_suffix(Call& call, Value& result) { return trim_affix(call, result, false, false); }
bool fn_sprig_trim_prefix(Call& call, Value& result) { return trim_affix(call, result, true, true); }
bool fn_sprig_trim_suffix(Call& call, Value& result) {
  return trim_affix(call, result, false, true);
}

// strings.Replace(s, old, new, n): n < 0 replaces all; an empty `old` matches between runes.
bool replace_text(Call& call, Value& result, std::string_view text, std::string_view old,
                  std::string_view with, int64_t limit) {
  std::string& out = call.scratch.text;
  out.clear();
  int64_t done = 0;
  size_t i = 0;
  if (old.empty()) {
    while (limit < 0 || done < limit) {
      out.append(with);
      ++done;
      if (i >= text.size()) break;
      const size_t start = i;
      decode(text, i);
      out.append(text.substr(start, i - start));
    }
    out.append(text.substr(std::min(i, text.size())));
    return set_string(call, result, out);
  }
  while (limit < 0 || done < limit) {
    const size_t found = text.find(old, i);
    if (found == std::string_view::npos) break;
    out.append(text.substr(i, found - i));
    out.append(with);
    i = found + old.size();
    ++done;
  }
  out.append(text.substr(i));
  return set_string(call, result, out);
}
bool fn_replace(Call& call, Value& result) {
  std::string_view text, old, with;
  int64_t limit = 0;
  if (!as_string(call.args[0], text) || !as_string(call.args[1], old) ||
      !as_string(call.args[2], with) || !as_int(call.args[3], limit))
    return false;
  return replace_text(call, result, text, old, with, limit);
}
// Sprig's replace(old, new, s).
bool fn_sprig_replace(Call& call, Value& result) {
  std::string_view text, old, with;
  if (!as_string(call.args[0], old) || !as_string(call.args[1], with) ||
      !as_string(call.args[2], text))
    return false;
  return replace_text(call, result, text, old, with, -1);
}

// ---- Sprig strings ---------------------------------------------------------------------------

bool fn_contains(Call& call, Value& result) {
  std::string_view needle, text;
  if (!as_string(call.args[0], needle) || !as_string(call.args[1], text)) return false;
  result = Value::from_bool(text.find(needle) != std::string_view::npos);
  return true;
}
bool fn_has_prefix(Call& call, Value& result) {
  std::string_view affix, text;
  if (!as_string(call.args[0], affix) || !as_string(call.args[1], text)) return false;
  result = Value::from_bool(text.starts_with(affix));
  return true;
}
bool fn_has_suffix(Call& call, Value& result) {
  std::string_view affix, text;
  if (!as_string(call.args[0], affix) || !as_string(call.args[1], text)) return false;
  result = Value::from_bool(text.ends_with(affix));
  return true;
}
// trunc(n, s) counts bytes, as Sprig slices the string.
bool fn_trunc(Call& call, Value& result) {
  int64_t count = 0;
  std::string_view text;
  if (!as_int(call.args[0], count) || !as_string(call.args[1], text)) return false;
  const auto size = static_cast<int64_t>(text.size());
  if (count < 0 && size + count > 0) text.remove_prefix(static_cast<size_t>(size + count));
  else if (count >= 0 && size > count) text = text.substr(0, static_cast<size_t>(count));
  result = Value::string(text);
  return true;
}
bool fn_substr(Call& call, Value& result) {
  int64_t start = 0, end = 0;
  std::string_view text;
  if (!as_int(call.args[0], start) || !as_int(call.args[1], end) ||
      !as_string(call.args[2], text))
    return false;
  const auto size = static_cast<int64_t>(text.size());
  if (start < 0) start = 0, end = std::min(end, size);
  else if (end < 0 || end > size) end = size;
  if (start > end || start > size || end < 0) return false;  // Go panics on the slice
  result = Value::string(text.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
  return true;
}
bool fn_repeat(Call& call, Value& result) {
  int64_t count = 0;
  std::string_view text;
  if (!as_int(call.args[0], count) || !as_string(call.args[1], text) || count < 0) return false;
  std::string& out = call.scratch.text;
  out.clear();
  for (int64_t i = 0; i < count; ++i) out.append(text);
  return set_string(call, result, out);
}
bool fn_title(Call& call, Value& result) {
  std::string_view text;
  if (!as_string(call.args[0], text)) return false;
  std::string& out = call.scratch.text;
  out.assign(text);
  bool start = true;
  for (char& c : out) {
    if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    start = c == ' ' || c == '\t' || c == '\n' || c == '-' || c == '_';
  }
  return set_string(call, result, out);
}
bool fn_nospace(Call& call, Value& result) {
  std::string_view text;
  if (!as_string(call.args[0], text)) return false;
  std::string& out = call.scratch.text;
  out.clear();
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    if (!is_unicode_space(decode(text, i))) out.append(text.substr(start, i - start));
  }
  return set_string(call, result, out);
}
bool fn_indent(Call& call, Value& result) {
  int64_t spaces = 0;
  std::string_view text;
  if (!as_int(call.args[0], spaces) || !as_string(call.args[1], text) || spaces < 0) return false;
  const std::string pad(static_cast<size_t>(spaces), ' ');
  std::string out = pad;
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out.append(pad);
  }
  return set_string(call, result, out);
}
bool fn_nindent(Call& call, Value& result) {
  if (!fn_indent(call, result)) return false;
  std::string out = "\n";
  out.append(result.text);
  return set_string(call, result, out);
}

bool join_args(Call& call, Value& result, char quote) {
  std::string out;
  for (const Value& arg : call.args) {
    if (arg.kind == Kind::kMissing) continue;
    if (!out.empty()) out.push_back(' ');
    const std::string_view text = loose_string(call, arg);
    if (quote == '"') append_quoted(out, text, '"');
    else if (quote == '\'') out.append("'").append(text).append("'");
    else out.append(text);
  }
  return set_string(call, result, out);
}
bool fn_quote(Call& call, Value& result) { return join_args(call, result, '"'); }
bool fn_squote(Call& call, Value& result) { return join_args(call, result, '\''); }
bool fn_cat(Call& call, Value& result) { return join_args(call, result, 0); }
bool fn_to_string(Call& call, Value& result) {
  result = Value::string(loose_string(call, call.args[0]));
  return true;
}

bool fn_default(Call& call, Value& result) {
  result = call.args.size() < 2 || is_empty(call.args[1]) ? call.args[0] : call.args[1];
  return true;
}
bool fn_empty(Call& call, Value& result) {
  result = Value::from_bool(is_empty(call.args[0]));
  return true;
}
bool fn_coalesce(Call& call, Value& result) {
  for (const Value& arg : call.args) {
    if (!is_empty(arg)) {
      result = arg;
      return true;
    }
  }
  result = Value{};
  return true;
}
bool fn_ternary(Call& call, Value& result) {
  if (call.args[2].kind != Kind::kBool) return false;
  result = call.args[2].boolean ? call.args[0] : call.args[1];
  return true;
}


constexpr Function kText[] = {
    {"ToLower", 1, 1, fn_lower},
    {"ToUpper", 1, 1, fn_upper},
    {"Replace", 4, 4, fn_replace},
    {"Trim", 2, 2, fn_trim},
    {"TrimLeft", 2, 2, fn_trim_left},
    {"TrimRight", 2, 2, fn_trim_right},
    {"TrimPrefix", 2, 2, fn_trim_prefix},
    {"TrimSuffix", 2, 2, fn_trim_suffix},
    {"TrimSpace", 1, 1, fn_trim_space},
    {"upper", 1, 1, fn_upper},
    {"lower", 1, 1, fn_lower},
    {"title", 1, 1, fn_title},
    {"trim", 1, 1, fn_sprig_trim},
    {"trimAll", 2, 2, fn_trim_all},
    {"trimPrefix", 2, 2, fn_sprig_trim_prefix},
    {"trimSuffix", 2, 2, fn_sprig_trim_suffix},
    {"replace", 3, 3, fn_sprig_replace},
    {"contains", 2, 2, fn_contains},
    {"hasPrefix", 2, 2, fn_has_prefix},
    {"hasSuffix", 2, 2, fn_has_suffix},
    {"trunc", 2, 2, fn_trunc},
    {"substr", 3, 3, fn_substr},
    {"repeat", 2, 2, fn_repeat},
    {"nospace", 1, 1, fn_nospace},
    {"indent", 2, 2, fn_indent},
    {"nindent", 2, 2, fn_nindent},
    {"quote", 0, -1, fn_quote},
    {"squote", 0, -1, fn_squote},
    {"cat", 0, -1, fn_cat},
    {"toString", 1, 1, fn_to_string},
    {"default", 1, 2, fn_default},
    {"empty", 1, 1, fn_empty},
    {"coalesce", 0, -1, fn_coalesce},
    {"ternary", 3, 3, fn_ternary},
};

}  // namespace

std::span<const Function> text_functions() { return kText; }

}  // namespace tailcast::stages::go_template
