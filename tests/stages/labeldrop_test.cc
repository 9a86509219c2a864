// The labeldrop stage removes the listed labels.
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

TEST(LabelDropStage, RemovesListedLabelsOnly) {
  StageRunner runner("labeldrop:\n  - kubernetes_pod_name\n  - absent\n");
  Entry& entry = runner.next("line");
  entry.labels.set("kubernetes_pod_name", "p");
  entry.labels.set("app", "loki");
  runner.process();
  EXPECT_EQ(label(runner.entry().labels, "kubernetes_pod_name"), std::nullopt);
  EXPECT_EQ(label(runner.entry().labels, "app"), "loki");
  EXPECT_EQ(runner.entry().labels.size(), 1u);
}

TEST(LabelDropStage, RemovesLabelsSetByEarlierStages) {
  ChainRunner chain(R"(
- static_labels:
    tmp: x
    keep: y
- labeldrop: [tmp]
)");
  ASSERT_TRUE(chain.run("line"));
  EXPECT_EQ(label(chain.entry().labels, "tmp"), std::nullopt);
  EXPECT_EQ(label(chain.entry().labels, "keep"), "y");
}

TEST(LabelDropStage, NeedsAListOfNames) {
  EXPECT_NE(build_error("labeldrop:\n"), "");
  EXPECT_NE(build_error("labeldrop: []\n"), "");
  EXPECT_NE(build_error("labeldrop: {a: b}\n"), "");
  EXPECT_NE(build_error("labeldrop:\n  - [nested]\n").find("pipeline_stages[0].labeldrop[0]"),
            std::string::npos);
}

}  // namespace
}  // namespace tailcast::testing
