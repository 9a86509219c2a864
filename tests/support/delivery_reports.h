// DeliveryReports: collects the Delivery a sink reports for each batch of a test, and waits for
// them on a condition rather than by sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "pipeline/sink.h"

namespace tailcast::testing {

class DeliveryReports {
 public:
  explicit DeliveryReports(std::chrono::milliseconds default_wait) : default_wait_(default_wait) {}

  DoneFn callback() {
    return [this](Delivery delivery) {
      std::lock_guard lock(mutex_);
      deliveries_.push_back(delivery);
      changed_.notify_all();
    };
  }
  bool wait_for(size_t count) { return wait_for(count, default_wait_); }
  bool wait_for(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return deliveries_.size() >= count; });
  }
  std::vector<Delivery> all() {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }
  size_t count() {
    std::lock_guard lock(mutex_);
    return deliveries_.size();
  }

 private:
  std::chrono::milliseconds default_wait_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Delivery> deliveries_;
};

}  // namespace tailcast::testing
