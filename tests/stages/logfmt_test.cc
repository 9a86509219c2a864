// The logfmt stage: go-logfmt's decoding with Promtail's mapping.
#include "pipeline/metrics.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

constexpr std::string_view kDocLine =
    R"(time=2012-11-01T22:08:41+00:00 app=loki level=WARN duration=125 )"
    R"(message="this is a log line" extra="user=foo")";

TEST(LogfmtStage, DocumentedExampleExtractsMappedKeys) {
  StageRunner runner(
      "logfmt:\n  mapping:\n    timestamp: time\n    app:\n    duration:\n"
      "    unknown:\n");
  EXPECT_EQ(runner.run(kDocLine), Verdict::kPass);
  const Entry& entry = runner.entry();
  EXPECT_EQ(extracted_text(entry, "timestamp"), "2012-11-01T22:08:41+00:00");
  EXPECT_EQ(extracted_text(entry, "app"), "loki");
  EXPECT_EQ(extracted_text(entry, "duration"), "125");
  EXPECT_EQ(extracted_text(entry, "unknown"), std::nullopt);
  EXPECT_EQ(extracted_text(entry, "level"), std::nullopt);
  EXPECT_EQ(entry.extracted.size(), 3u);
}

TEST(LogfmtStage, DocumentedSourceExampleParsesAnExtractedValue) {
  ChainRunner chain(R"(
- logfmt:
    mapping:
      extra:
- logfmt:
    mapping:
      user:
    source: extra
)");
  ASSERT_TRUE(chain.run(kDocLine));
  EXPECT_EQ(extracted_text(chain.entry(), "extra"), "user=foo");
  EXPECT_EQ(extracted_text(chain.entry(), "user"), "foo");
}

TEST(LogfmtStage, QuotedValuesAreUnquotedAndUnescaped) {
  StageRunner runner("logfmt:\n  mapping: {msg: , path: , empty: }\n");
  runner.run(R"(msg="say \"hi\"\tthere" path="C:\\dir" empty="")");
  EXPECT_EQ(extracted_text(runner.entry(), "msg"), "say \"hi\"\tthere");
  EXPECT_EQ(extracted_text(runner.entry(), "path"), "C:\\dir");
  EXPECT_EQ(extracted_text(runner.entry(), "empty"), "");
}

TEST(LogfmtStage, BareKeysAndEmptyValuesAreEmptyStrings) {
  StageRunner runner("logfmt:\n  mapping: {flag: , code: , last: }\n");
  runner.run("flag code= other=1 last");
  EXPECT_EQ(extracted_text(runner.entry(), "flag"), "");
  EXPECT_EQ(extracted_text(runner.entry(), "code"), "");
  EXPECT_EQ(extracted_text(runner.entry(), "last"), "");
  EXPECT_EQ(extracted_type(runner.entry(), "code"), FieldType::kString);
}

TEST(LogfmtStage, UnquotedValuesViewTheLine) {
  StageRunner runner("logfmt:\n  mapping: {app: }\n");
  runner.run("app=loki");
  const Field* app = runner.entry().extracted.get("app");
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->text.data(), runner.entry().line.data() + 4);
}

TEST(LogfmtStage, KeysDecodedBeforeAnErrorAreKept) {
  Metrics metrics;
  StageRunner runner("logfmt:\n  mapping: {a: , b: , c: }\n", &metrics);
  EXPECT_EQ(runner.run(R"(a=1 b="unterminated c=3)"), Verdict::kPass);
  EXPECT_EQ(extracted_text(runner.entry(), "a"), "1");
  EXPECT_EQ(extracted_text(runner.entry(), "b"), std::nullopt);
  EXPECT_EQ(extracted_text(runner.entry(), "c"), std::nullopt);
  runner.run(R"(a=1 b=x"y c=3)");  // a stray quote inside a value
  EXPECT_EQ(extracted_text(runner.entry(), "a"), "1");
  EXPECT_EQ(extracted_text(runner.entry(), "c"), std::nullopt);
  runner.run("a=1 =2 c=3");  // a pair with no key
  EXPECT_EQ(extracted_text(runner.entry(), "a"), "1");
  EXPECT_EQ(extracted_text(runner.entry(), "c"), std::nullopt);
  EXPECT_EQ(
      counter_value(metrics.stage_unparsed, {{"stage", "logfmt"}, {"reason", "malformed_logfmt"}}),
      3);
}

TEST(LogfmtStage, LaterPairsWinAndSeveralNamesMayMapOneKey) {
  StageRunner runner("logfmt:\n  mapping: {lvl: level, level: }\n");
  runner.run("level=info level=warn");
  EXPECT_EQ(extracted_text(runner.entry(), "lvl"), "warn");
  EXPECT_EQ(extracted_text(runner.entry(), "level"), "warn");
}

TEST(LogfmtStage, MissingSourceLeavesTheEntryUnchanged) {
  StageRunner runner("logfmt:\n  mapping: {a: }\n  source: body\n");
  runner.run("a=1");
  EXPECT_EQ(runner.entry().extracted.size(), 0u);
}

TEST(LogfmtStage, ConfigErrors) {
  EXPECT_NE(build_error("logfmt:\n").find("\"mapping\" is required"), std::string::npos);
  EXPECT_NE(build_error("logfmt:\n  mapping: {}\n"), "");
  std::string error = build_error("logfmt:\n  mapping: [a]\n");
  EXPECT_NE(error.find("pipeline_stages[0].logfmt.mapping"), std::string::npos) << error;
  EXPECT_NE(build_error("logfmt:\n  mapping: {a: }\n  source: ''\n"), "");
}

}  // namespace
}  // namespace tailcast::testing
