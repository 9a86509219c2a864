// GoTemplate's function lookup, Sprig's loose conversions, and the hash and regex functions:
// Promtail's Hash, Sha2Hash, regexReplaceAll and regexReplaceAllLiteral, Sprig's regexMatch,
// regexFind, sha256sum and sha1sum. Arguments are checked as Go checks a call's parameter types:
// a missing value given where a string is expected is an execution error, which leaves the
// extracted value unchanged.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "stages/go_template_funcs.h"

namespace tailcast::stages::go_template {

// Sprig's strval: fmt's %v of any value, "<nil>" for nil.
std::string_view loose_string(Call& call, const Value& value) {
  if (value.kind == Kind::kString) return value.text;
  if (value.kind == Kind::kMissing) return "<nil>";
  std::string& text = call.scratch.text;
  text.clear();
  if (!append_printed(value, text)) text = "map[]";
  return keep(call, text);
}

// spf13/cast's ToInt64 as Sprig's math uses it: unparsable or nil is 0.
int64_t loose_int(const Value& value) {
  switch (value.kind) {
    case Kind::kInt: return value.integer;
    case Kind::kFloat: return static_cast<int64_t>(value.number);
    case Kind::kBool: return value.boolean ? 1 : 0;
    case Kind::kString: {
      int64_t out = 0;
      std::string_view text = value.text;
      const bool negative = !text.empty() && text[0] == '-';
      if (negative || (!text.empty() && text[0] == '+')) text.remove_prefix(1);
      int base = 10;
      if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
      }
      auto parsed = std::from_chars(text.data(), text.data() + text.size(), out, base);
      if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) return 0;
      return negative ? -out : out;
    }
    default: return 0;
  }
}

double loose_float(const Value& value) {
  if (value.kind == Kind::kFloat) return value.number;
  if (value.kind == Kind::kString) {
    double out = 0;
    auto parsed = std::from_chars(value.text.data(), value.text.data() + value.text.size(), out);
    return parsed.ec == std::errc() && parsed.ptr == value.text.data() + value.text.size() ? out
                                                                                            : 0;
  }
  return static_cast<double>(loose_int(value));
}

// Sprig's empty().
bool is_empty(const Value& value) { return value.kind == Kind::kTime ? false : !truthy(value); }


namespace {

bool digest(Call& call, Value& result, const EVP_MD* md, std::string_view first,
            std::string_view second) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx && EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, first.data(), first.size()) == 1 &&
                  EVP_DigestUpdate(ctx, second.data(), second.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, hash, &size) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return false;
  static constexpr char kHex[] = "0123456789abcdef";
  char* out = call.scratch.arena.allocate(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out[2 * i] = kHex[hash[i] >> 4];
    out[2 * i + 1] = kHex[hash[i] & 15];
  }
  result = Value::string({out, size * 2});
  return true;
}
// Promtail's Hash(salt, input) is SHA3-256 of salt+input; Sha2Hash the same with SHA-256.
bool fn_hash(Call& call, Value& result) {
  std::string_view salt, input;
  if (!as_string(call.args[0], salt) || !as_string(call.args[1], input)) return false;
  return digest(call, result, EVP_sha3_256(), salt, input);
}
bool fn_sha2_hash(Call& call, Value& result) {
  std::string_view salt, input;
  if (!as_string(call.args[0], salt) || !as_string(call.args[1], input)) return false;
  return digest(call, result, EVP_sha256(), salt, input);
}
bool fn_sha256sum(Call& call, Value& result) {
  std::string_view input;
  if (!as_string(call.args[0], input)) return false;
  return digest(call, result, EVP_sha256(), input, {});
}
bool fn_sha1sum(Call& call, Value& result) {
  std::string_view input;
  if (!as_string(call.args[0], input)) return false;
  return digest(call, result, EVP_sha1(), input, {});
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Go's Regexp.Expand of `$1`, `${1}`, `$name`, `${name}` and `$$` for one match.
void expand(std::string& out, std::string_view replacement, const re2::RE2& regex,
            const re2::StringPiece* groups, int group_count) {
  while (!replacement.empty()) {
    const size_t dollar = replacement.find('$');
    out.append(replacement.substr(0, dollar));
    if (dollar == std::string_view::npos) return;
    replacement.remove_prefix(dollar + 1);
    if (!replacement.empty() && replacement[0] == '$') {
      out.push_back('$');
      replacement.remove_prefix(1);
      continue;
    }
    std::string_view name;
    const bool braced = !replacement.empty() && replacement[0] == '{';
    size_t end = braced ? 1 : 0;
    while (end < replacement.size() && is_name_char(replacement[end])) ++end;
    name = replacement.substr(braced ? 1 : 0, end - (braced ? 1 : 0));
    if (name.empty() || (braced && (end >= replacement.size() || replacement[end] != '}'))) {
      out.push_back('$');  // malformed: the dollar is text
      continue;
    }
    replacement.remove_prefix(end + (braced ? 1 : 0));
    int index = -1;
    if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (name.size() < 9) std::from_chars(name.data(), name.data() + name.size(), index);
    } else {
      auto found = regex.NamedCapturingGroups().find(std::string(name));
      if (found != regex.NamedCapturingGroups().end()) index = found->second;
    }
    if (index >= 0 && index < group_count && groups[index].data())
      out.append(groups[index].data(), groups[index].size());
  }
}

