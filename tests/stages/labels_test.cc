// The labels stage: extracted values become stream labels under Promtail's rules.
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

TEST(LabelsStage, DocumentedExampleTurnsAJsonFieldIntoALabel) {
  ChainRunner chain(R"(
- json:
    expressions:
      stream: stream
- labels:
    stream:
)");
  ASSERT_TRUE(chain.run(R"({"log":"log message\n","stream":"stderr"})"));
  EXPECT_EQ(label(chain.entry().labels, "stream"), "stderr");
}

TEST(LabelsStage, SourceNamesTheExtractedValue) {
  StageRunner runner("labels:\n  lvl: level\n  same: ''\n");
  Entry& entry = runner.next("line");
  entry.extracted.set("level", "warn");
  entry.extracted.set("same", "x");
  runner.process();
  EXPECT_EQ(label(runner.entry().labels, "lvl"), "warn");
  EXPECT_EQ(label(runner.entry().labels, "same"), "x");
  EXPECT_EQ(label(runner.entry().labels, "level"), std::nullopt);
}

TEST(LabelsStage, EmptyValuesAreSetButNilMissingAndInvalidUtf8AreSkipped) {
  StageRunner runner("labels:\n  empty:\n  nil:\n  missing:\n  binary:\n  number:\n");
  Entry& entry = runner.next("line");
  entry.extracted.set("empty", "");
  entry.extracted.set("nil", "", FieldType::kNull);
  entry.extracted.set("binary", "\xFF\xFE");
  entry.extracted.set("number", "12.5", FieldType::kNumber);
  runner.process();
  const LabelSet& labels = runner.entry().labels;
  EXPECT_EQ(label(labels, "empty"), "");
  EXPECT_EQ(label(labels, "nil"), std::nullopt);
  EXPECT_EQ(label(labels, "missing"), std::nullopt);
  EXPECT_EQ(label(labels, "binary"), std::nullopt);
  EXPECT_EQ(label(labels, "number"), "12.5");
  EXPECT_EQ(labels.size(), 2u);
}

TEST(LabelsStage, OverridesAnExistingLabel) {
  StageRunner runner("labels:\n  job:\n");
  Entry& entry = runner.next("line");
  entry.labels.set("job", "varlogs");
  entry.extracted.set("job", "api");
  runner.process();
  EXPECT_EQ(label(runner.entry().labels, "job"), "api");
  EXPECT_EQ(runner.entry().labels.size(), 1u);
}

TEST(LabelsStage, InvalidLabelNameIsAConfigError) {
  std::string error = build_error("labels:\n  ok:\n  bad-name: x\n");
  EXPECT_NE(error.find("test.yaml:3:"), std::string::npos) << error;
  EXPECT_NE(error.find("pipeline_stages[0].labels.bad-name"), std::string::npos) << error;
  EXPECT_NE(build_error("labels:\n  9lives:\n"), "");
}

TEST(LabelsStage, EmptyConfigIsAnError) {
  EXPECT_NE(build_error("labels:\n"), "");
  EXPECT_NE(build_error("labels: {}\n"), "");
  EXPECT_NE(build_error("labels: [a]\n"), "");
}

}  // namespace
}  // namespace tailcast::testing
