#include "sinks/common/backoff.h"

#include <algorithm>

namespace tailcast::sinks {
namespace {

std::chrono::nanoseconds doubled(std::chrono::nanoseconds value, std::chrono::nanoseconds cap) {
  if (value >= cap / 2) return cap;
  return value * 2;
}

}  // namespace

Backoff::Backoff(const config::BackoffConfig& config, RandomFn random)
    : config_(config), random_(std::move(random)), engine_(std::random_device{}()) {
  // A max below min would make the range empty; the larger of the two bounds both.
  config_.min_period = std::max(config_.min_period, std::chrono::nanoseconds(0));
  config_.max_period = std::max(config_.max_period, config_.min_period);
  reset();
}

bool Backoff::record_failure() noexcept {
  ++failures_;
  return config_.max_retries <= 0 || failures_ < config_.max_retries;
}

std::chrono::nanoseconds Backoff::next_delay() noexcept {
  if (delay_min_ >= config_.max_period) return config_.max_period;
  auto span = static_cast<uint64_t>((delay_max_ - delay_min_).count());
  uint64_t jitter = 0;
  if (span > 0) {
    if (random_) {
      jitter = std::min(random_(span), span - 1);
    } else {
      jitter = std::uniform_int_distribution<uint64_t>(0, span - 1)(engine_);
    }
  }
  auto delay = delay_min_ + std::chrono::nanoseconds(static_cast<int64_t>(jitter));
  if (delay_max_ < config_.max_period) {
    delay_min_ = doubled(delay_min_, config_.max_period);
    delay_max_ = doubled(delay_max_, config_.max_period);
  }
  return delay;
}

void Backoff::reset() noexcept {
  failures_ = 0;
  delay_min_ = config_.min_period;
  delay_max_ = doubled(config_.min_period, config_.max_period);
}

}  // namespace tailcast::sinks
