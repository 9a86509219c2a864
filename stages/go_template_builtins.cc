// GoTemplate's builtins: Go's and, or, not, len, comparisons, print/printf/println, html and
// urlquery, and Sprig's number functions and base64.
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "stages/go_template_funcs.h"

namespace tailcast::stages::go_template {
namespace {

// ---- numbers ---------------------------------------------------------------------------------

// Sprig's atoi: strconv.Atoi, 0 when the text is not a number.
bool fn_atoi(Call& call, Value& result) {
  std::string_view text;
  if (!as_string(call.args[0], text)) return false;
  int64_t value = 0;
  std::string_view digits = text;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative || (!digits.empty() && digits[0] == '+')) digits.remove_prefix(1);
  auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (parsed.ec != std::errc() || parsed.ptr != digits.data() + digits.size() || digits.empty())
    value = 0;
  result = Value::from_int(negative ? -value : value);
  return true;
}
bool fn_int(Call& call, Value& result) {
  result = Value::from_int(loose_int(call.args[0]));
  return true;
}
bool fn_float(Call& call, Value& result) {
  result = Value::from_float(loose_float(call.args[0]));
  return true;
}
bool fn_add(Call& call, Value& result) {
  int64_t sum = 0;
  for (const Value& arg : call.args) sum += loose_int(arg);
  result = Value::from_int(sum);
  return true;
}
bool fn_add1(Call& call, Value& result) {
  result = Value::from_int(loose_int(call.args[0]) + 1);
  return true;
}
bool fn_mul(Call& call, Value& result) {
  int64_t product = 1;
  for (const Value& arg : call.args) product *= loose_int(arg);
  result = Value::from_int(product);
  return true;
}
bool fn_sub(Call& call, Value& result) {
  result = Value::from_int(loose_int(call.args[0]) - loose_int(call.args[1]));
  return true;
}
bool fn_div(Call& call, Value& result) {
  const int64_t divisor = loose_int(call.args[1]);
  if (divisor == 0) return false;  // Go panics: integer divide by zero
  result = Value::from_int(loose_int(call.args[0]) / divisor);
  return true;
}
bool fn_mod(Call& call, Value& result) {
  const int64_t divisor = loose_int(call.args[1]);
  if (divisor == 0) return false;
  result = Value::from_int(loose_int(call.args[0]) % divisor);
  return true;
}
bool fn_max(Call& call, Value& result) {
  int64_t best = loose_int(call.args[0]);
  for (const Value& arg : call.args.subspan(1)) best = std::max(best, loose_int(arg));
  result = Value::from_int(best);
  return true;
}
bool fn_min(Call& call, Value& result) {
  int64_t best = loose_int(call.args[0]);
  for (const Value& arg : call.args.subspan(1)) best = std::min(best, loose_int(arg));
  result = Value::from_int(best);
  return true;
}

// ---- Go's builtins -----------------------------------------------------------------------------

bool fn_not(Call& call, Value& result) {
  result = Value::from_bool(!truthy(call.args[0]));
  return true;
}
// len counts bytes; Go fails on nil and on values without a length.
bool fn_len(Call& call, Value& result) {
  std::string_view text;
  if (!as_string(call.args[0], text)) return false;
  result = Value::from_int(static_cast<int64_t>(text.size()));
  return true;
}

enum class Basic : uint8_t { kInvalid, kBool, kInt, kFloat, kString, kOther };
Basic basic_kind(const Value& value) {
  switch (value.kind) {
    case Kind::kMissing: return Basic::kInvalid;
    case Kind::kBool: return Basic::kBool;
    case Kind::kInt: return Basic::kInt;
    case Kind::kFloat: return Basic::kFloat;
    case Kind::kString: return Basic::kString;
    default: return Basic::kOther;
  }
}

// Go's eq: true when the first argument equals any other. Values of different kinds are an error,
// unless one of them is nil, which equals only nil.
bool fn_eq(Call& call, Value& result) {
  const Value& first = call.args[0];
  const Basic kind = basic_kind(first);
  for (const Value& other : call.args.subspan(1)) {
    const Basic other_kind = basic_kind(other);
    bool truth = false;
    if (kind != other_kind) {
      if (kind != Basic::kInvalid && other_kind != Basic::kInvalid) return false;
    } else {
      switch (kind) {
        case Basic::kInvalid: truth = true; break;
        case Basic::kBool: truth = first.boolean == other.boolean; break;
        case Basic::kInt: truth = first.integer == other.integer; break;
        case Basic::kFloat: truth = first.number == other.number; break;
        case Basic::kString: truth = first.text == other.text; break;
        case Basic::kOther:
          truth = first.integer == other.integer && first.nanos == other.nanos;
          break;
      }
    }
    if (truth) {
      result = Value::from_bool(true);
      return true;
    }
  }
  result = Value::from_bool(false);
  return true;
}
bool fn_ne(Call& call, Value& result) {
  if (!fn_eq(call, result)) return false;
  result.boolean = !result.boolean;
  return true;
}
// Go's lt over basic kinds of the same kind; anything else is an error. `order` < 0 is "less".
bool compare(Call& call, int& order) {
  const Value& a = call.args[0];
  const Value& b = call.args[1];
  const Basic kind = basic_kind(a);
  if (kind != basic_kind(b) || kind == Basic::kInvalid || kind == Basic::kBool ||
      kind == Basic::kOther)
    return false;
  if (kind == Basic::kInt) order = a.integer < b.integer ? -1 : a.integer > b.integer;
  else if (kind == Basic::kFloat) order = a.number < b.number ? -1 : a.number > b.number;
  else order = a.text.compare(b.text) < 0 ? -1 : a.text.compare(b.text) > 0;
  return true;
}
bool fn_lt(Call& call, Value& result) {
  int order = 0;
  if (!compare(call, order)) return false;
  result = Value::from_bool(order < 0);
  return true;
}
bool fn_le(Call& call, Value& result) {
  int order = 0;
  if (!compare(call, order)) return false;
  result = Value::from_bool(order <= 0);
  return true;
}
bool fn_gt(Call& call, Value& result) {
  int order = 0;
  if (!compare(call, order)) return false;
  result = Value::from_bool(order > 0);
  return true;
}
bool fn_ge(Call& call, Value& result) {
  int order = 0;
  if (!compare(call, order)) return false;
  result = Value::from_bool(order >= 0);
  return true;
}

void append_any(Call& call, std::string& out, const Value& value) {
  out.append(value.kind == Kind::kMissing ? std::string_view("<nil>") : loose_string(call, value));
}
// fmt.Sprint: a space between operands when neither side is a string.
bool fn_print(Call& call, Value& result) {
  std::string out;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i > 0 && call.args[i].kind != Kind::kString && call.args[i - 1].kind != Kind::kString)
      out.push_back(' ');
    append_any(call, out, call.args[i]);
  }
  return set_string(call, result, out);
}
bool fn_println(Call& call, Value& result) {
  std::string out;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i > 0) out.push_back(' ');
    append_any(call, out, call.args[i]);
  }
  out.push_back('\n');
  return set_string(call, result, out);
}

