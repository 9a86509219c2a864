// The match stage built from YAML as part of a pipeline_stages list: nested stages run only on
// entries the selector matches, `action: drop` drops and counts them, nested holding stages keep
// working (and keep positions from passing their lines), and config errors name file:line and key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipeline/metrics.h"
#include "tests/stages/chain_harness.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast {
namespace {

using testing::chain_error;
using testing::ChainHarness;
using testing::counter_value;

constexpr std::string_view kLevelPipeline = R"(
- match:
    selector: '{app="api"} |= "level="'
    stages:
      - regex:
          expression: 'level=(?P<level>\w+)'
      - labels:
          level:
- static_labels:
    after: match
)";

TEST(MatchStage, NestedStagesRunOnlyOnMatchingEntries) {
  ChainHarness chain(kLevelPipeline);
  EXPECT_EQ(chain.feed("level=warn msg=a", {{"app", "api"}}), 1u);
  EXPECT_EQ(chain.feed("level=warn msg=b", {{"app", "web"}}), 1u);
  EXPECT_EQ(chain.feed("msg=c without the filter text", {{"app", "api"}}), 1u);
  auto& out = chain.outputs();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].labels.count("level"), 1u);
  EXPECT_EQ(out[0].labels["level"], "warn");
  EXPECT_EQ(out[1].labels.count("level"), 0u) << "the stream selector did not match";
  EXPECT_EQ(out[2].labels.count("level"), 0u) << "the line filter did not match";
  for (auto& entry : out) EXPECT_EQ(entry.labels["after"], "match") << "later stages see all";
}

TEST(MatchStage, DropActionDropsMatchingEntriesAndCountsThemByReason) {
  Metrics metrics;
  ChainHarness custom(R"(
- match:
    selector: '{app="api"} |~ "GET /health"'
    action: drop
    drop_counter_reason: healthchecks
)", &metrics);
  EXPECT_EQ(custom.feed("GET /healthz 200", {{"app", "api"}}), 0u);
  EXPECT_EQ(custom.feed("GET /users 200", {{"app", "api"}}), 1u);
  EXPECT_EQ(custom.feed("GET /health 200", {{"app", "web"}}), 1u);
  EXPECT_EQ(counter_value(metrics.stage_dropped, {{"reason", "healthchecks"}}), 1);

  ChainHarness defaults("- match:\n    selector: '{app=\"api\"}'\n    action: drop\n", &metrics);
  defaults.feed("x", {{"app", "api"}});
  EXPECT_EQ(counter_value(metrics.stage_dropped, {{"reason", "match_stage"}}), 1);
  EXPECT_EQ(custom.committed_offset(), custom.offset()) << "dropped lines count as delivered";
}

TEST(MatchStage, NestedDropDropsTheEntry) {
  ChainHarness chain(R"(
- match:
    selector: '{app="api"}'
    pipeline_name: api_noise
    stages:
      - drop:
          expression: debug
)");
  EXPECT_EQ(chain.feed("a debug line", {{"app", "api"}}), 0u);
  EXPECT_EQ(chain.feed("an info line", {{"app", "api"}}), 1u);
  EXPECT_EQ(chain.feed("a debug line", {{"app", "web"}}), 1u);
}

TEST(MatchStage, NestedMatchesCompose) {
  ChainHarness chain(R"(
- match:
    selector: '{app="api"}'
    stages:
      - match:
          selector: '{app="api"} |= "error"'
          stages:
            - static_labels:
                severe: "yes"
)");
  chain.feed("an error", {{"app", "api"}});
  chain.feed("fine", {{"app", "api"}});
  ASSERT_EQ(chain.outputs().size(), 2u);
  EXPECT_EQ(chain.outputs()[0].labels["severe"], "yes");
  EXPECT_EQ(chain.outputs()[1].labels.count("severe"), 0u);
}

// ray_serve holds every record until the next one starts (a traceback may follow), so inside a
// match every line is held and handed out later through release().
constexpr std::string_view kRayInMatch = R"(
- match:
    selector: '{job="ray"}'
    stages:
      - ray_serve:
- static_labels:
    after: match
)";
const std::string kReplicaLog = "/tmp/ray/session_1/logs/serve/replica_app_Model_abc12345.log";

