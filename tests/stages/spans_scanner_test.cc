// The spans stage's helpers on their own: driver prefixes, the JSON object framer's events, ids
// and times.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stages/span_fields.h"
#include "stages/span_scanner.h"

namespace tailcast::stages::spans {
namespace {

// Every event of `lines`, written as kind letters with the text: S start, O object,
// T truncated, L too large, G garbage.
std::vector<std::string> events(JsonObjectFramer& framer, const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    framer.start_line(line);
    for (FrameEvent event = framer.next(); event.kind != FrameKind::kLineEnd;
         event = framer.next()) {
      const char* kind = "?";
      switch (event.kind) {
        case FrameKind::kStart:
          kind = "S";
          break;
        case FrameKind::kObject:
          kind = "O";
          break;
        case FrameKind::kTruncated:
          kind = "T";
          break;
        case FrameKind::kTooLarge:
          kind = "L";
          break;
        case FrameKind::kGarbage:
          kind = "G";
          break;
        case FrameKind::kLineEnd:
          break;
      }
      out.push_back(std::string(kind) + std::string(event.text));
    }
  }
  return out;
}

using Events = std::vector<std::string>;

TEST(SpanScanner, DriverPrefixesAreSplitOff) {
  auto check = [](std::string_view line, std::string_view prefix, std::string_view body) {
    const PrefixedLine split = split_driver_prefix(line);
    EXPECT_EQ(split.prefix, prefix) << line;
    EXPECT_EQ(split.body, body) << line;
  };
  check("(ServeReplica:app:Dep pid=123) {", "(ServeReplica:app:Dep pid=123)", "{");
  check("(pid=123)     \"name\": 1", "(pid=123)", "    \"name\": 1");
  check("\x1b[36m(ProxyActor pid=4582, ip=10.0.0.5)\x1b[0m }", "(ProxyActor pid=4582, ip=10.0.0.5)",
        "}");
  check("(pid=x) {", "", "(pid=x) {");
  check("(not a prefix) {", "", "(not a prefix) {");
  check("(pid=1 (nested)) {", "", "(pid=1 (nested)) {");
  check("(pid=12", "", "(pid=12");
  check("{\"a\": \"(pid=1)\"}", "", "{\"a\": \"(pid=1)\"}");
}

TEST(SpanScanner, ObjectsAreFramedAcrossLinesWithStringsAndEscapes) {
  JsonObjectFramer framer(1 << 20);
  EXPECT_EQ(events(framer, {"{", R"(  "a": "}{\"}\\",)", R"(  "b": ["]", {"c": "}"}])", "}"}),
            (Events{"S", "O{\n  \"a\": \"}{\\\"}\\\\\",\n  \"b\": [\"]\", {\"c\": \"}\"}]\n}"}));
  EXPECT_FALSE(framer.in_object());
  EXPECT_EQ(events(framer, {R"({"a":1}{"b":2}  {"c":3} tail)"}),
            (Events{"S", "O{\"a\":1}", "S", "O{\"b\":2}", "S", "O{\"c\":3}", "Gtail"}));
}

TEST(SpanScanner, ObjectsStartOnlyInColumnZeroOrAfterAnObject) {
  JsonObjectFramer framer(1 << 20);
  EXPECT_EQ(events(framer, {"  {\"a\": 1}", "x {", "", "   ", "{\"a\": 1}"}),
            (Events{"G{\"a\": 1}", "Gx {", "S", "O{\"a\": 1}"}));
}

TEST(SpanScanner, NewObjectInColumnZeroTruncatesTheOpenOne) {
  JsonObjectFramer framer(1 << 20);
  EXPECT_EQ(events(framer, {"{", "    \"a\": {", "{\"b\": 2}"}),
            (Events{"S", "T{\n    \"a\": {\n", "S", "O{\"b\": 2}"}));
}

TEST(SpanScanner, LineEndingInsideAStringBreaksTheObject) {
  JsonObjectFramer framer(1 << 20);
  EXPECT_EQ(events(framer, {"{", "  \"a\": \"cut", "  \"b\": 1", "}", "{}"}),
            (Events{"S", "T{\n  \"a\": \"cut", "G\"b\": 1", "G}", "S", "O{}"}));
}

TEST(SpanScanner, TooLargeObjectIsSkippedToItsEnd) {
  JsonObjectFramer framer(16);
  EXPECT_EQ(events(framer,
                   {"{", "  \"a\": \"0123456789\",", "  \"b\": {\"c\": \"}\"}", "}", "{\"d\": 1}"}),
            (Events{"S", "L", "S", "O{\"d\": 1}"}));
  EXPECT_EQ(events(framer, {"{\"a\": \"0123456789abcdef\"} {}"}), (Events{"S", "L", "S", "O{}"}));
}

TEST(SpanScanner, AbandonGivesUpTheOpenObjectOnce) {
  JsonObjectFramer framer(1 << 20);
  events(framer, {"{", "  \"a\": 1,"});
  EXPECT_TRUE(framer.in_object());
  const FrameEvent first = framer.abandon();
  EXPECT_EQ(first.kind, FrameKind::kTruncated);
  EXPECT_EQ(first.text, "{\n  \"a\": 1,\n");
  EXPECT_FALSE(framer.in_object());
  EXPECT_EQ(framer.abandon().kind, FrameKind::kLineEnd);
}

TEST(SpanScanner, ObjectTextKeepsSimdjsonPadding) {
  JsonObjectFramer framer(1 << 20);
  events(framer, {"{\"a\": 1}"});
  EXPECT_GE(framer.object_text().capacity() - framer.object_text().size(),
            simdjson::SIMDJSON_PADDING);
}

TEST(SpanFields, HexIdsNormalize) {
  char out[16];
  EXPECT_TRUE(normalize_hex_id("0xE2E09B397A2B8738", out, 16));
  EXPECT_EQ(std::string_view(out, 16), "e2e09b397a2b8738");
  EXPECT_TRUE(normalize_hex_id("e2e09b397a2b8738", out, 16));
  EXPECT_EQ(std::string_view(out, 16), "e2e09b397a2b8738");
  EXPECT_FALSE(normalize_hex_id("0xe2e09b397a2b873", out, 16));
  EXPECT_FALSE(normalize_hex_id("0xe2e09b397a2b87380", out, 16));
  EXPECT_FALSE(normalize_hex_id("0xe2e09b397a2b873g", out, 16));
  EXPECT_FALSE(normalize_hex_id("", out, 16));
}

TEST(SpanFields, UtcTimesParseToNanoseconds) {
  int64_t ns = 0;
  EXPECT_TRUE(parse_utc_time("2025-11-24T16:00:00.217592Z", ns));
  EXPECT_EQ(ns, 1764000000217592000);
  EXPECT_TRUE(parse_utc_time("2025-11-24T16:00:00Z", ns));
  EXPECT_EQ(ns, 1764000000000000000);
  EXPECT_TRUE(parse_utc_time("1969-12-31T23:59:59.5+00:00", ns));
  EXPECT_EQ(ns, -500000000);
  EXPECT_TRUE(parse_utc_time("2025-11-24T16:00:00.1234567891Z", ns)) << "digits past ns cut";
  EXPECT_EQ(ns, 1764000000123456789);
  EXPECT_FALSE(parse_utc_time("2025-11-24T16:00:00.217592", ns)) << "no zone";
  EXPECT_FALSE(parse_utc_time("2025-11-24T16:00:00+02:00", ns)) << "spans are written in UTC";
  EXPECT_FALSE(parse_utc_time("2025-13-24T16:00:00Z", ns));
  EXPECT_FALSE(parse_utc_time("2025-11-24T16:00:00.Z", ns));
  EXPECT_FALSE(parse_utc_time("", ns));
  EXPECT_FALSE(parse_utc_time("9999-12-31T23:59:59Z", ns)) << "past int64 nanoseconds";
  EXPECT_FALSE(parse_utc_time("1000-01-01T00:00:00Z", ns)) << "before int64 nanoseconds";
  EXPECT_TRUE(parse_utc_time("2261-12-31T23:59:59.999999999Z", ns));
}

}  // namespace
}  // namespace tailcast::stages::spans
