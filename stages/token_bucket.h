// TokenBucket: the rate limiter of the `limit` stage, with the semantics of Go's rate.Limiter that
// Promtail uses: it starts full with `burst` tokens and refills `rate` tokens per second. The caller
// passes the time, so tests drive it with a clock of their own.
#pragma once

#include <algorithm>
#include <chrono>

namespace tailcast::stages {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate, double burst, Clock::time_point now) noexcept
      : rate_(rate), burst_(burst), tokens_(burst), last_(now) {}

  // Takes one token when there is one.
  bool allow(Clock::time_point now) noexcept {
    refill(now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  double tokens(Clock::time_point now) noexcept {
    refill(now);
    return tokens_;
  }

 private:
  void refill(Clock::time_point now) noexcept {
    if (now <= last_) return;  // a clock that went back refills nothing
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace tailcast::stages
