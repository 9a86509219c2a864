// Backoff: the retry schedule of Promtail's clients (dskit's backoff). Each delay is drawn
// uniformly from [d, 2d), d starting at min_period and doubling, both ends capped at max_period;
// max_retries counts attempts in all, 0 meaning for ever. One owner (a sink's sender thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>

#include "pipeline/config/config.h"

namespace tailcast::sinks {

class Backoff {
 public:
  // Returns a uniformly distributed value in [0, bound); bound is at least 1.
  using RandomFn = std::function<uint64_t(uint64_t bound)>;

  explicit Backoff(const config::BackoffConfig& config, RandomFn random = {});

  // Records that an attempt failed. True when the schedule allows another one.
  bool record_failure() noexcept;
  // The wait before the next attempt; advances the schedule.
  std::chrono::nanoseconds next_delay() noexcept;
  // Failed attempts since the last reset.
  int failures() const noexcept { return failures_; }
  // Starts over for the next batch.
  void reset() noexcept;

  const config::BackoffConfig& config() const noexcept { return config_; }

 private:
  config::BackoffConfig config_;
  RandomFn random_;
  std::mt19937_64 engine_;
  std::chrono::nanoseconds delay_min_;
  std::chrono::nanoseconds delay_max_;
  int failures_ = 0;
};

}  // namespace tailcast::sinks
