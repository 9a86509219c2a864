// The sampling stage built from YAML: it keeps about `rate` of the lines, the same ones for the
// same seed, and counts the others as dropped under `drop_counter_reason`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipeline/metrics.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast {
namespace {

using testing::counter_value;
using testing::StageRunner;

std::vector<bool> kept(std::string_view yaml, int lines, Metrics* metrics = nullptr) {
  StageRunner runner(yaml, metrics);
  std::vector<bool> out;
  for (int i = 0; i < lines; ++i) out.push_back(runner.run("a line") == Verdict::kPass);
  return out;
}

size_t count(const std::vector<bool>& flags) {
  size_t n = 0;
  for (bool flag : flags) n += flag;
  return n;
}

TEST(SamplingStage, KeepsAboutRateOfTheLinesAndCountsTheRest) {
  Metrics metrics;
  const auto flags = kept("sampling:\n  rate: 0.25\n  seed: 7\n", 20000, &metrics);
  const size_t passed = count(flags);
  // Binomial(20000, 0.25): the standard deviation is about 61 lines.
  EXPECT_NEAR(static_cast<double>(passed), 5000, 400);
  EXPECT_EQ(counter_value(metrics.stage_dropped, {{"reason", "sampling_stage"}}),
            static_cast<double>(20000 - passed));
}

TEST(SamplingStage, TheSameSeedSamplesTheSameLines) {
  const auto first = kept("sampling:\n  rate: 0.5\n  seed: 42\n", 500);
  const auto again = kept("sampling:\n  rate: 0.5\n  seed: 42\n", 500);
  const auto other = kept("sampling:\n  rate: 0.5\n  seed: 43\n", 500);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
}

TEST(SamplingStage, RateOneKeepsEverything) {
  EXPECT_EQ(count(kept("sampling:\n  rate: 1\n", 1000)), 1000u);
}

TEST(SamplingStage, DropCounterReasonNamesTheCount) {
  Metrics metrics;
  const auto flags =
      kept("sampling:\n  rate: 0.1\n  seed: 1\n  drop_counter_reason: debug_sampled\n", 1000,
           &metrics);
  EXPECT_EQ(counter_value(metrics.stage_dropped, {{"reason", "debug_sampled"}}),
            static_cast<double>(1000 - count(flags)));
  EXPECT_GT(1000 - count(flags), 800u);
}

TEST(SamplingStage, RateOutsideZeroToOneIsAConfigError) {
  EXPECT_EQ(testing::build_error("sampling:\n  rate: 1.5\n"),
            "test.yaml:2:9: pipeline_stages[0].sampling.rate: sampling stage failed to parse "
            "rate, Sampling Rate must be between 0.0 and 1.0, received 1.500000");
  EXPECT_EQ(testing::build_error("sampling:\n  rate: 0\n"),
            "test.yaml:2:9: pipeline_stages[0].sampling.rate: sampling stage failed to parse "
            "rate, Sampling Rate must be between 0.0 and 1.0, received 0.000000");
  EXPECT_EQ(testing::build_error("sampling:\n  drop_counter_reason: x\n"),
            "test.yaml:2:3: pipeline_stages[0].sampling: sampling stage failed to parse rate, "
            "Sampling Rate must be between 0.0 and 1.0, received 0.000000");
  EXPECT_EQ(testing::build_error("sampling:\n  rate: 0.5\n  seed: abc\n"),
            "test.yaml:3:9: pipeline_stages[0].sampling.seed: expected an integer, got \"abc\"");
}

}  // namespace
}  // namespace tailcast
