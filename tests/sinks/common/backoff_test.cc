// Backoff follows dskit's schedule: [d, 2d) jitter, doubling, capped, attempts counted in all.
#include "sinks/common/backoff.h"

#include <gtest/gtest.h>

namespace tailcast::sinks {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

config::BackoffConfig schedule(milliseconds min, milliseconds max, int max_retries) {
  config::BackoffConfig config;
  config.min_period = min;
  config.max_period = max;
  config.max_retries = max_retries;
  return config;
}

TEST(Backoff, LowestJitterGivesMinPeriodDoublingUpToTheCap) {
  Backoff backoff(schedule(milliseconds(10), milliseconds(100), 0), [](uint64_t) { return 0; });
  std::vector<nanoseconds> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(backoff.next_delay());
  EXPECT_EQ(delays,
            (std::vector<nanoseconds>{milliseconds(10), milliseconds(20), milliseconds(40),
                                      milliseconds(80), milliseconds(80), milliseconds(80)}));
}

TEST(Backoff, HighestJitterStaysBelowTwiceTheBaseAndBelowTheCap) {
  Backoff backoff(schedule(milliseconds(10), milliseconds(100), 0),
                  [](uint64_t bound) { return bound - 1; });
  EXPECT_EQ(backoff.next_delay(), milliseconds(20) - nanoseconds(1));
  EXPECT_EQ(backoff.next_delay(), milliseconds(40) - nanoseconds(1));
  EXPECT_EQ(backoff.next_delay(), milliseconds(80) - nanoseconds(1));
  EXPECT_EQ(backoff.next_delay(), milliseconds(100) - nanoseconds(1));
  EXPECT_EQ(backoff.next_delay(), milliseconds(100) - nanoseconds(1));
}

TEST(Backoff, DefaultRandomSourceStaysInsideTheRange) {
  Backoff backoff(schedule(milliseconds(500), milliseconds(300000), 0));
  nanoseconds base = milliseconds(500);
  for (int i = 0; i < 8; ++i) {
    nanoseconds delay = backoff.next_delay();
    EXPECT_GE(delay, base) << "retry " << i;
    EXPECT_LT(delay, 2 * base) << "retry " << i;
    base *= 2;
  }
}

TEST(Backoff, EqualMinAndMaxGivesAFixedDelay) {
  Backoff backoff(schedule(milliseconds(50), milliseconds(50), 0),
                  [](uint64_t bound) { return bound - 1; });
  EXPECT_EQ(backoff.next_delay(), milliseconds(50));
  EXPECT_EQ(backoff.next_delay(), milliseconds(50));
}

TEST(Backoff, MaxRetriesCountsAttemptsInAll) {
  Backoff backoff(schedule(milliseconds(1), milliseconds(2), 3));
  EXPECT_TRUE(backoff.record_failure());   // attempt 1 failed: try again
  EXPECT_TRUE(backoff.record_failure());   // attempt 2 failed: try again
  EXPECT_FALSE(backoff.record_failure());  // attempt 3 was the last
  EXPECT_EQ(backoff.failures(), 3);
}

TEST(Backoff, ZeroMaxRetriesRetriesForEver) {
  Backoff backoff(schedule(milliseconds(1), milliseconds(2), 0));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(backoff.record_failure());
}

TEST(Backoff, ResetStartsTheScheduleOver) {
  Backoff backoff(schedule(milliseconds(10), milliseconds(100), 2), [](uint64_t) { return 0; });
  backoff.next_delay();
  backoff.next_delay();
  EXPECT_TRUE(backoff.record_failure());
  EXPECT_FALSE(backoff.record_failure());
  backoff.reset();
  EXPECT_EQ(backoff.next_delay(), milliseconds(10));
  EXPECT_TRUE(backoff.record_failure());
}

}  // namespace
}  // namespace tailcast::sinks
