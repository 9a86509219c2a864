// The compiled form of a GoTemplate and the values it computes with. Internal to go_template*.cc:
// the parser builds a Program once, the executor walks it per line without allocating.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pipeline/arena.h"
#include "stages/go_template.h"
#include "stages/go_time_layout.h"

namespace tailcast::stages::go_template {

// A Go value as the template sees it. kMissing is a map key that is absent (Go's invalid value,
// printed "<no value>"); kData is the template's root map.
enum class Kind : uint8_t { kMissing, kString, kInt, kFloat, kBool, kTime, kData };

struct Value {
  Kind kind = Kind::kMissing;
  bool boolean = false;
  int32_t nanos = 0;         // kTime: nanoseconds of the second
  int32_t zone_offset = 0;   // kTime: seconds east of UTC
  int64_t integer = 0;       // kInt; kTime: Unix seconds
  double number = 0;         // kFloat
  std::string_view text;     // kString; kTime: the zone's abbreviation

  static Value string(std::string_view text) {
    Value out;
    out.kind = Kind::kString;
    out.text = text;
    return out;
  }
  static Value from_int(int64_t value) {
    Value out;
    out.kind = Kind::kInt;
    out.integer = value;
    return out;
  }
  static Value from_bool(bool value) {
    Value out;
    out.kind = Kind::kBool;
    out.boolean = value;
    return out;
  }
  static Value from_float(double value) {
    Value out;
    out.kind = Kind::kFloat;
    out.number = value;
    return out;
  }
};

// Go's truth: false, 0, "", nil and missing are false.
bool truthy(const Value& value) noexcept;
// Appends Go's fmt %v of `value`; false for values Go prints in ways tailcast does not (the map).
bool append_printed(const Value& value, std::string& out);

// Per-template working memory, reset at every render.
class Scratch {
 public:
  Arena arena{4096};
  std::string text;  // a reusable buffer for functions building strings
  // Regexes that functions receive as values, compiled on first use (a config rarely has more
  // than a few); cleared when it grows past a bound so a changing pattern cannot exhaust memory.
  const re2::RE2* regex(std::string_view pattern);
  // Go time layouts, compiled on first use like the regexes.
  const GoTimeLayout& layout(std::string_view format, const TimeZonePtr& zone);

 private:
  std::unordered_map<std::string, std::unique_ptr<re2::RE2>> regexes_;
  std::unordered_map<std::string, GoTimeLayout> layouts_;
};

struct Call {
  std::span<const Value> args;
  Scratch& scratch;
};
// Sets `result`; false is an execution error (Go's template stops and Execute fails).
using FunctionBody = bool (*)(Call& call, Value& result);

struct Function {
  std::string_view name;
  int min_args;
  int max_args;  // -1: any number
  FunctionBody body;
};
// Promtail's function map with the Sprig functions; null for an unknown name.
const Function* find_function(std::string_view name) noexcept;

// Time functions (go_template_time.cc): Sprig's now, date, dateInZone, toDate, unixEpoch, htmlDate.
bool time_now(Call& call, Value& result);
bool time_date(Call& call, Value& result);
bool time_date_in_zone(Call& call, Value& result);
bool time_to_date(Call& call, Value& result);
bool time_unix_epoch(Call& call, Value& result);
bool time_html_date(Call& call, Value& result);

struct Pipeline;

struct Operand {
  enum class Kind : uint8_t { kLiteral, kField, kDot, kFunction, kPipeline };
  Kind kind = Kind::kLiteral;
  bool from_root = false;           // `$` or `$.a`
  Value literal;                    // kLiteral; strings point into Program::strings
  std::vector<std::string> fields;  // kField: `.a.b`
  const Function* function = nullptr;
  std::unique_ptr<Pipeline> pipeline;
};

// The first operand is a function to call with the rest (and the piped value) as arguments, or
// the command's only operand.
struct Command {
  std::vector<Operand> operands;
};

struct Pipeline {
  std::vector<Command> commands;
};

struct Node {
  enum class Kind : uint8_t { kText, kAction, kIf, kWith };
  Kind kind = Kind::kText;
  std::string text;
  Pipeline pipeline;
  std::vector<Node> then_nodes;
  std::vector<Node> else_nodes;
};

struct Program {
  std::vector<Node> nodes;
  std::deque<std::string> strings;  // literal strings; a deque never moves them
};

Result<std::shared_ptr<Program>> parse(std::string_view text);

}  // namespace tailcast::stages::go_template
