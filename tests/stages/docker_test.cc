// The docker stage as Promtail's documentation and promtail-behaviour.md describe it.
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

TEST(DockerStage, JsonFileLineBecomesItsLogWithStreamAndTime) {
  StageRunner runner("docker:");
  EXPECT_EQ(runner.run(R"({"log":"log message\n","stream":"stderr","time":"2019-04-30T02:12:41.8443515Z"})"),
            Verdict::kPass);
  const Entry& entry = runner.entry();
  EXPECT_EQ(entry.line, "log message\n") << "the trailing newline stays";
  EXPECT_EQ(label(entry.labels, "stream"), "stderr");
  EXPECT_EQ(entry.timestamp_ns, 1556590361844351500);
}

TEST(DockerStage, OtherLinesPassUnchanged) {
  StageRunner runner("docker:");
  runner.next("plain text").timestamp_ns = 3;
  EXPECT_EQ(runner.process(), Verdict::kPass);
  EXPECT_EQ(runner.entry().line, "plain text");
  EXPECT_EQ(runner.entry().timestamp_ns, 3);
  EXPECT_TRUE(runner.entry().labels.empty());
}

TEST(DockerStage, MissingKeysLeaveWhatTheyWouldSet) {
  StageRunner runner("docker:");
  runner.next(R"({"log":"only log"})").timestamp_ns = 3;
  runner.process();
  EXPECT_EQ(runner.entry().line, "only log");
  EXPECT_EQ(runner.entry().timestamp_ns, 3);
  EXPECT_EQ(label(runner.entry().labels, "stream"), std::nullopt);
}

TEST(DockerStage, UnknownKeysAreWarnings) {
  StageRunner runner("docker:\n  container_labels: true\n");
  EXPECT_TRUE(runner.built());
  ASSERT_EQ(runner.warnings().size(), 1u);
  EXPECT_NE(runner.warnings()[0].find("container_labels"), std::string::npos);
}

}  // namespace
}  // namespace tailcast::testing