// Go's Regexp.ReplaceAllString / ReplaceAllLiteralString, including its handling of empty matches.
bool regex_replace(Call& call, Value& result, bool literal) {
  std::string_view pattern, text, replacement;
  if (!as_string(call.args[0], pattern) || !as_string(call.args[1], text) ||
      !as_string(call.args[2], replacement))
    return false;
  const re2::RE2* regex = call.scratch.regex(pattern);
  if (!regex) return false;  // regexp.MustCompile panics; the template fails
  const int group_count = literal ? 1 : 1 + regex->NumberOfCapturingGroups();
  std::array<re2::StringPiece, 16> small;
  std::vector<re2::StringPiece> large;
  re2::StringPiece* groups = small.data();
  if (group_count > static_cast<int>(small.size())) {
    large.resize(static_cast<size_t>(group_count));
    groups = large.data();
  }
  std::string out;
  const re2::StringPiece input(text.data(), text.size());
  size_t last_end = 0, search = 0;
  while (search <= text.size()) {
    if (!regex->Match(input, search, text.size(), re2::RE2::UNANCHORED, groups, group_count)) break;
    const size_t begin = static_cast<size_t>(groups[0].data() - text.data());
    const size_t end = begin + groups[0].size();
    out.append(text.substr(last_end, begin - last_end));
    if (end > last_end || begin == 0) {
      if (literal) out.append(replacement);
      else expand(out, replacement, *regex, groups, group_count);
    }
    last_end = end;
    size_t width = 0;
    if (search < text.size()) {
      size_t i = search;
      decode(text, i);
      width = i - search;
    }
    if (search + width > end) search += width;
    else if (search + 1 > end) ++search;
    else search = end;
  }
  out.append(text.substr(std::min(last_end, text.size())));
  return set_string(call, result, out);
}
bool fn_regex_replace_all(Call& call, Value& result) { return regex_replace(call, result, false); }
bool fn_regex_replace_all_literal(Call& call, Value& result) {
  return regex_replace(call, result, true);
}
bool fn_regex_match(Call& call, Value& result) {
  std::string_view pattern, text;
  if (!as_string(call.args[0], pattern) || !as_string(call.args[1], text)) return false;
  const re2::RE2* regex = call.scratch.regex(pattern);
  if (!regex) return false;
  result = Value::from_bool(re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *regex));
  return true;
}
bool fn_regex_find(Call& call, Value& result) {
  std::string_view pattern, text;
  if (!as_string(call.args[0], pattern) || !as_string(call.args[1], text)) return false;
  const re2::RE2* regex = call.scratch.regex(pattern);
  if (!regex) return false;
  re2::StringPiece match;
  const re2::StringPiece input(text.data(), text.size());
  result = Value::string(
      regex->Match(input, 0, text.size(), re2::RE2::UNANCHORED, &match, 1)
          ? std::string_view(match.data(), match.size())
          : std::string_view());
  return true;
}


constexpr Function kRegex[] = {
    {"Hash", 2, 2, fn_hash},
    {"Sha2Hash", 2, 2, fn_sha2_hash},
    {"regexReplaceAll", 3, 3, fn_regex_replace_all},
    {"regexReplaceAllLiteral", 3, 3, fn_regex_replace_all_literal},
    {"regexMatch", 2, 2, fn_regex_match},
    {"regexFind", 2, 2, fn_regex_find},
    {"sha256sum", 1, 1, fn_sha256sum},
    {"sha1sum", 1, 1, fn_sha1sum},
    {"now", 0, 0, time_now},
    {"date", 2, 2, time_date},
    {"dateInZone", 3, 3, time_date_in_zone},
    {"toDate", 2, 2, time_to_date},
    {"unixEpoch", 1, 1, time_unix_epoch},
    {"htmlDate", 1, 1, time_html_date},
};

}  // namespace

const Function* find_function(std::string_view name) noexcept {
  for (auto functions : {text_functions(), builtin_functions(), std::span<const Function>(kRegex)})
    for (const Function& function : functions)
      if (function.name == name) return &function;
  return nullptr;
}

}  // namespace tailcast::stages::go_template
