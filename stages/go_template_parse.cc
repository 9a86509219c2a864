// GoTemplate's parser: Go's text/template lexer and parser reduced to what Promtail configs use.
// Runs once at config load; every error names the line and column in the template.
#include <charconv>
#include <cstring>

#include "stages/go_template_ast.h"

namespace tailcast::stages::go_template {
namespace {

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_ident_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

void append_utf8(std::string& out, uint32_t code) {
  if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) code = 0xFFFD;
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

class Parser {
 public:
  Parser(std::string_view text, Program& program) : text_(text), program_(program) {}

  Result<void> run() {
    std::string_view stop;
    if (!parse_list(program_.nodes, stop)) return error_result();
    if (!stop.empty()) {
      fail_at(stop_at_, "unexpected {{" + std::string(stop) + "}}");
      return error_result();
    }
    return {};
  }

 private:
  // Parses text and actions into `nodes` until the end of the template or an `end`/`else` action,
  // whose keyword lands in `stop` (the position after it is where parsing continues).
  bool parse_list(std::vector<Node>& nodes, std::string_view& stop) {
    stop = {};
    while (pos_ < text_.size()) {
      const size_t open = text_.find("{{", pos_);
      std::string_view literal = text_.substr(pos_, open == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : open - pos_);
      if (trim_next_text_)
        while (!literal.empty() && is_space(literal.front())) literal.remove_prefix(1);
      trim_next_text_ = false;
      if (open == std::string_view::npos) {
        add_text(nodes, literal);
        pos_ = text_.size();
        return true;
      }
      pos_ = open + 2;
      if (pos_ + 1 < text_.size() && text_[pos_] == '-' && is_space(text_[pos_ + 1])) {
        while (!literal.empty() && is_space(literal.back())) literal.remove_suffix(1);
        pos_ += 1;
      }
      add_text(nodes, literal);
      skip_space();
      if (text_.substr(pos_, 2) == "/*") {
        if (!skip_comment()) return false;
        continue;
      }
      const size_t keyword_at = pos_;
      const std::string_view word = peek_word();
      if (word == "end" || word == "else") {
        pos_ += word.size();
        stop = word;
        stop_at_ = keyword_at;
        return true;
      }
      if (word == "if" || word == "with") {
        pos_ += word.size();
        if (!parse_branch(nodes, word == "if" ? Node::Kind::kIf : Node::Kind::kWith)) return false;
        continue;
      }
      if (word == "range" || word == "template" || word == "define" || word == "block" ||
          word == "break" || word == "continue")
        return fail_at(keyword_at, "{{" + std::string(word) + "}} is not supported");
      Node node;
      node.kind = Node::Kind::kAction;
      if (!parse_pipeline(node.pipeline, true) || !close_action()) return false;
      nodes.push_back(std::move(node));
    }
    return true;
  }

  // After `if`/`with`: the condition, the branch, and an optional else (or `else if`) branch.
  bool parse_branch(std::vector<Node>& nodes, Node::Kind kind) {
    const size_t at = pos_;
    Node node;
    node.kind = kind;
    if (!parse_pipeline(node.pipeline, false) || !close_action()) return false;
    std::string_view stop;
    if (!parse_list(node.then_nodes, stop)) return false;
    if (stop.empty()) return fail_at(at, "unexpected end of template: missing {{end}}");
    if (stop == "else") {
      skip_space();
      const std::string_view word = peek_word();
      if (word == "if" || word == "with") {
        // `else if` is an if nested in the else branch that shares this branch's {{end}}.
        pos_ += word.size();
        if (!parse_branch(node.else_nodes, word == "if" ? Node::Kind::kIf : Node::Kind::kWith))
          return false;
        nodes.push_back(std::move(node));
        return true;
      }
      if (!close_action()) return false;
      if (!parse_list(node.else_nodes, stop)) return false;
      if (stop != "end") return fail_at(stop.empty() ? at : stop_at_, "expected {{end}}");
    }
    if (!close_action()) return false;
    nodes.push_back(std::move(node));
    return true;
  }

