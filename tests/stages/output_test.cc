// The output stage: an extracted value replaces the line.
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

TEST(OutputStage, DocumentedExampleReplacesTheLineWithTheMessage) {
  ChainRunner chain(R"(
- json:
    expressions:
      user: user
      message: message
- labels:
    user:
- output:
    source: message
)");
  ASSERT_TRUE(chain.run(R"({"user": "alexis", "message": "hello, world!"})"));
  EXPECT_EQ(chain.entry().line, "hello, world!");
  EXPECT_EQ(label(chain.entry().labels, "user"), "alexis");
}

TEST(OutputStage, MissingOrNilSourceKeepsTheLine) {
  StageRunner runner("output:\n  source: msg\n");
  runner.run("original");
  EXPECT_EQ(runner.entry().line, "original");
  runner.next("original").extracted.set("msg", "", FieldType::kNull);
  runner.process();
  EXPECT_EQ(runner.entry().line, "original");
}

TEST(OutputStage, EmptyValueEmptiesTheLineAndOtherTypesUseTheirText) {
  StageRunner runner("output:\n  source: msg\n");
  runner.next("original").extracted.set("msg", "");
  runner.process();
  EXPECT_EQ(runner.entry().line, "");
  runner.next("original").extracted.set("msg", R"({"a":1})", FieldType::kJson);
  runner.process();
  EXPECT_EQ(runner.entry().line, R"({"a":1})");
}

TEST(OutputStage, SourceIsRequired) {
  std::string error = build_error("output:\n  other: x\n");
  EXPECT_NE(error.find("\"source\" is required"), std::string::npos) << error;
  EXPECT_NE(error.find("pipeline_stages[0].output"), std::string::npos) << error;
  EXPECT_NE(build_error("output:\n"), "");
}

}  // namespace
}  // namespace tailcast::testing