// fmt.Sprintf for the verbs templates use: %s %v %d %q %x %X %f %e %g %t %%, with flags, width and
// precision. A verb that does not fit its operand prints Go's "%!d(string=x)" form.
bool fn_printf(Call& call, Value& result) {
  std::string_view format;
  if (!as_string(call.args[0], format)) return false;
  std::string out;
  size_t next_arg = 1;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out.push_back(format[i]);
      continue;
    }
    std::string spec = "%";
    size_t j = i + 1;
    while (j < format.size() && std::string_view("-+# 0").find(format[j]) != std::string_view::npos)
      spec.push_back(format[j++]);
    while (j < format.size() && ((format[j] >= '0' && format[j] <= '9') || format[j] == '.'))
      spec.push_back(format[j++]);
    if (j >= format.size()) {
      out.append("%!(NOVERB)");
      break;
    }
    const char verb = format[j];
    i = j;
    if (verb == '%') {
      out.push_back('%');
      continue;
    }
    if (next_arg >= call.args.size()) {
      out.append("%!").push_back(verb);
      out.append("(MISSING)");
      continue;
    }
    const Value& arg = call.args[next_arg++];
    char buffer[512];
    auto put = [&](const std::string& c_spec, auto value) {
      std::snprintf(buffer, sizeof buffer, c_spec.c_str(), value);
      out.append(buffer);
    };
    if ((verb == 'd' || verb == 'x' || verb == 'X') && arg.kind == Kind::kInt) {
      put(spec + "ll" + verb, static_cast<long long>(arg.integer));
    } else if ((verb == 'f' || verb == 'e' || verb == 'g') && arg.kind == Kind::kFloat) {
      put(spec + verb, arg.number);
    } else if (verb == 't' && arg.kind == Kind::kBool) {
      put(spec + 's', arg.boolean ? "true" : "false");
    } else if ((verb == 's' || verb == 'v') && arg.kind != Kind::kMissing) {
      put(spec + 's', std::string(loose_string(call, arg)).c_str());
    } else if (verb == 'v') {
      put(spec + 's', "<nil>");
    } else if (verb == 'q' && arg.kind == Kind::kString) {
      append_quoted(out, arg.text, '"');
    } else if ((verb == 'x' || verb == 'X') && arg.kind == Kind::kString) {
      for (unsigned char c : arg.text) put(verb == 'x' ? "%02x" : "%02X", static_cast<unsigned>(c));
    } else {
      out.append("%!").push_back(verb);
      out.append(arg.kind == Kind::kMissing ? "(<nil>)" : "(");
      if (arg.kind != Kind::kMissing) {
        out.append(arg.kind == Kind::kString ? "string="
                   : arg.kind == Kind::kInt  ? "int="
                   : arg.kind == Kind::kBool ? "bool="
                                             : "float64=");
        out.append(loose_string(call, arg)).push_back(')');
      }
    }
  }
  if (next_arg < call.args.size()) out.append("%!(EXTRA)");
  return set_string(call, result, out);
}