  bool parse_pipeline(Pipeline& pipeline, bool is_action) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '$') {
      size_t look = pos_ + 1;
      while (look < text_.size() && is_ident_char(text_[look])) ++look;
      while (look < text_.size() && is_space(text_[look])) ++look;
      if (text_.substr(look, 2) == ":=" || (look < text_.size() && text_[look] == '='))
        return fail_at(pos_, "variables are not supported");
    }
    for (;;) {
      Command command;
      const size_t command_at = pos_;
      if (!parse_command(command)) return false;
      if (command.operands.empty()) return fail_at(command_at, "missing value for command");
      const Operand& first = command.operands.front();
      const int args = static_cast<int>(command.operands.size()) - 1 +
                       (pipeline.commands.empty() ? 0 : 1);
      if (first.kind == Operand::Kind::kFunction) {
        const Function& fn = *first.function;
        if (args < fn.min_args || (fn.max_args >= 0 && args > fn.max_args))
          return fail_at(command_at, "wrong number of args for " + std::string(fn.name) +
                                         ": want " + std::to_string(fn.min_args) + " got " +
                                         std::to_string(args));
      } else if (command.operands.size() > 1 || !pipeline.commands.empty()) {
        return fail_at(command_at, "can't give argument to non-function");
      } else if (first.kind == Operand::Kind::kLiteral && first.literal.kind == Kind::kMissing &&
                 is_action) {
        return fail_at(command_at, "nil is not a command");
      }
      pipeline.commands.push_back(std::move(command));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '|') {
        ++pos_;
        continue;
      }
      return true;
    }
  }

  bool parse_command(Command& command) {
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) return fail_at(pos_, "unclosed action");
      const char c = text_[pos_];
      if (c == '|' || c == ')' || text_.substr(pos_, 2) == "}}" || text_.substr(pos_, 3) == "-}}")
        return true;
      Operand operand;
      if (!parse_operand(operand)) return false;
      command.operands.push_back(std::move(operand));
    }
  }

  bool parse_operand(Operand& operand) {
    const size_t at = pos_;
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      operand.kind = Operand::Kind::kPipeline;
      operand.pipeline = std::make_unique<Pipeline>();
      if (!parse_pipeline(*operand.pipeline, false)) return false;
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ')') return fail_at(at, "unclosed left paren");
      ++pos_;
      return true;
    }
    if (c == '.' || c == '$') {
      operand.from_root = c == '$';
      if (c == '$') ++pos_;
      operand.kind = Operand::Kind::kDot;
      while (pos_ < text_.size() && text_[pos_] == '.') {
        ++pos_;
        const size_t start = pos_;
        while (pos_ < text_.size() && is_ident_char(text_[pos_])) ++pos_;
        if (start == pos_) {
          if (operand.kind == Operand::Kind::kDot && c == '.' && operand.fields.empty()) break;
          return fail_at(start, "bad field name");
        }
        operand.kind = Operand::Kind::kField;
        operand.fields.emplace_back(text_.substr(start, pos_ - start));
      }
      return check_delimited(at);
    }
    if (c == '"' || c == '`') return parse_string(operand, at);
    if (c == '\'') return parse_char(operand, at);
    if (is_digit(c) || ((c == '-' || c == '+') && pos_ + 1 < text_.size() &&
                        (is_digit(text_[pos_ + 1]) || text_[pos_ + 1] == '.')))
      return parse_number(operand, at);
    if (is_ident_char(c)) {
      const std::string_view word = peek_word();
      pos_ += word.size();
      if (word == "true" || word == "false") {
        operand.literal = Value::from_bool(word == "true");
      } else if (word == "nil") {
        operand.literal = Value{};
      } else {
        operand.function = find_function(word);
        if (!operand.function)
          return fail_at(at, "function \"" + std::string(word) + "\" not defined");
        operand.kind = Operand::Kind::kFunction;
      }
      return check_delimited(at);
    }
    return fail_at(at, std::string("unexpected \"") + c + "\" in command");
  }

  bool parse_string(Operand& operand, size_t at) {
    const char quote = text_[pos_++];
    std::string& out = program_.strings.emplace_back();
    while (pos_ < text_.size() && text_[pos_] != quote) {
      char c = text_[pos_++];
      if (quote == '`' || c != '\\') {
        if (quote == '"' && c == '\n') return fail_at(at, "unterminated quoted string");
        out.push_back(c);
        continue;
      }
      if (!parse_escape(out, at)) return false;
    }
    if (pos_ >= text_.size()) return fail_at(at, "unterminated quoted string");
    ++pos_;
    operand.literal = Value::string(out);
    return check_delimited(at);
  }

  bool parse_char(Operand& operand, size_t at) {
    ++pos_;
    std::string decoded;
    if (pos_ < text_.size() && text_[pos_] == '\\') {
      ++pos_;
      if (!parse_escape(decoded, at)) return false;
    } else {
      while (pos_ < text_.size() && text_[pos_] != '\'') decoded.push_back(text_[pos_++]);
    }
    if (pos_ >= text_.size() || text_[pos_] != '\'' || decoded.empty())
      return fail_at(at, "malformed character constant");
    ++pos_;
    // The code point of the (UTF-8) character.
    const auto* bytes = reinterpret_cast<const unsigned char*>(decoded.data());
    uint32_t code = bytes[0];
    if (code >= 0xC0) {
      const int extra = code >= 0xF0 ? 3 : code >= 0xE0 ? 2 : 1;
      code &= 0x3F >> extra;
      for (int i = 1; i <= extra && i < static_cast<int>(decoded.size()); ++i)
        code = (code << 6) | (bytes[i] & 0x3F);
    }
    operand.literal = Value::from_int(code);
    return check_delimited(at);
  }

  // After a backslash in a double-quoted string: Go's escapes.
  bool parse_escape(std::string& out, size_t at) {
    if (pos_ >= text_.size()) return fail_at(at, "unterminated quoted string");
    const char c = text_[pos_++];
    switch (c) {
      case 'a': out.push_back('\a'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'v': out.push_back('\v'); return true;
      case '\\': case '"': case '\'': out.push_back(c); return true;
      case 'x': case 'u': case 'U': {
        const size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        uint32_t code = 0;
        const char* begin = text_.data() + pos_;
        if (pos_ + digits > text_.size() ||
            std::from_chars(begin, begin + digits, code, 16).ptr != begin + digits)
          return fail_at(at, "invalid escape in quoted string");
        pos_ += digits;
        if (c == 'x') out.push_back(static_cast<char>(code));
        else append_utf8(out, code);
        return true;
      }
      default:
        if (c >= '0' && c <= '7' && pos_ + 2 <= text_.size()) {
          uint32_t code = 0;
          const char* begin = text_.data() + pos_ - 1;
          if (std::from_chars(begin, begin + 3, code, 8).ptr == begin + 3 && code < 256) {
            pos_ += 2;
            out.push_back(static_cast<char>(code));
            return true;
          }
        }
        return fail_at(at, "invalid escape in quoted string");
    }
  }

  bool parse_number(Operand& operand, size_t at) {
    size_t end = pos_ + 1;
    while (end < text_.size() && (is_ident_char(text_[end]) || text_[end] == '.' ||
                                  ((text_[end] == '-' || text_[end] == '+') &&
                                   (text_[end - 1] == 'e' || text_[end - 1] == 'E'))))
      ++end;
    std::string number(text_.substr(pos_, end - pos_));
    std::erase(number, '_');
    const bool negative = !number.empty() && number[0] == '-';
    std::string_view digits(number);
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
      base = 16;
      digits.remove_prefix(2);
    }
    int64_t integer = 0;
    auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), integer, base);
    if (parsed.ec == std::errc() && parsed.ptr == digits.data() + digits.size()) {
      operand.literal = Value::from_int(negative ? -integer : integer);
    } else {
      double number_value = 0;
      auto as_float = std::from_chars(digits.data(), digits.data() + digits.size(), number_value);
      if (base != 10 || as_float.ec != std::errc() || as_float.ptr != digits.data() + digits.size())
        return fail_at(at, "bad number syntax: \"" + std::string(text_.substr(pos_, end - pos_)) +
                               "\"");
      operand.literal = Value::from_float(negative ? -number_value : number_value);
    }
    pos_ = end;
    return check_delimited(at);
  }

  // An operand must be followed by space, a pipe, a paren or the end of the action.
  bool check_delimited(size_t at) {
    if (pos_ >= text_.size()) return true;
    const char c = text_[pos_];
    if (is_space(c) || c == '|' || c == ')' || text_.substr(pos_, 2) == "}}") return true;
    return fail_at(at, "unexpected \"" + std::string(1, c) + "\" in operand");
  }

  bool close_action() {
    skip_space();
    if (text_.substr(pos_, 3) == "-}}") {
      pos_ += 3;
      trim_next_text_ = true;
      return true;
    }
    if (text_.substr(pos_, 2) == "}}") {
      pos_ += 2;
      return true;
    }
    if (pos_ >= text_.size()) return fail_at(pos_, "unclosed action");
    return fail_at(pos_, "unexpected \"" + std::string(1, text_[pos_]) + "\" in action");
  }

  bool skip_comment() {
    const size_t at = pos_;
    const size_t end = text_.find("*/", pos_ + 2);
    if (end == std::string_view::npos) return fail_at(at, "unclosed comment");
    pos_ = end + 2;
    if (!close_action()) return fail_at(at, "comment ends before closing delimiter");
    return true;
  }

  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) {
      // " -}}" belongs to the closing delimiter.
      if (text_.substr(pos_ + 1, 3) == "-}}") {
        ++pos_;
        return;
      }
      ++pos_;
    }
  }

  std::string_view peek_word() const {
    size_t end = pos_;
    while (end < text_.size() && is_ident_char(text_[end])) ++end;
    return text_.substr(pos_, end - pos_);
  }

  static void add_text(std::vector<Node>& nodes, std::string_view literal) {
    if (literal.empty()) return;
    Node node;
    node.kind = Node::Kind::kText;
    node.text = std::string(literal);
    nodes.push_back(std::move(node));
  }

  bool fail_at(size_t at, std::string message) {
    if (error_.empty()) {
      size_t line = 1, column = 1;
      for (size_t i = 0; i < at && i < text_.size(); ++i) {
        if (text_[i] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      error_ = "template:" + std::to_string(line) + ":" + std::to_string(column) + ": " +
               std::move(message);
    }
    return false;
  }
  Error error_result() const { return make_error(Errc::kInvalidConfig, error_); }

  std::string_view text_;
  Program& program_;
  size_t pos_ = 0;
  size_t stop_at_ = 0;
  bool trim_next_text_ = false;
  std::string error_;
};

}  // namespace

Result<std::shared_ptr<Program>> parse(std::string_view text) {
  auto program = std::make_shared<Program>();
  Parser parser(text, *program);
  if (auto done = parser.run(); !done) return done.error();
  return program;
}

}  // namespace tailcast::stages::go_template
