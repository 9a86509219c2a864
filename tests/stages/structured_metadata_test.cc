// The structured_metadata stage: extracted values go beside the line, not into stream labels.
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

TEST(StructuredMetadataStage, ExtractedValuesBecomeMetadataNotLabels) {
  ChainRunner chain(R"(
- regex:
    expression: 'trace_id=(?P<trace_id>\w+)'
- structured_metadata:
    trace_id:
    request: req
)");
  ASSERT_TRUE(chain.run("GET / trace_id=abc123"));
  EXPECT_EQ(label(chain.entry().structured_metadata, "trace_id"), "abc123");
  EXPECT_EQ(label(chain.entry().structured_metadata, "request"), std::nullopt);
  EXPECT_TRUE(chain.entry().labels.empty());
}

TEST(StructuredMetadataStage, FollowsTheLabelsRulesForValues) {
  StageRunner runner("structured_metadata:\n  id: request_id\n  empty:\n  nil:\n  binary:\n");
  Entry& entry = runner.next("line");
  entry.extracted.set("request_id", "r-1");
  entry.extracted.set("empty", "");
  entry.extracted.set("nil", "", FieldType::kNull);
  entry.extracted.set("binary", "\xC3");
  runner.process();
  const LabelSet& metadata = runner.entry().structured_metadata;
  EXPECT_EQ(label(metadata, "id"), "r-1");
  EXPECT_EQ(label(metadata, "empty"), "");
  EXPECT_EQ(metadata.size(), 2u);
}

TEST(StructuredMetadataStage, ConfigErrors) {
  EXPECT_NE(build_error("structured_metadata:\n"), "");
  std::string error = build_error("structured_metadata:\n  'a.b':\n");
  EXPECT_NE(error.find("pipeline_stages[0].structured_metadata.a.b"), std::string::npos) << error;
}

}  // namespace
}  // namespace tailcast::testing
