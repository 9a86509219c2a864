// The json stage: Promtail's documented examples plus the behaviour of its Go decoder.
#include "pipeline/metrics.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

constexpr std::string_view kDockerLine =
    R"({"log":"log message\n","stream":"stderr","time":"2019-04-30T02:12:41.8443515Z"})";

TEST(JsonStage, DocumentedExampleExtractsTopLevelKeys) {
  StageRunner runner(R"(json:
  expressions:
    output: log
    stream: stream
    timestamp: time
)");
  EXPECT_EQ(runner.run(kDockerLine), Verdict::kPass);
  const Entry& entry = runner.entry();
  EXPECT_EQ(extracted_text(entry, "output"), "log message\n");
  EXPECT_EQ(extracted_text(entry, "stream"), "stderr");
  EXPECT_EQ(extracted_text(entry, "timestamp"), "2019-04-30T02:12:41.8443515Z");
  EXPECT_EQ(extracted_type(entry, "stream"), FieldType::kString);
  EXPECT_EQ(entry.line, kDockerLine);
}

TEST(JsonStage, StringsWithoutEscapesViewTheLine) {
  StageRunner runner("json:\n  expressions:\n    stream:\n");
  runner.run(kDockerLine);
  const Entry& entry = runner.entry();
  const Field* stream = entry.extracted.get("stream");
  ASSERT_NE(stream, nullptr);
  EXPECT_GE(stream->text.data(), entry.line.data());
  EXPECT_LE(stream->text.data() + stream->text.size(), entry.line.data() + entry.line.size());
}

TEST(JsonStage, SourceParsesAnExtractedValue) {
  ChainRunner chain(R"(
- json:
    expressions:
      output: log
      extra:
- json:
    expressions:
      user:
    source: extra
)");
  ASSERT_TRUE(
      chain.run(R"({"log":"log message\n","stream":"stderr","extra":"{\"user\":\"marco\"}"})"));
  EXPECT_EQ(extracted_text(chain.entry(), "extra"), R"({"user":"marco"})");
  EXPECT_EQ(extracted_text(chain.entry(), "user"), "marco");
}

TEST(JsonStage, NestedKeysQuotedKeysAndArrayIndexes) {
  StageRunner runner(R"(json:
  expressions:
    deep: a.b.c
    dotted: '"x.y"'
    dashed: a."b-c"
    first: items[0]
    last: items[-1]
    name: items[1].name
    at: '"@timestamp"'
)");
  runner.run(R"({"a":{"b":{"c":"C"},"b-c":"D"},"x.y":"XY","items":[{"name":"n0"},{"name":"n1"},7],
                 "@timestamp":"now"})");
  const Entry& entry = runner.entry();
  EXPECT_EQ(extracted_text(entry, "deep"), "C");
  EXPECT_EQ(extracted_text(entry, "dotted"), "XY");
  EXPECT_EQ(extracted_text(entry, "dashed"), "D");
  EXPECT_EQ(extracted_text(entry, "first"), R"({"name":"n0"})");
  EXPECT_EQ(extracted_type(entry, "first"), FieldType::kJson);
  EXPECT_EQ(extracted_text(entry, "last"), "7");
  EXPECT_EQ(extracted_text(entry, "name"), "n1");
  EXPECT_EQ(extracted_text(entry, "at"), "now");
}

TEST(JsonStage, NumbersAreFormattedAsPromtailFormatsFloat64) {
  StageRunner runner(R"(json:
  expressions: {status: , big: , huge: , negzero: , tiny: , ratio: , exp: }
)");
  runner.run(R"({"status":200,"big":12345678901234567890,"huge":1e21,"negzero":-0.0,
                 "tiny":1.5e-7,"ratio":12.50,"exp":2E+3})");
  const Entry& entry = runner.entry();
  EXPECT_EQ(extracted_text(entry, "status"), "200");
  EXPECT_EQ(extracted_type(entry, "status"), FieldType::kNumber);
  EXPECT_EQ(extracted_text(entry, "big"), "12345678901234567000");
  EXPECT_EQ(extracted_text(entry, "huge"), "1000000000000000000000");
  EXPECT_EQ(extracted_text(entry, "negzero"), "-0");
  EXPECT_EQ(extracted_text(entry, "tiny"), "0.00000015");
  EXPECT_EQ(extracted_text(entry, "ratio"), "12.5");
  EXPECT_EQ(extracted_text(entry, "exp"), "2000");
}

