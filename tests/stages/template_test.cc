// The template stage as Promtail's documentation and promtail-behaviour.md describe it.
#include "pipeline/metrics.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

std::string template_stage(std::string_view source, std::string_view text) {
  return "template:\n  source: " + std::string(source) + "\n  template: '" + std::string(text) +
         "'\n";
}

TEST(TemplateStage, ConstantTemplateCreatesTheKey) {
  StageRunner runner(template_stage("new_key", "hello world!"));
  runner.run("line");
  EXPECT_EQ(extracted_text(runner.entry(), "new_key"), "hello world!");
  EXPECT_EQ(runner.entry().line, "line");
}

TEST(TemplateStage, ValueIsTheSourceAndOtherKeysAreFields) {
  StageRunner runner(template_stage("app", "{{ .Value }}_some_suffix {{ .level }}"));
  Entry& entry = runner.next("line");
  entry.extracted.set("app", "loki");
  entry.extracted.set("level", "info");
  runner.process();
  EXPECT_EQ(extracted_text(runner.entry(), "app"), "loki_some_suffix info");
}

TEST(TemplateStage, DocumentedFunctionExamples) {
  struct Case {
    std::string_view text, value, expected;
  } cases[] = {
      {"{{ ToLower .Value }}", "LOKI", "loki"},
      {"{{ Replace .Value \"loki\" \"blokey\" 1 }}", "loki loki", "blokey loki"},
      {"{{ if eq .Value \"WARN\" }}{{ Replace .Value \"WARN\" \"OK\" -1 }}{{ else }}{{ .Value }}{{ end }}",
       "WARN", "OK"},
      {"{{ if eq .Value \"WARN\" }}{{ Replace .Value \"WARN\" \"OK\" -1 }}{{ else }}{{ .Value }}{{ end }}",
       "ERROR", "ERROR"},
      {"{{ .Value | Sha2Hash \"salt\" }}", "x",
       "c9ef43a03d58f2cb9b0c4b069c179595739f5181a5565c8db5dbb124564ea819"},
      {"{{ regexReplaceAllLiteral \"(ts=)\" .Value \"timestamp=\" }}", "ts=1 a",
       "timestamp=1 a"},
  };
  for (const Case& c : cases) {
    StageRunner runner(template_stage("v", c.text));
    runner.next("line").extracted.set("v", c.value);
    runner.process();
    EXPECT_EQ(extracted_text(runner.entry(), "v"), std::string(c.expected)) << c.text;
  }
}

TEST(TemplateStage, EntryIsTheLine) {
  StageRunner runner(template_stage("out", "{{ .level }} | {{ .Entry }}"));
  runner.next("the line").extracted.set("level", "warn");
  runner.process();
  EXPECT_EQ(extracted_text(runner.entry(), "out"), "warn | the line");
}

TEST(TemplateStage, MissingAndNilValuesRenderNoValue) {
  StageRunner runner(template_stage("absent", "{{ .Value }}"));
  runner.run("line");
  EXPECT_EQ(extracted_text(runner.entry(), "absent"), "<no value>");

  runner.next("line").extracted.set("absent", "", FieldType::kNull);
  runner.process();
  EXPECT_EQ(extracted_text(runner.entry(), "absent"), "<no value>");
  EXPECT_EQ(extracted_type(runner.entry(), "absent"), FieldType::kString);
}

TEST(TemplateStage, EmptyResultDeletesTheKey) {
  StageRunner runner(template_stage("v", "{{ if eq .Value \"drop\" }}{{ else }}{{ .Value }}{{ end }}"));
  runner.next("line").extracted.set("v", "drop");
  runner.process();
  EXPECT_EQ(extracted_text(runner.entry(), "v"), std::nullopt);
  runner.next("line").extracted.set("v", "keep");
  runner.process();
  EXPECT_EQ(extracted_text(runner.entry(), "v"), "keep");
}

TEST(TemplateStage, ExecutionErrorLeavesTheKeyAndIsCounted) {
  Metrics metrics;
  StageRunner runner(template_stage("v", "{{ atoi .missing }}"), &metrics);
  runner.next("line").extracted.set("v", "before");
  EXPECT_EQ(runner.process(), Verdict::kPass);
  EXPECT_EQ(extracted_text(runner.entry(), "v"), "before");
  EXPECT_EQ(counter_value(metrics.stage_unparsed,
                          {{"stage", "template"}, {"reason", "execution_error"}}),
            1);
}

TEST(TemplateStage, NumbersRenderAsPromtailFormatsAFloat64) {
  StageRunner runner(template_stage("n", "n={{ .Value }}"));
  runner.next("line").extracted.set("n", "1e21", FieldType::kNumber);
  runner.process();
  EXPECT_EQ(extracted_text(runner.entry(), "n"), "n=1000000000000000000000");
}

TEST(TemplateStage, ConfigErrorsNameTheKey) {
  EXPECT_NE(build_error("template:\n  template: x\n").find("source"), std::string::npos);
  EXPECT_NE(build_error("template:\n  source: a\n").find("template"), std::string::npos);
  const std::string bad = build_error("template:\n  source: a\n  template: '{{ nosuch }}'\n");
  EXPECT_NE(bad.find("test.yaml:3:"), std::string::npos) << bad;
  EXPECT_NE(bad.find("pipeline_stages[0].template.template"), std::string::npos) << bad;
  EXPECT_NE(bad.find("function \"nosuch\" not defined"), std::string::npos) << bad;
}

TEST(TemplateStage, UnknownKeysAreWarnings) {
  StageRunner runner("template:\n  source: a\n  template: x\n  destination: b\n");
  EXPECT_TRUE(runner.built());
  ASSERT_EQ(runner.warnings().size(), 1u);
  EXPECT_NE(runner.warnings()[0].find("destination"), std::string::npos);
}

}  // namespace
}  // namespace tailcast::testing
