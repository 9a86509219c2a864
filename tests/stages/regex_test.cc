// The regex stage as Promtail's documentation describes it, built from YAML.
#include "pipeline/metrics.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

constexpr std::string_view kCriRegex = R"(regex:
  expression: "^(?s)(?P<time>\\S+?) (?P<stream>stdout|stderr) (?P<flags>\\S+?) (?P<content>.*)$"
)";

TEST(RegexStage, NamedGroupsBecomeExtracted) {
  StageRunner runner(kCriRegex);
  EXPECT_EQ(runner.run("2019-01-01T01:00:00.000000001Z stderr P i'm a log message!"),
            Verdict::kPass);
  const Entry& entry = runner.entry();
  EXPECT_EQ(extracted_text(entry, "time"), "2019-01-01T01:00:00.000000001Z");
  EXPECT_EQ(extracted_text(entry, "stream"), "stderr");
  EXPECT_EQ(extracted_text(entry, "flags"), "P");
  EXPECT_EQ(extracted_text(entry, "content"), "i'm a log message!");
  EXPECT_EQ(extracted_type(entry, "content"), FieldType::kString);
  EXPECT_EQ(entry.line, "2019-01-01T01:00:00.000000001Z stderr P i'm a log message!");
}

TEST(RegexStage, ValuesViewTheMatchedTextWithoutCopies) {
  StageRunner runner(kCriRegex);
  runner.run("2019-01-01T01:00:00Z stdout F hello");
  const Entry& entry = runner.entry();
  const Field* content = entry.extracted.get("content");
  ASSERT_NE(content, nullptr);
  EXPECT_EQ(content->text.data(), entry.line.data() + entry.line.size() - 5);
}

TEST(RegexStage, SourceMatchesAnExtractedValueInsteadOfTheLine) {
  ChainRunner chain(R"yaml(
- regex:
    expression: "^(?s)(?P<time>\\S+?) (?P<stream>stdout|stderr) (?P<flags>\\S+?) (?P<content>.*)$"
- regex:
    source: time
    expression: "^(?P<year>\\d+)"
)yaml");
  ASSERT_TRUE(chain.run("2019-01-01T01:00:00.000000001Z stderr P i'm a log message!"));
  EXPECT_EQ(extracted_text(chain.entry(), "year"), "2019");
  EXPECT_EQ(extracted_text(chain.entry(), "time"), "2019-01-01T01:00:00.000000001Z");
}

TEST(RegexStage, MissingOrNullSourceLeavesTheEntryUnchanged) {
  StageRunner runner("regex:\n  source: msg\n  expression: '(?P<word>\\w+)'\n");
  EXPECT_EQ(runner.run("hello"), Verdict::kPass);
  EXPECT_EQ(runner.entry().extracted.size(), 0u);

  runner.next("hello").extracted.set("msg", "", FieldType::kNull);
  EXPECT_EQ(runner.process(), Verdict::kPass);
  EXPECT_EQ(extracted_text(runner.entry(), "word"), std::nullopt);
}

TEST(RegexStage, NoMatchLeavesTheEntryUnchangedAndIsCounted) {
  Metrics metrics;
  StageRunner runner("regex:\n  expression: '^(?P<level>INFO|ERROR) '\n", &metrics);
  EXPECT_EQ(runner.run("DEBUG something"), Verdict::kPass);
  EXPECT_EQ(runner.entry().extracted.size(), 0u);
  EXPECT_EQ(runner.entry().line, "DEBUG something");
  EXPECT_EQ(counter_value(metrics.stage_unparsed, {{"stage", "regex"}, {"reason", "no_match"}}), 1);
  runner.run("INFO fine");
  EXPECT_EQ(extracted_text(runner.entry(), "level"), "INFO");
  EXPECT_EQ(counter_value(metrics.stage_unparsed, {{"stage", "regex"}, {"reason", "no_match"}}), 1);
}

TEST(RegexStage, MatchIsUnanchoredAndLeftmostFirst) {
  StageRunner runner("regex:\n  expression: '(?P<n>\\d+)'\n");
  runner.run("abc 12 def 345");
  EXPECT_EQ(extracted_text(runner.entry(), "n"), "12");
}

TEST(RegexStage, GroupThatDidNotTakePartIsSetToEmpty) {
  StageRunner runner("regex:\n  expression: '^(?P<method>\\w+)( (?P<code>\\d+))?'\n");
  runner.run("GET");
  EXPECT_EQ(extracted_text(runner.entry(), "method"), "GET");
  EXPECT_EQ(extracted_text(runner.entry(), "code"), "");
}

TEST(RegexStage, UnnamedGroupsAreNotExtracted) {
  StageRunner runner("regex:\n  expression: '(a+)(?P<b>b+)'\n");
  runner.run("xaabbb");
  EXPECT_EQ(runner.entry().extracted.size(), 1u);
  EXPECT_EQ(extracted_text(runner.entry(), "b"), "bbb");
}

TEST(RegexStage, LaterMatchOverwritesEarlierValue) {
  StageRunner runner("regex:\n  expression: '(?P<a>\\w+)'\n");
  runner.next("new").extracted.set("a", "old");
  runner.process();
  EXPECT_EQ(extracted_text(runner.entry(), "a"), "new");
}

TEST(RegexStage, MissingExpressionIsAConfigErrorNamingTheStage) {
  std::string error = build_error("regex:\n  source: x\n");
  EXPECT_NE(error.find("test.yaml:2:"), std::string::npos) << error;
  EXPECT_NE(error.find("pipeline_stages[0].regex"), std::string::npos) << error;
  EXPECT_NE(error.find("\"expression\" is required"), std::string::npos) << error;
}

TEST(RegexStage, BadRegexIsAConfigErrorAtTheExpression) {
  std::string error = build_error("regex:\n  expression: '(?P<a>unclosed'\n");
  EXPECT_NE(error.find("test.yaml:2:15"), std::string::npos) << error;
  EXPECT_NE(error.find("pipeline_stages[0].regex.expression"), std::string::npos) << error;
  EXPECT_NE(error.find("could not compile"), std::string::npos) << error;
}

TEST(RegexStage, EmptySourceIsAConfigError) {
  EXPECT_NE(build_error("regex:\n  expression: '(?P<a>a)'\n  source: ''\n").find("source"),
            std::string::npos);
}

TEST(RegexStage, UnknownKeysBecomeWarnings) {
  StageRunner runner("regex:\n  expression: '(?P<a>a)'\n  colour: blue\n");
  ASSERT_TRUE(runner.built());
  ASSERT_EQ(runner.warnings().size(), 1u);
  EXPECT_NE(runner.warnings()[0].find("colour"), std::string::npos);
}

}  // namespace
}  // namespace tailcast::testing