TEST(JsonStage, BooleansNullsAndMissingKeys) {
  StageRunner runner("json:\n  expressions: {ok: , nothing: , absent: , deep: a.b.c}\n");
  runner.run(R"({"ok":true,"nothing":null,"a":{"b":"not an object"}})");
  const Entry& entry = runner.entry();
  EXPECT_EQ(extracted_text(entry, "ok"), "true");
  EXPECT_EQ(extracted_type(entry, "ok"), FieldType::kBool);
  // Keys that find nothing exist with a nil value.
  EXPECT_EQ(extracted_type(entry, "nothing"), FieldType::kNull);
  EXPECT_EQ(extracted_type(entry, "absent"), FieldType::kNull);
  EXPECT_EQ(extracted_type(entry, "deep"), FieldType::kNull);
}

TEST(JsonStage, ObjectsAndArraysBecomeCompactJsonText) {
  StageRunner runner("json:\n  expressions: {obj: , arr: , tight: }\n");
  runner.run(R"({"obj": {"b": 1, "s": "a b"},  "arr" : [1, [2, 3]] , "tight":{"x":[]}})");
  const Entry& entry = runner.entry();
  EXPECT_EQ(extracted_text(entry, "obj"), R"({"b":1,"s":"a b"})");
  EXPECT_EQ(extracted_type(entry, "obj"), FieldType::kJson);
  EXPECT_EQ(extracted_text(entry, "arr"), "[1,[2,3]]");
  EXPECT_EQ(extracted_text(entry, "tight"), R"({"x":[]})");
}

TEST(JsonStage, EscapedStringsAreDecoded) {
  StageRunner runner("json:\n  expressions: {msg: }\n");
  runner.run(R"({"msg":"tab\there \"quoted\" \u00e9 \ud83d\ude00"})");
  EXPECT_EQ(extracted_text(runner.entry(), "msg"),
            "tab\there \"quoted\" \xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(JsonStage, MalformedLinePassesUnchangedAndIsCounted) {
  Metrics metrics;
  StageRunner runner("json:\n  expressions: {a: }\n", &metrics);
  for (std::string_view line : {"plain text", R"({"a":1)", R"({"a":1} trailing)", "[1,2]",
                                R"("string")", "42", "", R"({"a":1,"b":[tru]})"}) {
    EXPECT_EQ(runner.run(line), Verdict::kPass) << line;
    EXPECT_EQ(runner.entry().extracted.size(), 0u) << line;
    EXPECT_EQ(runner.entry().line, line);
  }
  EXPECT_EQ(
      counter_value(metrics.stage_unparsed, {{"stage", "json"}, {"reason", "malformed_json"}}), 8);
}

TEST(JsonStage, DropMalformedDropsLinesThatAreNotJsonObjects) {
  Metrics metrics;
  StageRunner runner("json:\n  expressions: {a: }\n  drop_malformed: true\n", &metrics);
  EXPECT_EQ(runner.run("not json"), Verdict::kDrop);
  EXPECT_EQ(runner.run(R"({"a":"x"})"), Verdict::kPass);
  EXPECT_EQ(counter_value(metrics.stage_dropped, {{"stage", "json"}, {"reason", "malformed_json"}}),
            1);
}

TEST(JsonStage, NullLineIsNotMalformed) {
  StageRunner runner("json:\n  expressions: {a: }\n  drop_malformed: true\n");
  EXPECT_EQ(runner.run("null"), Verdict::kPass);
  EXPECT_EQ(extracted_type(runner.entry(), "a"), FieldType::kNull);
  EXPECT_EQ(runner.run(" null x"), Verdict::kDrop);
}

TEST(JsonStage, MissingOrNullSourceLeavesTheEntryUnchanged) {
  StageRunner runner("json:\n  expressions: {a: }\n  source: body\n  drop_malformed: true\n");
  EXPECT_EQ(runner.run(R"({"a":1})"), Verdict::kPass);
  EXPECT_EQ(runner.entry().extracted.size(), 0u);
}

TEST(JsonStage, MissingExpressionsIsAConfigError) {
  std::string error = build_error("json:\n  source: x\n");
  EXPECT_NE(error.find("pipeline_stages[0].json"), std::string::npos) << error;
  EXPECT_NE(error.find("expressions"), std::string::npos) << error;
}

TEST(JsonStage, BadExpressionIsAConfigErrorAtItsKey) {
  std::string error = build_error("json:\n  expressions:\n    a: b\n    c: items[*].name\n");
  EXPECT_NE(error.find("test.yaml:4:8"), std::string::npos) << error;
  EXPECT_NE(error.find("pipeline_stages[0].json.expressions.c"), std::string::npos) << error;
  EXPECT_NE(error.find("items[*].name"), std::string::npos) << error;
}

TEST(JsonStage, UnquotedNameThatIsNotAnIdentifierIsRejectedAsJmespathDoes) {
  EXPECT_NE(build_error("json:\n  expressions:\n    '@t':\n").find("@t"), std::string::npos);
}

}  // namespace
}  // namespace tailcast::testing
