// LokiSink: ships batches to one Loki client URL. send() queues and returns at once; a sender
// thread encodes each batch once, pushes it, retries transient failures with Promtail's backoff
// (resending the same bytes, so timestamps never change) and reports each batch exactly once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "pipeline/config/config.h"
#include "pipeline/metrics.h"
#include "pipeline/sink.h"
#include "sinks/common/backoff.h"
#include "sinks/loki/encoder.h"
#include "sinks/loki/limit_checker.h"
#include "sinks/loki/service.h"

namespace tailcast::sinks::loki {

// Lifecycle: create → send()… → drain(deadline) → destruction. Batches still queued or being
// retried when drain's deadline passes, or when the sink is destroyed, are abandoned: their
// `done` is destroyed without being called, so their positions never move and their lines are
// read again after a restart. After drain() returns, no `done` is called any more.
class LokiSink : public Sink {
 public:
  // `metrics` may be null; otherwise it must outlive the sink.
  static Result<std::unique_ptr<LokiSink>> create(const config::ClientConfig& config,
                                                  Metrics* metrics);
  ~LokiSink() override;
  LokiSink(const LokiSink&) = delete;
  LokiSink& operator=(const LokiSink&) = delete;

  void send(std::unique_ptr<Batch> batch, DoneFn done) noexcept override;
  size_t free_bytes() const noexcept override;
  void drain(std::chrono::steady_clock::time_point deadline) noexcept override;
  std::string_view name() const noexcept override { return name_; }

  // Queue capacity in batch bytes (line plus structured-metadata bytes, as batchsize counts).
  size_t capacity_bytes() const noexcept { return capacity_; }

 private:
  struct Pending {
    std::unique_ptr<Batch> batch;  // until encoded; retries resend `body`
    DoneFn done;
    size_t bytes = 0;
    std::string tenant;
    std::string body;
    double entries = 0;
    std::unique_ptr<Backoff> backoff;  // from the first failure on
    std::chrono::nanoseconds retry_in{0};
  };
  struct Counters;

  LokiSink(const config::ClientConfig& config, Metrics* metrics,
           std::unique_ptr<LokiService> service);
  void run() noexcept;
  // Encodes on the first call, then makes one push. False: retry after item.retry_in.
  bool attempt(Pending& item) noexcept;
  bool encode(Pending& item) noexcept;
  // Calls done unless the sink was abandoned meanwhile.
  void report(Pending& item, Delivery delivery) noexcept;
  void count_dropped(std::string_view reason, double entries, double bytes) noexcept;
  void count_limits(const PushPlan& plan) noexcept;

  config::ClientConfig config_;
  Metrics* metrics_;
  std::unique_ptr<Counters> counters_;
  std::unique_ptr<LokiService> service_;
  Encoder encoder_;
  LimitChecker limit_checker_;
  PushPlan plan_;  // the sender thread's, reused batch after batch
  std::string host_;
  std::string name_;
  size_t capacity_;
  std::atomic<size_t> queued_bytes_{0};

  mutable std::mutex mutex_;
  std::condition_variable wake_;  // the sender: work arrived or the sink was abandoned
  std::condition_variable idle_;  // drain: the queue emptied or a report finished
  std::deque<Pending> queue_;
  // A tenant that Loki rate-limited (or that failed) waits alone: the others keep sending.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> tenant_ready_at_;
  bool accepting_ = true;
  bool busy_ = false;       // the sender holds a batch
  bool reporting_ = false;  // the sender is inside a done callback
  bool abandoned_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace tailcast::sinks::loki
