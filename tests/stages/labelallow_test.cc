// The labelallow stage keeps only the listed labels, job and filename included.
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

TEST(LabelAllowStage, KeepsOnlyListedLabels) {
  StageRunner runner("labelallow:\n  - kubernetes_pod_name\n  - kubernetes_container_name\n");
  Entry& entry = runner.next("line");
  entry.labels.set("kubernetes_pod_name", "p");
  entry.labels.set("kubernetes_container_name", "c");
  entry.labels.set("app", "loki");
  entry.labels.set("job", "varlogs");
  entry.labels.set("filename", "/var/log/x.log");
  runner.process();
  const LabelSet& labels = runner.entry().labels;
  EXPECT_EQ(labels.size(), 2u);
  EXPECT_EQ(label(labels, "kubernetes_pod_name"), "p");
  EXPECT_EQ(label(labels, "kubernetes_container_name"), "c");
  EXPECT_EQ(label(labels, "job"), std::nullopt);
  EXPECT_EQ(label(labels, "filename"), std::nullopt);
}

TEST(LabelAllowStage, JobAndFilenameStayWhenListed) {
  StageRunner runner("labelallow: [job, filename]\n");
  Entry& entry = runner.next("line");
  entry.labels.set("job", "varlogs");
  entry.labels.set("filename", "/var/log/x.log");
  entry.labels.set("other", "o");
  runner.process();
  EXPECT_EQ(runner.entry().labels.size(), 2u);
  EXPECT_EQ(label(runner.entry().labels, "job"), "varlogs");
}

TEST(LabelAllowStage, NeedsAListOfNames) {
  EXPECT_NE(build_error("labelallow:\n"), "");
  EXPECT_NE(build_error("labelallow: []\n"), "");
  EXPECT_NE(build_error("labelallow: {a: b}\n"), "");
}

}  // namespace
}  // namespace tailcast::testing
