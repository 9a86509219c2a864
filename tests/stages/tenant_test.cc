// The tenant stage picks the tenant from an extracted value, a label or a fixed value.
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {
namespace {

TEST(TenantStage, DocumentedExampleTakesTheTenantFromJson) {
  ChainRunner chain(R"(
- json:
    expressions:
      customer_id: customer_id
- tenant:
    source: customer_id
)");
  ASSERT_TRUE(chain.run(R"({"customer_id":"1","log":"log message\n","stream":"stderr"})"));
  EXPECT_EQ(chain.entry().tenant, "1");
}

TEST(TenantStage, TakesTheTenantFromALabel) {
  StageRunner runner("tenant:\n  label: namespace\n");
  runner.next("line").labels.set("namespace", "team-a");
  runner.process();
  EXPECT_EQ(runner.entry().tenant, "team-a");
}

TEST(TenantStage, SetsAFixedValue) {
  StageRunner runner("tenant:\n  value: fixed\n");
  runner.run("line");
  EXPECT_EQ(runner.entry().tenant, "fixed");
}

TEST(TenantStage, MissingNilOrEmptyValuesKeepTheCurrentTenant) {
  StageRunner runner("tenant:\n  source: id\n");
  runner.next("line").tenant = "before";
  runner.process();
  EXPECT_EQ(runner.entry().tenant, "before");
  Entry& entry = runner.next("line");
  entry.tenant = "before";
  entry.extracted.set("id", "", FieldType::kNull);
  runner.process();
  EXPECT_EQ(runner.entry().tenant, "before");
  runner.entry().extracted.set("id", "");
  runner.process();
  EXPECT_EQ(runner.entry().tenant, "before");
  runner.entry().extracted.set("id", "42", FieldType::kNumber);
  runner.process();
  EXPECT_EQ(runner.entry().tenant, "42");
}

TEST(TenantStage, ExactlyOneOfSourceLabelOrValue) {
  EXPECT_NE(build_error("tenant:\n").find("is required"), std::string::npos);
  EXPECT_NE(build_error("tenant:\n  source: a\n  value: b\n").find("only one"), std::string::npos);
  EXPECT_NE(build_error("tenant:\n  label: a\n  source: b\n").find("only one"), std::string::npos);
  EXPECT_NE(build_error("tenant:\n  label: a\n  value: b\n").find("pipeline_stages[0].tenant"),
            std::string::npos);
}

}  // namespace
}  // namespace tailcast::testing
