// The drop stage built from YAML, following the examples of Promtail's drop documentation: every
// configured condition must hold for a line to be dropped, and drops are counted by reason.
#include <gtest/gtest.h>

#include <chrono>

#include "pipeline/metrics.h"
#include "tests/stages/ts_test_util.h"

namespace tailcast {
namespace {

using ts_testing::make_stage;
using ts_testing::make_stage_error;

class DropTest : public ::testing::Test {
 protected:
  void build(std::string_view yaml, Metrics* metrics = nullptr) {
    auto stage = make_stage(yaml, metrics);
    ASSERT_TRUE(stage.has_value()) << stage.error().message;
    stage_ = std::move(*stage);
  }
  bool dropped(Entry& entry) { return stage_->process(entry, arena_) == Verdict::kDrop; }
  bool dropped(std::string_view line) {
    Entry entry;
    entry.line = line;
    return dropped(entry);
  }
  StagePtr stage_;
  Arena arena_;
};

Entry with_fields(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  Entry entry;
  entry.line = "a line";
  for (const auto& [name, value] : fields) entry.extracted.set(name, value);
  return entry;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(DropTest, SourceAloneDropsWhenTheKeyIsPresent) {
  build("drop:\n  source: level\n");
  Entry with = with_fields({{"level", "info"}});
  Entry without = with_fields({{"msg", "hello"}});
  EXPECT_TRUE(dropped(with));
  EXPECT_FALSE(dropped(without));
}

TEST_F(DropTest, SourceListNeedsEveryKeyPresent) {
  build("drop:\n  source: [level, msg]\n");
  Entry both = with_fields({{"level", "info"}, {"msg", "x"}});
  Entry one = with_fields({{"level", "info"}});
  EXPECT_TRUE(dropped(both));
  EXPECT_FALSE(dropped(one));
}

TEST_F(DropTest, ValueDropsOnAnExactMatchOfTheSource) {
  build("drop:\n  source: level\n  value: debug\n");
  Entry debug = with_fields({{"level", "debug"}});
  Entry debugging = with_fields({{"level", "debugging"}});
  Entry missing = with_fields({});
  EXPECT_TRUE(dropped(debug));
  EXPECT_FALSE(dropped(debugging));
  EXPECT_FALSE(dropped(missing));
}

TEST_F(DropTest, ValueIsComparedWithSourcesJoinedBySeparator) {
  build("drop:\n  source: [app, level]\n  separator: '#'\n  value: 'serve#debug'\n");
  Entry match = with_fields({{"app", "serve"}, {"level", "debug"}});
  Entry other = with_fields({{"app", "serve"}, {"level", "info"}});
  EXPECT_TRUE(dropped(match));
  EXPECT_FALSE(dropped(other));
}

TEST_F(DropTest, DefaultSeparatorIsSemicolonAndAbsentSourcesAreLeftOut) {
  build("drop:\n  source: [app, missing, level]\n  expression: '^serve;debug$'\n");
  Entry entry = with_fields({{"app", "serve"}, {"level", "debug"}});
  EXPECT_TRUE(dropped(entry));
}

TEST_F(DropTest, ExpressionWithoutSourceMatchesTheLine) {
  build("drop:\n  expression: '.*debug.*'\n");
  EXPECT_TRUE(dropped("level=debug msg=x"));
  EXPECT_FALSE(dropped("level=info msg=x"));
}

TEST_F(DropTest, ExpressionIsUnanchoredLikeGoMatchString) {
  build("drop:\n  expression: 'health'\n");
  EXPECT_TRUE(dropped("GET /_health 200"));
}

TEST_F(DropTest, ExpressionWithSourceMatchesTheValue) {
  build("drop:\n  source: route\n  expression: '^/(health|ready)'\n");
  Entry health = with_fields({{"route", "/health"}});
  Entry api = with_fields({{"route", "/api"}});
  EXPECT_TRUE(dropped(health));
  EXPECT_FALSE(dropped(api));
}

TEST_F(DropTest, NullOrObjectSourcesAreNeverMatched) {
  build("drop:\n  source: route\n  expression: '.*'\n");
  Entry entry;
  entry.extracted.set("route", "null", FieldType::kNull);
  EXPECT_FALSE(dropped(entry));
  entry.extracted.set("route", "{}", FieldType::kJson);
  EXPECT_FALSE(dropped(entry));
}

TEST_F(DropTest, NumbersAreComparedAsGoPrintsThem) {
  build("drop:\n  source: status\n  value: '200'\n");
  Entry entry;
  entry.extracted.set("status", "2e2", FieldType::kNumber);
  EXPECT_TRUE(dropped(entry));
}

TEST_F(DropTest, LongerThanDropsOnlyLinesOverTheLimit) {
  build("drop:\n  longer_than: 10\n");
  EXPECT_FALSE(dropped("0123456789"));
  EXPECT_TRUE(dropped("0123456789A"));
}

TEST_F(DropTest, LongerThanAcceptsUnits) {
  build("drop:\n  longer_than: 1KB\n");
  EXPECT_FALSE(dropped(std::string(1024, 'x')));
  EXPECT_TRUE(dropped(std::string(1025, 'x')));
}

TEST_F(DropTest, OlderThanComparesTheEntryTimestampWithNow) {
  build("drop:\n  older_than: 24h\n");
  Entry old_entry;
  old_entry.timestamp_ns = now_ns() - 48LL * 3600 * 1'000'000'000;
  Entry fresh;
  fresh.timestamp_ns = now_ns() - 3600LL * 1'000'000'000;
  EXPECT_TRUE(dropped(old_entry));
  EXPECT_FALSE(dropped(fresh));
}

TEST_F(DropTest, AllConditionsMustHold) {
  build("drop:\n  expression: '.*debug.*'\n  longer_than: 20\n");
  EXPECT_FALSE(dropped("debug short"));
  EXPECT_FALSE(dropped("info but a long line of text"));
  EXPECT_TRUE(dropped("debug and a long line of text"));
}

TEST_F(DropTest, DropsAreCountedByReason) {
  Metrics metrics;
  build("drop:\n  expression: noisy\n  drop_counter_reason: noisy_lines\n", &metrics);
  EXPECT_TRUE(dropped("a noisy line"));
  EXPECT_TRUE(dropped("another noisy line"));
  EXPECT_FALSE(dropped("quiet"));
  EXPECT_EQ(metrics.stage_dropped.Add({{"reason", "noisy_lines"}}).Value(), 2);
}

TEST_F(DropTest, DefaultReasonIsDropStage) {
  Metrics metrics;
  build("drop:\n  expression: x\n", &metrics);
  EXPECT_TRUE(dropped("x"));
  EXPECT_EQ(metrics.stage_dropped.Add({{"reason", "drop_stage"}}).Value(), 1);
}

TEST(DropConfig, NeedsAtLeastOneCondition) {
  const std::string error = make_stage_error("drop:\n  separator: ','\n");
  EXPECT_NE(error.find("at least one of"), std::string::npos) << error;
  EXPECT_NE(make_stage_error("drop:\n"), "");
}

TEST(DropConfig, ValueNeedsSourceAndExcludesExpression) {
  EXPECT_NE(make_stage_error("drop:\n  value: x\n  longer_than: 5\n").find("`source`"),
            std::string::npos);
  const std::string both = make_stage_error("drop:\n  source: a\n  value: x\n  expression: y\n");
  EXPECT_NE(both.find("cannot both be defined"), std::string::npos) << both;
}

TEST(DropConfig, BadExpressionDurationAndSizeNameTheKey) {
  const std::string regex = make_stage_error("drop:\n  expression: '(unclosed'\n");
  EXPECT_NE(regex.find("pipeline_stages[0].drop.expression"), std::string::npos) << regex;
  const std::string duration = make_stage_error("drop:\n  older_than: soon\n");
  EXPECT_NE(duration.find("pipeline.yaml:2:15"), std::string::npos) << duration;
  EXPECT_NE(make_stage_error("drop:\n  longer_than: lots\n"), "");
}

}  // namespace
}  // namespace tailcast
