// The token bucket behind the limit stage, driven by an injected clock, and the limit stage built
// from YAML: drop mode counts what it drops, by_label_name keeps one bucket per label value, and
// the waiting mode queues lines (holding their positions) and hands them on as tokens come.
#include "stages/token_bucket.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "pipeline/metrics.h"
#include "tests/stages/chain_harness.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast {
namespace {

using namespace std::chrono_literals;
using stages::TokenBucket;
using testing::ChainHarness;
using testing::counter_value;
using Clock = std::chrono::steady_clock;

TEST(TokenBucket, StartsFullAndRefillsAtTheRate) {
  const Clock::time_point start{};
  TokenBucket bucket(2, 3, start);  // 2 per second, burst 3
  EXPECT_TRUE(bucket.allow(start));
  EXPECT_TRUE(bucket.allow(start));
  EXPECT_TRUE(bucket.allow(start));
  EXPECT_FALSE(bucket.allow(start)) << "the burst is spent";
  EXPECT_FALSE(bucket.allow(start + 400ms)) << "0.8 tokens";
  EXPECT_TRUE(bucket.allow(start + 500ms)) << "one token after 1/rate seconds";
  EXPECT_FALSE(bucket.allow(start + 500ms));
  EXPECT_DOUBLE_EQ(bucket.tokens(start + 1h), 3) << "never more than the burst";
}

TEST(TokenBucket, AClockThatGoesBackRefillsNothing) {
  const Clock::time_point start = Clock::time_point{} + 10s;
  TokenBucket bucket(1, 1, start);
  EXPECT_TRUE(bucket.allow(start));
  EXPECT_FALSE(bucket.allow(start - 5s));
  EXPECT_TRUE(bucket.allow(start + 1s));
}

// A rate this small refills nothing while a test runs, so exactly `burst` lines get through.
TEST(LimitStage, DropLetsBurstThroughAndCountsTheRest) {
  Metrics metrics;
  ChainHarness chain("- limit:\n    rate: 0.0001\n    burst: 3\n    drop: true\n", &metrics);
  size_t passed = 0;
  for (int i = 0; i < 10; ++i) passed += chain.feed("line " + std::to_string(i));
  EXPECT_EQ(passed, 3u);
  EXPECT_EQ(counter_value(metrics.stage_dropped, {{"reason", "ratelimit_drop_stage"}}), 7);
  EXPECT_EQ(chain.committed_offset(), chain.offset()) << "dropped lines count as delivered";
}

TEST(LimitStage, ByLabelNameKeepsABucketPerValue) {
  Metrics metrics;
  ChainHarness chain(
      "- limit:\n    rate: 0.0001\n    burst: 2\n    drop: true\n    by_label_name: app\n",
      &metrics);
  size_t api = 0, web = 0, none = 0;
  for (int i = 0; i < 5; ++i) {
    api += chain.feed("a", {{"app", "api"}});
    web += chain.feed("w", {{"app", "web"}});
    none += chain.feed("n", {{"job", "x"}});
  }
  EXPECT_EQ(api, 2u);
  EXPECT_EQ(web, 2u);
  EXPECT_EQ(none, 5u) << "entries without the label are not limited";
  const std::string text = metrics.text();
  EXPECT_NE(text.find("logentry_dropped_lines_by_label_total{label_name=\"app\",label_value=\"api\"} 3"),
            std::string::npos)
      << text;
}

TEST(LimitStage, MaxDistinctLabelsIsRaisedToPromtailsFloor) {
  ChainHarness chain("- limit:\n    rate: 1\n    burst: 1\n    drop: true\n"
                     "    by_label_name: app\n    max_distinct_labels: 5\n");
  ASSERT_EQ(chain.warnings().size(), 1u);
  EXPECT_NE(chain.warnings()[0].find("adjusted up to the minimal reasonable value of 10000"),
            std::string::npos);
}

TEST(LimitStage, WaitingQueuesLinesInOrderAndReleasesThemAsTokensCome) {
  ChainHarness chain("- limit:\n    rate: 0.001\n    burst: 2\n- static_labels:\n    after: limit\n");
  for (int i = 0; i < 5; ++i) chain.feed("line " + std::to_string(i));
  EXPECT_EQ(chain.lines(), (std::vector<std::string>{"line 0", "line 1"}));
  const uint64_t after_two = std::string("line 0\nline 1\n").size();
  EXPECT_EQ(chain.committed_offset(), after_two) << "waiting lines keep the position";

  // One token per 1000 s: a tick 1000 s later releases exactly one more line.
  chain.flush(Clock::now() + 1000s + 1ms, false);
  EXPECT_EQ(chain.lines().size(), 3u);
  EXPECT_EQ(chain.lines().back(), "line 2");
  EXPECT_EQ(chain.outputs().back().labels["after"], "limit") << "released lines run the rest";
  chain.feed("line 5");
  EXPECT_EQ(chain.lines().size(), 3u) << "new lines queue behind the waiting ones";

  chain.flush(Clock::now() + 1001s, true);
  EXPECT_EQ(chain.lines(), (std::vector<std::string>{"line 0", "line 1", "line 2", "line 3",
                                                     "line 4", "line 5"}));
  EXPECT_EQ(chain.committed_offset(), chain.offset());
}

TEST(LimitStage, ConfigErrorsNameFileLineAndKey) {
  EXPECT_EQ(testing::build_error("limit:\n  burst: 1\n"),
            "test.yaml:2:3: pipeline_stages[0].limit: limit stage failed to parse rate or burst: "
            "\"rate\" must be greater than 0");
  EXPECT_EQ(testing::build_error("limit:\n  rate: 5\n  burst: 0\n"),
            "test.yaml:3:10: pipeline_stages[0].limit.burst: limit stage failed to parse rate or "
            "burst: \"burst\" must be greater than 0");
  EXPECT_EQ(testing::build_error("limit:\n  rate: fast\n  burst: 1\n"),
            "test.yaml:2:9: pipeline_stages[0].limit.rate: expected a number, got \"fast\"");
  EXPECT_EQ(testing::build_error("limit:\n  rate: 1\n  burst: 1\n  by_label_name: app\n"),
            "test.yaml:4:18: pipeline_stages[0].limit.by_label_name: When ratelimiting by label, "
            "drop must be true");
  EXPECT_EQ(testing::build_error("limit:\n"),
            "test.yaml:2:1: pipeline_stages[0].limit: empty limit stage configuration");
}

}  // namespace
}  // namespace tailcast
