// Helpers shared by the files of GoTemplate's functions (go_template_funcs.cc, _text.cc,
// _builtins.cc): argument checks as Go's calls make them and Sprig's loose conversions.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "stages/go_template_ast.h"

namespace tailcast::stages::go_template {

// A string parameter: Go refuses anything else, nil included.
inline bool as_string(const Value& value, std::string_view& out) {
  if (value.kind != Kind::kString) return false;
  out = value.text;
  return true;
}
inline bool as_int(const Value& value, int64_t& out) {
  if (value.kind != Kind::kInt) return false;
  out = value.integer;
  return true;
}
inline std::string_view keep(Call& call, std::string_view text) {
  return call.scratch.arena.copy(text);
}
inline bool set_string(Call& call, Value& result, std::string_view text) {
  result = Value::string(keep(call, text));
  return true;
}

// Sprig's strval: fmt's %v of any value, "<nil>" for nil.
std::string_view loose_string(Call& call, const Value& value);
// spf13/cast's ToInt64 and ToFloat64 as Sprig's math uses them: unparsable or nil is 0.
int64_t loose_int(const Value& value);
double loose_float(const Value& value);
// Sprig's empty().
bool is_empty(const Value& value);
// Decodes one code point; an invalid byte comes back alone, as its negated value.
int32_t decode(std::string_view text, size_t& i);
bool is_unicode_space(int32_t code);
// strconv.Quote for the printable ASCII subset; other bytes are escaped as Go escapes them.
void append_quoted(std::string& out, std::string_view text, char quote);

std::span<const Function> text_functions();
std::span<const Function> builtin_functions();

}  // namespace tailcast::stages::go_template
