// JsonPath parsing and evaluation, Go's float formatting and JSON string unescaping.
#include "stages/json_path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tailcast::stages {
namespace {

std::vector<std::string> describe(const JsonPath& path) {
  std::vector<std::string> out;
  for (const auto& step : path.steps())
    out.push_back(step.is_index ? "[" + std::to_string(step.index) + "]" : step.key);
  return out;
}

std::vector<std::string> parsed(std::string_view expression) {
  auto path = JsonPath::parse(expression);
  EXPECT_TRUE(path.has_value()) << expression << ": " << (path ? "" : path.error().message);
  return path ? describe(*path) : std::vector<std::string>{};
}

using Steps = std::vector<std::string>;

TEST(JsonPath, ParsesDottedKeys) { EXPECT_EQ(parsed("a.b.c"), (Steps{"a", "b", "c"})); }

TEST(JsonPath, ParsesQuotedKeys) {
  EXPECT_EQ(parsed(R"("a.b")"), (Steps{"a.b"}));
  EXPECT_EQ(parsed(R"(a."b-c".d)"), (Steps{"a", "b-c", "d"}));
  EXPECT_EQ(parsed(R"("say \"hi\"")"), (Steps{"say \"hi\""}));
  EXPECT_EQ(parsed(R"("\u00e9")"), (Steps{"\xC3\xA9"}));
}

TEST(JsonPath, ParsesArrayIndexes) {
  EXPECT_EQ(parsed("a[0]"), (Steps{"a", "[0]"}));
  EXPECT_EQ(parsed("a[-1]"), (Steps{"a", "[-1]"}));
  EXPECT_EQ(parsed("[0].x"), (Steps{"[0]", "x"}));
  EXPECT_EQ(parsed("a[1][2].b"), (Steps{"a", "[1]", "[2]", "b"}));
  EXPECT_EQ(parsed(" a . b [ 3 ] "), (Steps{"a", "b", "[3]"}));
}

TEST(JsonPath, RejectsWhatItDoesNotSupport) {
  for (std::string_view bad : {"", "a.", ".a", "a..b", "a[*]", "a[]", "a[0:2]", "a[?x]", "a | b",
                               "length(a)", "@t", "a b", "\"open", "a[1", "a.[0]", "a-b"}) {
    auto path = JsonPath::parse(bad);
    EXPECT_FALSE(path.has_value()) << bad;
    if (!path) {
      EXPECT_NE(path.error().message.find("invalid JSON expression"), std::string::npos);
    }
  }
}

JsonValue eval(JsonDocument& doc, std::string_view expression, Arena& arena) {
  auto path = JsonPath::parse(expression);
  EXPECT_TRUE(path.has_value()) << expression;
  return path ? doc.evaluate(*path, arena) : JsonValue{};
}

TEST(JsonDocument, EvaluatesPathsRepeatedlyOnOneDocument) {
  Arena arena;
  JsonDocument doc;
  const std::string text = R"({"a":{"list":[10,20,30]},"b":"x"})";
  ASSERT_EQ(doc.load(text), JsonLoad::kObject);
  EXPECT_EQ(eval(doc, "a.list[0]", arena).text, "10");
  EXPECT_EQ(eval(doc, "a.list[-1]", arena).text, "30");
  EXPECT_EQ(eval(doc, "a.list[-3]", arena).text, "10");
  EXPECT_EQ(eval(doc, "a.list[-4]", arena).type, FieldType::kNull);
  EXPECT_EQ(eval(doc, "a.list[3]", arena).type, FieldType::kNull);
  EXPECT_EQ(eval(doc, "b[0]", arena).type, FieldType::kNull);
  EXPECT_EQ(eval(doc, "b", arena).text, "x");
  EXPECT_EQ(eval(doc, "b.c", arena).type, FieldType::kNull);
  // Unescaped strings view the loaded text itself, not the padded copy.
  const std::string_view b = eval(doc, "b", arena).text;
  EXPECT_EQ(b.data(), text.data() + text.find("\"x\"") + 1);
}

TEST(JsonDocument, ReusesItsBufferAcrossLinesOfDifferentSizes) {
  Arena arena;
  JsonDocument doc;
  const std::string long_line = R"({"k":")" + std::string(10000, 'v') + R"("})";
  ASSERT_EQ(doc.load(long_line), JsonLoad::kObject);
  EXPECT_EQ(eval(doc, "k", arena).text.size(), 10000u);
  ASSERT_EQ(doc.load(R"({"k":"short"})"), JsonLoad::kObject);
  EXPECT_EQ(eval(doc, "k", arena).text, "short");
  EXPECT_EQ(doc.load("{"), JsonLoad::kMalformed);
  EXPECT_EQ(eval(doc, "k", arena).type, FieldType::kNull);
}

TEST(GoFloat, FormatsLikeStrconvFormatFloatF) {
  char buffer[kGoFloatMaxChars];
  EXPECT_EQ(format_go_float(0, buffer), "0");
  EXPECT_EQ(format_go_float(-0.0, buffer), "-0");
  EXPECT_EQ(format_go_float(200, buffer), "200");
  EXPECT_EQ(format_go_float(12.5, buffer), "12.5");
  EXPECT_EQ(format_go_float(0.1, buffer), "0.1");
  EXPECT_EQ(format_go_float(-3.25, buffer), "-3.25");
  EXPECT_EQ(format_go_float(1e21, buffer), "1000000000000000000000");
  EXPECT_EQ(format_go_float(12345678901234567890.0, buffer), "12345678901234567000");
  EXPECT_EQ(format_go_float(1.5e-7, buffer), "0.00000015");
  EXPECT_EQ(format_go_float(1700000000123456789.0, buffer), "1700000000123456800");
  const std::string_view max = format_go_float(std::numeric_limits<double>::max(), buffer);
  EXPECT_EQ(max.size(), 309u);
  EXPECT_EQ(max.substr(0, 17), "17976931348623157");
  const std::string_view min = format_go_float(std::numeric_limits<double>::denorm_min(), buffer);
  EXPECT_EQ(min.size(), 2u + 323u + 1u);
  EXPECT_EQ(min.back(), '5');
}

std::optional<std::string> unescaped(std::string_view body) {
  std::string out(body.size(), '\0');
  ptrdiff_t length = unescape_json_string(body, out.data());
  if (length < 0) return std::nullopt;
  out.resize(static_cast<size_t>(length));
  return out;
}

TEST(JsonString, UnescapesJsonEscapes) {
  EXPECT_EQ(unescaped(R"(plain)"), "plain");
  EXPECT_EQ(unescaped(R"(a\"b\\c\/d\n\t\r\b\f)"), "a\"b\\c/d\n\t\r\b\f");
  EXPECT_EQ(unescaped(R"(\u0041\u00e9\u20ac)"), "A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(unescaped(R"(\ud83d\ude00)"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(unescaped(R"(\ud83d!)"), "\xEF\xBF\xBD!");  // a lone surrogate becomes U+FFFD
}

TEST(JsonString, RejectsBadEscapesAndControlBytes) {
  EXPECT_EQ(unescaped(R"(\x41)"), std::nullopt);
  EXPECT_EQ(unescaped(R"(\u12)"), std::nullopt);
  EXPECT_EQ(unescaped("trailing\\"), std::nullopt);
  EXPECT_EQ(unescaped("raw\x01"), std::nullopt);
}

}  // namespace
}  // namespace tailcast::stages
