// LogSelector::parse: a lexer and a recursive-descent parser for the part of LogQL that Promtail's
// match stage evaluates — the stream selector, line filters and label filters (with `and`, `or`,
// `,` and parentheses). Every error names the 1-based column where parsing stopped.
#include <cctype>
#include <charconv>
#include <optional>
#include <string>

#include "pipeline/config/node.h"
#include "stages/logql_selector.h"

namespace tailcast::stages {
namespace {

enum class Tok : uint8_t {
  kEnd, kLBrace, kRBrace, kComma, kLParen, kRParen, kPipe, kPipeEq, kPipeTilde, kNotEq,
  kNotTilde, kEqTilde, kEqEq, kEq, kGt, kGe, kLt, kLe, kString, kIdent, kLiteral, kBad,
};

struct Token {
  Tok type = Tok::kEnd;
  std::string_view text;
  size_t column = 1;
};

// LogQL's pipeline stages that parse or rewrite; Promtail would run them, tailcast's match does not.
constexpr std::string_view kUnsupportedStages[] = {"json",        "logfmt",       "regexp",
                                                   "pattern",     "unpack",       "line_format",
                                                   "label_format", "drop",        "keep",
                                                   "decolorize",  "unwrap"};

}  // namespace

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view text) : text_(text) { advance(); }

  Result<LogSelector> parse() {
    LogSelector out;
    if (!parse_stream(out) || !parse_pipeline(out)) return make_error(Errc::kInvalidConfig, error_);
    return out;
  }

 private:
  using Op = LogSelector::Op;
  using Kind = LogSelector::Kind;
  using Comparison = LogSelector::Comparison;
  using FilterNode = LogSelector::FilterNode;

  void advance() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    tok_ = Token{Tok::kEnd, {}, pos_ + 1};
    if (pos_ >= text_.size()) return;
    const size_t start = pos_;
    const char c = text_[pos_];
    auto two = [&](char second) { return pos_ + 1 < text_.size() && text_[pos_ + 1] == second; };
    auto take = [&](Tok type, size_t length) {
      pos_ += length;
      tok_.type = type;
      tok_.text = text_.substr(start, length);
    };
    if (c == '"' || c == '`') {
      size_t end = pos_ + 1;
      while (end < text_.size() && text_[end] != c) end += (c == '"' && text_[end] == '\\') ? 2 : 1;
      if (end >= text_.size()) return take(Tok::kBad, text_.size() - start);
      return take(Tok::kString, end + 1 - start);
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = pos_;
      while (end < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_'))
        ++end;
      return take(Tok::kIdent, end - start);
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.') {
      size_t end = pos_ + 1;
      while (end < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '.'))
        ++end;
      return take(Tok::kLiteral, end - start);
    }
    switch (c) {
      case '{': return take(Tok::kLBrace, 1);
      case '}': return take(Tok::kRBrace, 1);
      case ',': return take(Tok::kComma, 1);
      case '(': return take(Tok::kLParen, 1);
      case ')': return take(Tok::kRParen, 1);
      case '|': return two('=') ? take(Tok::kPipeEq, 2) : two('~') ? take(Tok::kPipeTilde, 2)
                                                                   : take(Tok::kPipe, 1);
      case '!': return two('=') ? take(Tok::kNotEq, 2) : two('~') ? take(Tok::kNotTilde, 2)
                                                                  : take(Tok::kBad, 1);
      case '=': return two('~') ? take(Tok::kEqTilde, 2) : two('=') ? take(Tok::kEqEq, 2)
                                                                    : take(Tok::kEq, 1);
      case '>': return two('=') ? take(Tok::kGe, 2) : take(Tok::kGt, 1);
      case '<': return two('=') ? take(Tok::kLe, 2) : take(Tok::kLt, 1);
      default: return take(Tok::kBad, 1);
    }
  }

  bool fail(std::string message) {
    if (error_.empty()) {
      std::string got = tok_.type == Tok::kEnd ? "end of selector"
                                                : "\"" + std::string(tok_.text) + "\"";
      error_ = "col " + std::to_string(tok_.column) + ": " + message + ", got " + got;
    }
    return false;
  }

  bool string_value(std::string& out) {
    if (tok_.type != Tok::kString) return fail("expected a quoted string");
    if (!unquote_go_string(tok_.text, out)) return fail("invalid string literal");
    advance();
    return true;
  }

  bool regex_for(Comparison& comparison, bool anchored, size_t column) {
    re2::RE2::Options options;
    options.set_log_errors(false);
    const std::string& pattern = comparison.text;
    comparison.regex = std::make_unique<re2::RE2>(anchored ? "^(?:" + pattern + ")$" : pattern,
                                                  options);
    if (comparison.regex->ok()) return true;
    if (error_.empty())
      error_ = "col " + std::to_string(column) + ": invalid regular expression: " +
               comparison.regex->error();
    return false;
  }

  bool parse_stream(LogSelector& out) {
    if (tok_.type != Tok::kLBrace) return fail("expected \"{\" to open the stream selector");
    advance();
    for (;;) {
      if (tok_.type != Tok::kIdent) return fail("expected a label name");
      Comparison matcher;
      matcher.name = std::string(tok_.text);
      advance();
      switch (tok_.type) {
        case Tok::kEq: matcher.op = Op::kEqual; break;
        case Tok::kNotEq: matcher.op = Op::kNotEqual; break;
        case Tok::kEqTilde: matcher.op = Op::kRegex; break;
        case Tok::kNotTilde: matcher.op = Op::kNotRegex; break;
        default: return fail("expected one of =, !=, =~, !~");
      }
      advance();
      const size_t column = tok_.column;
      if (!string_value(matcher.text)) return false;
      if ((matcher.op == Op::kRegex || matcher.op == Op::kNotRegex) &&
          !regex_for(matcher, true, column))
        return false;
      out.matchers_.push_back(std::move(matcher));
      if (tok_.type == Tok::kComma) {
        advance();
        continue;
      }
      if (tok_.type == Tok::kRBrace) break;
      return fail("expected \",\" or \"}\"");
    }
    advance();
    return true;
  }

  bool parse_pipeline(LogSelector& out) {
    while (tok_.type != Tok::kEnd) {
      Comparison filter;
      switch (tok_.type) {
        case Tok::kPipeEq: filter.op = Op::kContains; break;
        case Tok::kNotEq: filter.op = Op::kNotContains; break;
        case Tok::kPipeTilde: filter.op = Op::kLineRegex; break;
        case Tok::kNotTilde: filter.op = Op::kNotLineRegex; break;
        case Tok::kPipe: {
          advance();
          for (std::string_view stage : kUnsupportedStages)
            if (tok_.type == Tok::kIdent && tok_.text == stage)
              return fail("LogQL stages other than filters are not supported in match selectors");
          int root = parse_or(out);
          if (root < 0) return false;
          out.label_filters_.push_back(root);
          continue;
        }
        default: return fail("expected a line filter (|=, !=, |~, !~) or \"|\"");
      }
      advance();
      const size_t column = tok_.column;
      if (!string_value(filter.text)) return false;
      if ((filter.op == Op::kLineRegex || filter.op == Op::kNotLineRegex) &&
          !regex_for(filter, false, column))
        return false;
      out.line_filters_.push_back(std::move(filter));
    }
    return true;
  }

  bool is_keyword(std::string_view word) const {
    return tok_.type == Tok::kIdent && tok_.text == word;
  }

  int join(LogSelector& out, FilterNode::Type type, int left, int right) {
    FilterNode node;
    node.type = type;
    node.left = left;
    node.right = right;
    out.nodes_.push_back(std::move(node));
    return static_cast<int>(out.nodes_.size()) - 1;
  }

  int parse_or(LogSelector& out) {
    int left = parse_and(out);
    while (left >= 0 && is_keyword("or")) {
      advance();
      int right = parse_and(out);
      if (right < 0) return -1;
      left = join(out, FilterNode::Type::kOr, left, right);
    }
    return left;
  }

  // `and`, a comma, or two filters side by side all mean and; it binds tighter than `or`.
  int parse_and(LogSelector& out) {
    int left = parse_primary(out);
    while (left >= 0) {
      if (is_keyword("and") || tok_.type == Tok::kComma) advance();
      else if (!(tok_.type == Tok::kLParen || (tok_.type == Tok::kIdent && !is_keyword("or"))))
        break;
      int right = parse_primary(out);
      if (right < 0) return -1;
      left = join(out, FilterNode::Type::kAnd, left, right);
    }
    return left;
  }

  int parse_primary(LogSelector& out) {
    if (tok_.type == Tok::kLParen) {
      advance();
      int inner = parse_or(out);
      if (inner < 0) return -1;
      if (tok_.type != Tok::kRParen) return fail("expected \")\""), -1;
      advance();
      return inner;
    }
    if (tok_.type != Tok::kIdent) return fail("expected a label filter such as level=\"error\""), -1;
    FilterNode node;
    Comparison& leaf = node.leaf;
    leaf.name = std::string(tok_.text);
    advance();
    const Tok op = tok_.type;
    switch (op) {
      case Tok::kEq: case Tok::kEqEq: leaf.op = Op::kEqual; break;
      case Tok::kNotEq: leaf.op = Op::kNotEqual; break;
      case Tok::kEqTilde: leaf.op = Op::kRegex; break;
      case Tok::kNotTilde: leaf.op = Op::kNotRegex; break;
      case Tok::kGt: leaf.op = Op::kGreater; break;
      case Tok::kGe: leaf.op = Op::kGreaterEqual; break;
      case Tok::kLt: leaf.op = Op::kLess; break;
      case Tok::kLe: leaf.op = Op::kLessEqual; break;
      default: return fail("expected a comparison (=, !=, =~, !~, ==, >, >=, <, <=)"), -1;
    }
    advance();
    const size_t column = tok_.column;
    const bool ordering = op == Tok::kGt || op == Tok::kGe || op == Tok::kLt || op == Tok::kLe;
    const bool regex = op == Tok::kEqTilde || op == Tok::kNotTilde;
    if (tok_.type == Tok::kString && !ordering) {
      if (!string_value(leaf.text)) return -1;
      if (regex && !regex_for(leaf, true, column)) return -1;
    } else if (tok_.type == Tok::kLiteral && !regex) {
      if (!literal(leaf)) return fail("expected a number, a duration (5s) or a size (20MB)"), -1;
      advance();
    } else {
      return fail(regex ? "expected a quoted regular expression"
                        : "expected a quoted string or a number"), -1;
    }
    out.nodes_.push_back(std::move(node));
    return static_cast<int>(out.nodes_.size()) - 1;
  }

  bool literal(Comparison& leaf) {
    const std::string_view text = tok_.text;
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) {
      leaf.kind = Kind::kNumber;
      leaf.number = value;
      return true;
    }
    if (auto duration = config::parse_duration(text)) {
      leaf.kind = Kind::kDuration;
      leaf.number = std::chrono::duration<double>(*duration).count();
      return true;
    }
    if (auto size = parse_logql_bytes(text)) {
      leaf.kind = Kind::kBytes;
      leaf.number = *size;
      return true;
    }
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
  Token tok_;
  std::string error_;
};

Result<LogSelector> LogSelector::parse(std::string_view text) {
  return SelectorParser(text).parse();
}

}  // namespace tailcast::stages
