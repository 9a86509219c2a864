// The static_labels stage: fixed labels that override the target's and skip empty values.
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

TEST(StaticLabelsStage, AddsFixedLabels) {
  StageRunner runner("static_labels:\n  custom_key: custom_value\n  port: 8080\n");
  runner.run("line");
  EXPECT_EQ(label(runner.entry().labels, "custom_key"), "custom_value");
  EXPECT_EQ(label(runner.entry().labels, "port"), "8080");
}

TEST(StaticLabelsStage, OverridesTargetLabels) {
  StageRunner runner("static_labels:\n  job: fixed\n");
  runner.next("line").labels.set("job", "from-target");
  runner.process();
  EXPECT_EQ(label(runner.entry().labels, "job"), "fixed");
  EXPECT_EQ(runner.entry().labels.size(), 1u);
}

TEST(StaticLabelsStage, EmptyValuesAreSkipped) {
  StageRunner runner("static_labels:\n  empty: ''\n  nothing:\n  set: x\n");
  Entry& entry = runner.next("line");
  entry.labels.set("empty", "kept");
  runner.process();
  EXPECT_EQ(label(runner.entry().labels, "empty"), "kept");
  EXPECT_EQ(label(runner.entry().labels, "nothing"), std::nullopt);
  EXPECT_EQ(label(runner.entry().labels, "set"), "x");
}

TEST(StaticLabelsStage, ConfigErrors) {
  EXPECT_NE(build_error("static_labels:\n"), "");
  EXPECT_NE(build_error("static_labels:\n  bad-name: x\n").find("invalid label name"),
            std::string::npos);
  EXPECT_NE(build_error("static_labels:\n  a: [1, 2]\n"), "");
}

}  // namespace
}  // namespace tailcast::testing