bool fn_html(Call& call, Value& result) {
  std::string out;
  for (const Value& arg : call.args) {
    std::string printed;
    append_any(call, printed, arg);
    for (char c : printed) {
      switch (c) {
        case '<': out.append("&lt;"); break;
        case '>': out.append("&gt;"); break;
        case '&': out.append("&amp;"); break;
        case '"': out.append("&#34;"); break;
        case '\'': out.append("&#39;"); break;
        case '\0': out.append("\uFFFD"); break;
        default: out.push_back(c);
      }
    }
  }
  return set_string(call, result, out);
}
bool fn_urlquery(Call& call, Value& result) {
  std::string out;
  for (const Value& arg : call.args) {
    std::string printed;
    append_any(call, printed, arg);
    for (unsigned char c : printed) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.' || c == '~') {
        out.push_back(static_cast<char>(c));
      } else if (c == ' ') {
        out.push_back('+');
      } else {
        char buffer[4];
        std::snprintf(buffer, sizeof buffer, "%%%02X", c);
        out.append(buffer);
      }
    }
  }
  return set_string(call, result, out);
}

bool fn_b64enc(Call& call, Value& result) {
  std::string_view text;
  if (!as_string(call.args[0], text)) return false;
  char* out = call.scratch.arena.allocate(4 * ((text.size() + 2) / 3) + 1);
  const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out),
                                   reinterpret_cast<const unsigned char*>(text.data()),
                                   static_cast<int>(text.size()));
  result = Value::string({out, static_cast<size_t>(size)});
  return true;
}
// Sprig's b64dec returns the decoder's error text instead of failing.
bool fn_b64dec(Call& call, Value& result) {
  std::string_view text;
  if (!as_string(call.args[0], text)) return false;
  if (text.size() % 4 != 0) return set_string(call, result, "illegal base64 data at input byte 0");
  char* out = call.scratch.arena.allocate(text.size() / 4 * 3 + 1);
  int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out),
                             reinterpret_cast<const unsigned char*>(text.data()),
                             static_cast<int>(text.size()));
  if (size < 0) return set_string(call, result, "illegal base64 data at input byte 0");
  if (text.ends_with("==")) size -= 2;
  else if (text.ends_with("=")) size -= 1;
  result = Value::string({out, static_cast<size_t>(size)});
  return true;
}

bool fn_and_or(Call&, Value&) { return false; }  // evaluated lazily by the executor

constexpr Function kBuiltins[] = {
    {"and", 1, -1, fn_and_or},
    {"or", 1, -1, fn_and_or},
    {"not", 1, 1, fn_not},
    {"len", 1, 1, fn_len},
    {"eq", 2, -1, fn_eq},
    {"ne", 2, 2, fn_ne},
    {"lt", 2, 2, fn_lt},
    {"le", 2, 2, fn_le},
    {"gt", 2, 2, fn_gt},
    {"ge", 2, 2, fn_ge},
    {"print", 0, -1, fn_print},
    {"println", 0, -1, fn_println},
    {"printf", 1, -1, fn_printf},
    {"html", 0, -1, fn_html},
    {"urlquery", 0, -1, fn_urlquery},
    {"atoi", 1, 1, fn_atoi},
    {"int", 1, 1, fn_int},
    {"int64", 1, 1, fn_int},
    {"float64", 1, 1, fn_float},
    {"add", 0, -1, fn_add},
    {"add1", 1, 1, fn_add1},
    {"sub", 2, 2, fn_sub},
    {"mul", 1, -1, fn_mul},
    {"div", 2, 2, fn_div},
    {"mod", 2, 2, fn_mod},
    {"max", 1, -1, fn_max},
    {"min", 1, -1, fn_min},
    {"b64enc", 1, 1, fn_b64enc},
    {"b64dec", 1, 1, fn_b64dec},
};

}  // namespace

std::span<const Function> builtin_functions() { return kBuiltins; }

}  // namespace tailcast::stages::go_template
