// LogSelector: the LogQL log selector Promtail's `match` stage takes — a stream selector, then line
// filters and label filters: {app="x", level=~"ERR.*"} |= "timeout" != "debug" | code >= 500.
// Parsed once when the stage is built; matches() runs per line without allocating.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/entry.h"
#include "pipeline/result.h"

namespace tailcast::stages {

class LogSelector {
 public:
  // Errors read "col N: what was wrong" with N the 1-based column in `text`.
  static Result<LogSelector> parse(std::string_view text);

  // True when every stream matcher, line filter and label filter accepts the entry. A label that
  // is absent compares as "", as in Prometheus.
  bool matches(const LabelSet& labels, std::string_view line) const noexcept;

  LogSelector(LogSelector&&) noexcept = default;
  LogSelector& operator=(LogSelector&&) noexcept = default;

 private:
  friend class SelectorParser;
  LogSelector() = default;

  enum class Op : uint8_t {
    kEqual,         // =   (== for numbers)
    kNotEqual,      // !=
    kRegex,         // =~  anchored in label matchers and label filters
    kNotRegex,      // !~
    kContains,      // |=  line filters only
    kNotContains,   // !=  line filter
    kLineRegex,     // |~  unanchored
    kNotLineRegex,  // !~  line filter
    kGreater,
    kGreaterEqual,
    kLess,
    kLessEqual,
  };
  // What a label filter compares: the text, or the value read as a number, duration or size.
  enum class Kind : uint8_t { kString, kNumber, kDuration, kBytes };

  struct Comparison {
    std::string name;  // label name; empty for a line filter
    Op op = Op::kEqual;
    Kind kind = Kind::kString;
    std::string text;
    double number = 0;  // seconds for durations, bytes for sizes
    std::unique_ptr<re2::RE2> regex;
    bool accepts(std::string_view value) const noexcept;
  };
  // A label filter expression: leaves are comparisons, inner nodes `and` / `or`.
  struct FilterNode {
    enum class Type : uint8_t { kLeaf, kAnd, kOr } type = Type::kLeaf;
    int left = -1, right = -1;
    Comparison leaf;
  };

  bool evaluate(int node, const LabelSet& labels) const noexcept;

  std::vector<Comparison> matchers_;      // the {…} part
  std::vector<Comparison> line_filters_;  // |=, !=, |~, !~
  std::vector<FilterNode> nodes_;
  std::vector<int> label_filters_;  // roots of `| …` expressions, all of which must hold
};

// A size as LogQL's byte filters read it (go-humanize): 20MB = 20e6, 1KiB = 1024, 512 = 512.
std::optional<double> parse_logql_bytes(std::string_view text);

// Go string literal syntax ("a\tb", `raw`) as LogQL reads it; false on a bad escape or quote.
bool unquote_go_string(std::string_view quoted, std::string& out);

}  // namespace tailcast::stages
