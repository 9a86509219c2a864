// The pack stage as Promtail's documentation and promtail-behaviour.md describe it.
#include <chrono>

#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(PackStage, PacksExtractedValuesSortedWithTheLineAndDropsThoseLabels) {
  StageRunner runner("pack:\n  labels: [pod, container]\n  ingest_timestamp: false\n");
  Entry& entry = runner.next("log line");
  entry.timestamp_ns = 7;
  entry.extracted.set("pod", "p-1");
  entry.extracted.set("container", "c");
  entry.labels.set("pod", "p-1");
  entry.labels.set("job", "k8s");
  runner.process();
  EXPECT_EQ(runner.entry().line, R"({"container":"c","pod":"p-1","_entry":"log line"})");
  EXPECT_EQ(label(runner.entry().labels, "pod"), std::nullopt);
  EXPECT_EQ(label(runner.entry().labels, "job"), "k8s");
  EXPECT_EQ(runner.entry().timestamp_ns, 7);
}

TEST(PackStage, TargetLabelsArePackedToo) {
  StageRunner runner("pack:\n  labels: [job]\n");
  runner.next("x").labels.set("job", "api");
  runner.process();
  EXPECT_EQ(runner.entry().line, R"({"job":"api","_entry":"x"})");
  EXPECT_TRUE(runner.entry().labels.empty());
}

TEST(PackStage, MissingAndNilValuesAreLeftOut) {
  StageRunner runner("pack:\n  labels: [absent, nil]\n");
  runner.next("x").extracted.set("nil", "", FieldType::kNull);
  runner.process();
  EXPECT_EQ(runner.entry().line, R"({"_entry":"x"})");
}

TEST(PackStage, EscapesAsGoEncodesJson) {
  StageRunner runner("pack:\n  labels: [v]\n");
  runner.next("<a href=\"x\">&</a>\n\x01\xff").extracted.set("v", "1.50e1", FieldType::kNumber);
  runner.process();
  EXPECT_EQ(runner.entry().line,
            R"({"v":"15","_entry":"\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e\n\u0001\ufffd"})");
}

TEST(PackStage, IngestTimestampDefaultsToTheTimeOfPacking) {
  StageRunner runner("pack:\n  labels: [a]\n");
  const int64_t before = now_ns();
  runner.next("x").timestamp_ns = 5;
  runner.process();
  EXPECT_GE(runner.entry().timestamp_ns, before);
  EXPECT_LE(runner.entry().timestamp_ns, now_ns());
}

TEST(PackStage, ConfigErrorsNameTheKey) {
  EXPECT_NE(build_error("pack:\n  ingest_timestamp: true\n").find("labels"), std::string::npos);
  const std::string error = build_error("pack:\n  labels: [a]\n  ingest_timestamp: maybe\n");
  EXPECT_NE(error.find("test.yaml:3:"), std::string::npos) << error;
  EXPECT_NE(error.find("ingest_timestamp"), std::string::npos) << error;
}

}  // namespace
}  // namespace tailcast::testing
