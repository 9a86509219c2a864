// GoTemplate's executor: walks the compiled Program over one line's data, as Go's text/template
// executes with missingkey=default (absent keys print "<no value>").
#include "stages/go_template.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "stages/go_template_ast.h"

namespace tailcast::stages {
namespace go_template {
namespace {

constexpr size_t kMaxCachedRegexes = 64;

// Go's %v of a float64: the shortest form, in exponent form below 1e-4 and from 1e21.
void append_float(double value, std::string& out) {
  if (std::isnan(value)) return out.append("NaN"), void();
  if (std::isinf(value)) return out.append(value > 0 ? "+Inf" : "-Inf"), void();
  char buffer[64];
  auto sci = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<size_t>(sci.ptr - buffer));
  const size_t e = text.find('e');
  int exponent = 0;
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+'), text.data() + text.size(), exponent);
  if (value != 0 && (exponent < -4 || exponent >= 21)) {
    // Go writes at least two exponent digits: 1e+21, 1e-05.
    out.append(text.substr(0, e));
    out.append(exponent < 0 ? "e-" : "e+");
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out.push_back('0');
    out.append(std::to_string(magnitude));
    return;
  }
  auto fixed = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  out.append(buffer, static_cast<size_t>(fixed.ptr - buffer));
}

void append_two(std::string& out, int64_t value) {
  out.push_back(static_cast<char>('0' + value / 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

// Go's Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST".
void append_time(const Value& value, std::string& out) {
  const int64_t local = value.integer + value.zone_offset;
  int64_t days = local / 86400, seconds = local % 86400;
  if (seconds < 0) seconds += 86400, --days;
  // Civil date from days since the epoch (Howard Hinnant's algorithm).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04lld", static_cast<long long>(year));
  out.append(buffer);
  out.push_back('-');
  append_two(out, month);
  out.push_back('-');
  append_two(out, day);
  out.push_back(' ');
  append_two(out, seconds / 3600);
  out.push_back(':');
  append_two(out, seconds / 60 % 60);
  out.push_back(':');
  append_two(out, seconds % 60);
  if (value.nanos != 0) {
    std::snprintf(buffer, sizeof buffer, ".%09d", value.nanos);
    std::string_view fraction(buffer);
    while (fraction.back() == '0') fraction.remove_suffix(1);
    out.append(fraction);
  }
  const int offset = value.zone_offset < 0 ? -value.zone_offset : value.zone_offset;
  out.append(value.zone_offset < 0 ? " -" : " +");
  append_two(out, offset / 3600);
  append_two(out, offset / 60 % 60);
  out.push_back(' ');
  out.append(value.text);
}

// Runs a Program over one line's data. Every method returns false on an execution error.
class Executor {
 public:
  Executor(const TemplateData& data, Scratch& scratch, std::string& out)
      : data_(data), scratch_(scratch), out_(out) {}

  bool run(const std::vector<Node>& nodes, const Value& dot) {
    for (const Node& node : nodes) {
      switch (node.kind) {
        case Node::Kind::kText:
          out_.append(node.text);
          break;
        case Node::Kind::kAction: {
          Value value;
          if (!eval_pipeline(node.pipeline, dot, value) || !append_printed(value, out_))
            return false;
          break;
        }
        case Node::Kind::kIf:
        case Node::Kind::kWith: {
          Value value;
          if (!eval_pipeline(node.pipeline, dot, value)) return false;
          const bool taken = truthy(value);
          const Value& inner = node.kind == Node::Kind::kWith && taken ? value : dot;
          if (!run(taken ? node.then_nodes : node.else_nodes, inner)) return false;
          break;
        }
      }
    }
    return true;
  }

 private:
  bool eval_pipeline(const Pipeline& pipeline, const Value& dot, Value& result) {
    const Value* piped = nullptr;
    Value previous;
    for (const Command& command : pipeline.commands) {
      if (!eval_command(command, dot, piped, result)) return false;
      previous = result;
      piped = &previous;
    }
    return true;
  }

  bool eval_command(const Command& command, const Value& dot, const Value* piped, Value& result) {
    const Operand& first = command.operands.front();
    if (first.kind != Operand::Kind::kFunction) return eval_operand(first, dot, result);
    const std::string_view name = first.function->name;
    const size_t count = command.operands.size() - 1 + (piped ? 1 : 0);
    if (name == "and" || name == "or") return eval_logic(command, dot, piped, name == "and", result);
    // Arguments live on this frame; nested calls get their own.
    Value args[8];
    std::vector<Value> many;
    Value* slots = args;
    if (count > std::size(args)) {
      many.resize(count);
      slots = many.data();
    }
    for (size_t i = 1; i < command.operands.size(); ++i)
      if (!eval_operand(command.operands[i], dot, slots[i - 1])) return false;
    if (piped) slots[count - 1] = *piped;
    Call call{std::span<const Value>(slots, count), scratch_};
    result = Value{};
    return first.function->body(call, result);
  }

  // Go 1.18's `and` and `or` stop at the first argument that decides the result and return it.
  bool eval_logic(const Command& command, const Value& dot, const Value* piped, bool is_and,
                  Value& result) {
    for (size_t i = 1; i < command.operands.size(); ++i) {
      if (!eval_operand(command.operands[i], dot, result)) return false;
      if (truthy(result) != is_and) return true;
    }
    if (piped) result = *piped;
    return true;
  }

  bool eval_operand(const Operand& operand, const Value& dot, Value& result) {
    switch (operand.kind) {
      case Operand::Kind::kLiteral:
        result = operand.literal;
        return true;
      case Operand::Kind::kDot:
        result = dot;
        if (operand.from_root) result.kind = Kind::kData;
        return true;
      case Operand::Kind::kField: {
        const Kind receiver = operand.from_root ? Kind::kData : dot.kind;
        // Extracted values are strings: only the root map has fields.
        if (receiver != Kind::kData || operand.fields.size() != 1) return false;
        auto found = data_.find(operand.fields.front());
        result = found ? Value::string(*found) : Value{};
        return true;
      }
      case Operand::Kind::kFunction: {
        if (operand.function->min_args > 0) return false;
        Call no_args{std::span<const Value>(), scratch_};
        result = Value{};
        return operand.function->body(no_args, result);
      }
      case Operand::Kind::kPipeline:
        return eval_pipeline(*operand.pipeline, dot, result);
    }
    return false;
  }

  const TemplateData& data_;
  Scratch& scratch_;
  std::string& out_;
};

}  // namespace

bool truthy(const Value& value) noexcept {
  switch (value.kind) {
    case Kind::kMissing: return false;
    case Kind::kString: return !value.text.empty();
    case Kind::kInt: return value.integer != 0;
    case Kind::kFloat: return value.number != 0;
    case Kind::kBool: return value.boolean;
    case Kind::kTime:
    case Kind::kData: return true;
  }
  return false;
}

bool append_printed(const Value& value, std::string& out) {
  switch (value.kind) {
    case Kind::kMissing: out.append("<no value>"); return true;
    case Kind::kString: out.append(value.text); return true;
    case Kind::kInt: out.append(std::to_string(value.integer)); return true;
    case Kind::kFloat: append_float(value.number, out); return true;
    case Kind::kBool: out.append(value.boolean ? "true" : "false"); return true;
    case Kind::kTime: append_time(value, out); return true;
    case Kind::kData: return false;
  }
  return false;
}

const re2::RE2* Scratch::regex(std::string_view pattern) {
  auto found = regexes_.find(std::string(pattern));
  if (found != regexes_.end()) return found->second->ok() ? found->second.get() : nullptr;
  if (regexes_.size() >= kMaxCachedRegexes) regexes_.clear();
  re2::RE2::Options options;
  options.set_log_errors(false);
  auto compiled = std::make_unique<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()),
                                             options);
  const re2::RE2* out = compiled->ok() ? compiled.get() : nullptr;
  regexes_.emplace(std::string(pattern), std::move(compiled));
  return out;
}

}  // namespace go_template

GoTemplate::GoTemplate() : scratch_(std::make_unique<go_template::Scratch>()) {}
GoTemplate::GoTemplate(GoTemplate&&) noexcept = default;
GoTemplate& GoTemplate::operator=(GoTemplate&&) noexcept = default;
GoTemplate::~GoTemplate() = default;

Result<GoTemplate> GoTemplate::compile(std::string_view text) {
  auto program = go_template::parse(text);
  if (!program) return std::move(program).error();
  GoTemplate out;
  out.program_ = std::move(*program);
  return out;
}

bool GoTemplate::render(const TemplateData& data, std::string& out) const noexcept {
  out.clear();
  scratch_->arena.reset();
  go_template::Value root;
  root.kind = go_template::Kind::kData;
  go_template::Executor executor(data, *scratch_, out);
  return executor.run(program_->nodes, root);
}

}  // namespace tailcast::stages
