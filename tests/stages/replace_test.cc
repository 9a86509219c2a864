// The replace stage as Promtail's documentation and promtail-behaviour.md describe it.
#include "pipeline/metrics.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

TEST(ReplaceStage, ReplacesTheCapturedTextInTheLine) {
  StageRunner runner("replace:\n  expression: 'password (\\S+)'\n  replace: '****'\n");
  runner.run("2019-01-01T01:00:00.000000001Z stderr P i'm a log message who has sensitive "
             "information with password xyz!");
  EXPECT_EQ(runner.entry().line,
            "2019-01-01T01:00:00.000000001Z stderr P i'm a log message who has sensitive "
            "information with password ****");
}

TEST(ReplaceStage, EveryMatchAndGroupIsReplacedThroughTheTemplate) {
  StageRunner runner(
      "replace:\n  expression: '(\\d{2}.\\d{2}.\\d{2}.\\d{2}) - (\\S+)'\n"
      "  replace: '{{ .Value | ToUpper }}'\n");
  runner.run("11.11.11.11 - frank 12.12.12.12 - frank");
  EXPECT_EQ(runner.entry().line, "11.11.11.11 - FRANK 12.12.12.12 - FRANK");
}

TEST(ReplaceStage, HashingAnAddressWithTheDocumentedTemplate) {
  StageRunner runner(
      "replace:\n  expression: '(?P<ip>\\d{1,3}[.]\\d{1,3}[.]\\d{1,3}[.]\\d{1,3})'\n"
      "  replace: '*IP4*{{ .Value | Sha2Hash \"salt\" }}*'\n");
  runner.run("from 10.0.0.1 ok");
  // SHA-256 of "salt" + "10.0.0.1": the piped value is Sha2Hash's second argument.
  const std::string masked = "*IP4*0e566086e634e47d93d33a3b2ab17ffade421ba92105ccc1e089bacd91aa4eb1*";
  EXPECT_EQ(runner.entry().line, "from " + masked + " ok");
  EXPECT_EQ(extracted_text(runner.entry(), "ip"), masked);
}

TEST(ReplaceStage, EmptyReplaceRemovesTheGroup) {
  StageRunner runner("replace:\n  expression: '( debug=\\w+)'\n");
  runner.run("request done debug=true status=200");
  EXPECT_EQ(runner.entry().line, "request done status=200");
}

TEST(ReplaceStage, SourceReplacesInAnExtractedValueAndLeavesTheLine) {
  StageRunner runner(
      "replace:\n  source: msg\n  expression: 'POST (\\S+)'\n  replace: '/loki/api/v1/push'\n");
  runner.next("the line").extracted.set("msg", "POST /api/prom/push 200");
  runner.process();
  EXPECT_EQ(extracted_text(runner.entry(), "msg"), "POST /loki/api/v1/push 200");
  EXPECT_EQ(runner.entry().line, "the line");
}

TEST(ReplaceStage, TemplateSeesOtherExtractedValues) {
  StageRunner runner("replace:\n  expression: 'user=(\\w+)'\n  replace: '{{ .tenant }}/{{ .Value }}'\n");
  runner.next("user=bob").extracted.set("tenant", "acme");
  runner.process();
  EXPECT_EQ(runner.entry().line, "user=acme/bob");
}

TEST(ReplaceStage, NamedGroupsHoldTheirReplacementAndEmptyCapturesAreShared) {
  StageRunner runner(
      "replace:\n  expression: '^(?P<word>\\w+)(?P<opt> \\d+)?(?P<tail>!*)$'\n"
      "  replace: '{{ .Value | ToUpper }}'\n");
  runner.run("hello");
  EXPECT_EQ(runner.entry().line, "HELLO");
  EXPECT_EQ(extracted_text(runner.entry(), "word"), "HELLO");
  EXPECT_EQ(extracted_text(runner.entry(), "tail"), "");
  EXPECT_EQ(extracted_text(runner.entry(), "opt"), "")
      << "a group that did not take part takes the value of the group that captured \"\"";

  StageRunner no_empty("replace:\n  expression: '^(?P<word>\\w+)(?P<opt> \\d+)?$'\n  replace: x\n");
  no_empty.run("hello");
  EXPECT_EQ(no_empty.entry().line, "x");
  EXPECT_EQ(extracted_text(no_empty.entry(), "opt"), std::nullopt);
}

TEST(ReplaceStage, NoMatchOrMissingSourceLeavesTheEntry) {
  Metrics metrics;
  StageRunner runner("replace:\n  expression: 'secret=(\\w+)'\n  replace: '***'\n", &metrics);
  EXPECT_EQ(runner.run("nothing here"), Verdict::kPass);
  EXPECT_EQ(runner.entry().line, "nothing here");
  EXPECT_EQ(counter_value(metrics.stage_unparsed, {{"stage", "replace"}, {"reason", "no_match"}}),
            1);

  StageRunner sourced("replace:\n  source: msg\n  expression: '(a)'\n");
  sourced.next("a line").extracted.set("msg", "", FieldType::kNull);
  sourced.process();
  EXPECT_EQ(sourced.entry().line, "a line");
  EXPECT_EQ(extracted_type(sourced.entry(), "msg"), FieldType::kNull);
}

TEST(ReplaceStage, TemplateErrorLeavesTheEntry) {
  StageRunner runner("replace:\n  expression: '(\\w+)'\n  replace: '{{ atoi .missing }}'\n");
  runner.run("word");
  EXPECT_EQ(runner.entry().line, "word");
}

TEST(ReplaceStage, ConfigErrorsNameTheKey) {
  EXPECT_NE(build_error("replace:\n  replace: x\n").find("expression"), std::string::npos);
  const std::string regex = build_error("replace:\n  expression: '(['\n");
  EXPECT_NE(regex.find("test.yaml:2:"), std::string::npos) << regex;
  EXPECT_NE(regex.find("replace.expression"), std::string::npos) << regex;
  const std::string text = build_error("replace:\n  expression: '(a)'\n  replace: '{{ .a '\n");
  EXPECT_NE(text.find("replace.replace"), std::string::npos) << text;
  EXPECT_NE(text.find("unclosed action"), std::string::npos) << text;
  EXPECT_NE(build_error("replace:\n  expression: '(a)'\n  source: ''\n").find("source"),
            std::string::npos);
}

}  // namespace
}  // namespace tailcast::testing