TEST(MatchStage, NestedHoldingStageReleasesInOrderAndPinsPositions) {
  ChainHarness chain(kRayInMatch);
  const ChainHarness::Labels ray = {{"job", "ray"}, {"filename", kReplicaLog}};
  EXPECT_EQ(chain.feed("ERROR 2026-11-20 09:00:01,630 app_Model abc12345 r1 /p m.py:5 - boom", ray),
            0u);
  EXPECT_EQ(chain.feed("Traceback (most recent call last):", ray), 0u);
  EXPECT_EQ(chain.feed("RuntimeError: x", ray), 0u);
  EXPECT_EQ(chain.committed_offset(), 0u) << "held lines keep the position";
  const uint64_t record_end = chain.offset();
  EXPECT_EQ(chain.feed("INFO 2026-11-20 09:00:02,000 app_Model abc12345 r2 /p m.py:6 - next", ray),
            1u);
  EXPECT_EQ(chain.feed("not ray at all", {{"job", "other"}}), 1u) << "non-matching lines pass";
  EXPECT_EQ(chain.committed_offset(), record_end) << "the released record gave its chunks back";

  chain.flush_all();
  ASSERT_EQ(chain.outputs().size(), 3u);
  EXPECT_EQ(chain.outputs()[0].line,
            "ERROR 2026-11-20 09:00:01,630 app_Model abc12345 r1 /p m.py:5 - boom\n"
            "Traceback (most recent call last):\nRuntimeError: x");
  EXPECT_EQ(chain.outputs()[0].labels["deployment"], "Model");
  EXPECT_EQ(chain.outputs()[0].labels["after"], "match") << "released entries run the rest";
  EXPECT_EQ(chain.outputs()[1].line, "not ray at all");
  EXPECT_EQ(chain.outputs()[2].fields["request_id"], "r2");
  EXPECT_EQ(chain.outputs()[2].labels["after"], "match");
  EXPECT_EQ(chain.committed_offset(), chain.offset());
}

TEST(MatchStage, ConfigErrorsNameFileLineAndKey) {
  EXPECT_EQ(chain_error("- match:\n"),
            "test.yaml:2:1: pipeline_stages[0].match: match stage config cannot be empty");
  EXPECT_EQ(chain_error("- match:\n    stages: [{labels: {a: }}]\n"),
            "test.yaml:2:5: pipeline_stages[0].match: selector statement required for match stage");
  EXPECT_EQ(chain_error("- match:\n    selector: '{a=\"b\"}'\n    action: keep\n"),
            "test.yaml:2:5: pipeline_stages[0].match: match stage requires at least one "
            "additional stage to be defined in '- stages'");
  EXPECT_EQ(chain_error("- match:\n    selector: '{a=\"b\"}'\n    action: delete\n"),
            "test.yaml:3:13: pipeline_stages[0].match.action: match stage action should be "
            "'keep' or 'drop'");
  EXPECT_EQ(chain_error("- match:\n    selector: '{a=\"b\"}'\n    action: drop\n"
                        "    stages: [{labels: {a: }}]\n"),
            "test.yaml:4:13: pipeline_stages[0].match.stages: match stage configured to drop "
            "entries cannot contains stages");
  EXPECT_EQ(chain_error("- match:\n    selector: '{a=\"b\" |= \"x\"'\n    action: drop\n"),
            "test.yaml:2:15: pipeline_stages[0].match.selector: invalid selector syntax for match "
            "stage: col 8: expected \",\" or \"}\", got \"|=\"");
  EXPECT_EQ(chain_error("- match:\n    selector: '{a=\"b\"}'\n    pipeline_name: ''\n"
                        "    action: drop\n"),
            "test.yaml:3:20: pipeline_stages[0].match.pipeline_name: match stage pipeline name "
            "can be omitted but cannot be an empty string");
  EXPECT_EQ(chain_error("- match:\n    selector: '{a=\"b\"}'\n    stages:\n      - regexp:\n"),
            "test.yaml:4:9: pipeline_stages[0].match.stages[0].regexp: unknown stage \"regexp\" "
            "(did you mean \"regex\"?)");
}

TEST(MatchStage, UnknownKeysAreWarnings) {
  ChainHarness chain("- match:\n    selector: '{a=\"b\"}'\n    action: drop\n    colour: red\n");
  ASSERT_EQ(chain.warnings().size(), 1u);
  EXPECT_NE(chain.warnings()[0].find("pipeline_stages[0].match.colour"), std::string::npos);
}

}  // namespace
}  // namespace tailcast
