// LogSelector: LogQL stream selectors, line filters and label filters as Promtail's match stage
// evaluates them, and parse errors that name the column.
#include "stages/logql_selector.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

namespace tailcast::stages {
namespace {

LabelSet labels_of(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  LabelSet out;
  for (const auto& [name, value] : pairs) out.set(name, value);
  return out;
}

bool matches(std::string_view selector, const LabelSet& labels, std::string_view line = "") {
  auto parsed = LogSelector::parse(selector);
  EXPECT_TRUE(parsed.has_value()) << selector << ": " << parsed.error().message;
  return parsed && parsed->matches(labels, line);
}

std::string parse_error(std::string_view selector) {
  auto parsed = LogSelector::parse(selector);
  return parsed ? std::string() : parsed.error().message;
}

TEST(LogSelector, EqualityAndInequalityMatchers) {
  const LabelSet labels = labels_of({{"app", "api"}, {"env", "prod"}});
  EXPECT_TRUE(matches(R"({app="api"})", labels));
  EXPECT_TRUE(matches(R"({app="api", env!="dev"})", labels));
  EXPECT_FALSE(matches(R"({app="api", env="dev"})", labels));
  EXPECT_FALSE(matches(R"({app!="api"})", labels));
}

TEST(LogSelector, RegexMatchersAreAnchored) {
  const LabelSet labels = labels_of({{"level", "ERROR"}});
  EXPECT_TRUE(matches(R"({level=~"ERR.*"})", labels));
  EXPECT_FALSE(matches(R"({level=~"RR"})", labels)) << "Prometheus matchers match the whole value";
  EXPECT_TRUE(matches(R"({level!~"RR"})", labels));
  EXPECT_TRUE(matches(R"({level=~"error|ERROR"})", labels)) << "alternation stays inside the anchor";
}

TEST(LogSelector, AbsentLabelComparesAsEmpty) {
  const LabelSet labels = labels_of({{"app", "api"}});
  EXPECT_TRUE(matches(R"({app="api", team=""})", labels));
  EXPECT_FALSE(matches(R"({team!=""})", labels));
  EXPECT_TRUE(matches(R"({team=~".*"})", labels));
}

TEST(LogSelector, LineFiltersAreUnanchoredAndCaseSensitive) {
  const LabelSet labels = labels_of({{"app", "api"}});
  const std::string_view line = "GET /health took 3s: timeout";
  EXPECT_TRUE(matches(R"({app="api"} |= "timeout")", labels, line));
  EXPECT_FALSE(matches(R"({app="api"} |= "Timeout")", labels, line));
  EXPECT_TRUE(matches(R"({app="api"} |= "timeout" != "debug")", labels, line));
  EXPECT_FALSE(matches(R"({app="api"} != "health")", labels, line));
  EXPECT_TRUE(matches(R"({app="api"} |~ "took [0-9]+s")", labels, line));
  EXPECT_FALSE(matches(R"({app="api"} !~ "took [0-9]+s")", labels, line));
  EXPECT_TRUE(matches(R"({app="api"} |~ "(?i)TIMEOUT")", labels, line));
}

TEST(LogSelector, LabelFiltersCompareStringsNumbersDurationsAndSizes) {
  const LabelSet labels = labels_of({{"level", "error"}, {"status", "503"}, {"took", "1.5s"},
                                     {"size", "2MB"}});
  EXPECT_TRUE(matches(R"({status=~"5.."} | level="error")", labels));
  EXPECT_FALSE(matches(R"({status=~"5.."} | level!="error")", labels));
  EXPECT_TRUE(matches(R"({level="error"} | status >= 500)", labels));
  EXPECT_FALSE(matches(R"({level="error"} | status < 500)", labels));
  EXPECT_TRUE(matches(R"({level="error"} | status == 503)", labels));
  EXPECT_TRUE(matches(R"({level="error"} | took > 1s)", labels));
  EXPECT_FALSE(matches(R"({level="error"} | took > 2s)", labels));
  EXPECT_TRUE(matches(R"({level="error"} | size >= 1MB)", labels));
  EXPECT_FALSE(matches(R"({level="error"} | size > 2MB)", labels));
  EXPECT_FALSE(matches(R"({level="error"} | level > 3)", labels)) << "not a number: no match";
}

TEST(LogSelector, LabelFilterAndBindsTighterThanOr) {
  const LabelSet labels = labels_of({{"a", "1"}, {"b", "2"}});
  EXPECT_TRUE(matches(R"({a="1"} | a="1" and b="2")", labels));
  EXPECT_TRUE(matches(R"({a="1"} | a="1", b="2")", labels));
  EXPECT_TRUE(matches(R"({a="1"} | a="1" b="2")", labels));
  EXPECT_FALSE(matches(R"({a="1"} | a="1" and b="3")", labels));
  EXPECT_TRUE(matches(R"({a="1"} | a="9" or b="2")", labels));
  EXPECT_TRUE(matches(R"({a="1"} | a="1" or b="9" and a="9")", labels));
  EXPECT_FALSE(matches(R"({a="1"} | (a="1" or b="9") and a="9")", labels));
  EXPECT_FALSE(matches(R"({a="1"} | a="1" | b="9")", labels)) << "every | must hold";
}

TEST(LogSelector, GoStringEscapesAndBackticks) {
  const LabelSet labels = labels_of({{"path", "C:\\tmp"}, {"q", "say \"hi\""}});
  EXPECT_TRUE(matches(R"({path="C:\\tmp"})", labels));
  EXPECT_TRUE(matches(R"({q="say \"hi\""})", labels));
  EXPECT_TRUE(matches("{path=`C:\\tmp`}", labels)) << "raw strings, which Promtail 2.8 refuses";
  EXPECT_TRUE(matches(R"({q="say \x22hi\u0022"})", labels));
  EXPECT_TRUE(matches(R"({q=~"say \\\"hi\\\""})", labels));
}

TEST(LogSelector, ErrorsNameTheColumn) {
  EXPECT_EQ(parse_error(R"(app="x")"), R"(col 1: expected "{" to open the stream selector, got "app")");
  EXPECT_EQ(parse_error(R"({app<"x"})"), R"(col 5: expected one of =, !=, =~, !~, got "<")");
  EXPECT_EQ(parse_error(R"({app="x" level="y"})"), R"(col 10: expected "," or "}", got "level")");
  EXPECT_EQ(parse_error(R"~({app="x)~"), R"~(col 6: expected a quoted string, got ""x")~");
  EXPECT_EQ(parse_error(R"({})"), R"(col 2: expected a label name, got "}")");
  EXPECT_EQ(parse_error(R"({app="x"} |= timeout)"),
            R"(col 14: expected a quoted string, got "timeout")");
  EXPECT_EQ(parse_error(R"({app="x"} | json)"),
            R"(col 13: LogQL stages other than filters are not supported in match selectors, got "json")");
  EXPECT_EQ(parse_error(R"({app="x"} | a=~5)"), R"(col 16: expected a quoted regular expression, got "5")");
  EXPECT_EQ(parse_error(R"({app="x"} | (a="1")"), R"~(col 19: expected ")", got end of selector)~");
  EXPECT_NE(parse_error(R"({app=~"(x"})").find("col 7: invalid regular expression"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({app="\q"})").find("col 6: invalid string literal"), std::string::npos);
}

TEST(LogSelector, UnquoteGoString) {
  std::string out;
  EXPECT_TRUE(unquote_go_string(R"("a\tb\n\101\u00e9")", out));
  EXPECT_EQ(out, "a\tb\nA\xc3\xa9");
  EXPECT_FALSE(unquote_go_string(R"("a\")", out));
  EXPECT_FALSE(unquote_go_string(R"("\ud800")", out));
  EXPECT_FALSE(unquote_go_string("'a'", out));
}

TEST(LogSelector, BytesAsLogqlReadsThem) {
  EXPECT_EQ(parse_logql_bytes("20MB"), 20e6);
  EXPECT_EQ(parse_logql_bytes("1KiB"), 1024);
  EXPECT_EQ(parse_logql_bytes("1.5kb"), 1500);
  EXPECT_EQ(parse_logql_bytes("512"), 512);
  EXPECT_FALSE(parse_logql_bytes("5parsecs").has_value());
}

}  // namespace
}  // namespace tailcast::stages
