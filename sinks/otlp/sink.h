// OtlpSink: ships batches to an OTLP/HTTP receiver — log entries to /v1/logs, span entries to
// /v1/traces. send() queues and returns at once; a sender thread encodes each part of a batch
// once, exports it, retries 429/502/503/504 and lost connections (honouring Retry-After, else the
// backoff schedule) resending the same bytes, and reports each batch exactly once: delivered,
// rejected (a 4xx, a partial success naming rejected items, or spans that were not valid JSON
// spans), or dropped after the last retry.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "pipeline/metrics.h"
#include "pipeline/sink.h"
#include "sinks/common/backoff.h"
#include "sinks/otlp/config.h"
#include "sinks/otlp/log_encoder.h"
#include "sinks/otlp/service.h"
#include "sinks/otlp/span_encoder.h"

namespace tailcast::sinks::otlp {

// Lifecycle: create → send()… → drain(deadline) → destruction. Batches still queued or being
// retried when drain's deadline passes, or when the sink is destroyed, are abandoned: their
// `done` is destroyed without being called, so their lines are read again after a restart.
class OtlpSink : public Sink {
 public:
  // `metrics` may be null; otherwise it must outlive the sink.
  static Result<std::unique_ptr<OtlpSink>> create(const OtlpSinkConfig& config, Metrics* metrics);
  ~OtlpSink() override;
  OtlpSink(const OtlpSink&) = delete;
  OtlpSink& operator=(const OtlpSink&) = delete;

  void send(std::unique_ptr<Batch> batch, DoneFn done) noexcept override;
  size_t free_bytes() const noexcept override;
  void drain(std::chrono::steady_clock::time_point deadline) noexcept override;
  std::string_view name() const noexcept override { return name_; }

 private:
  struct Pending {
    std::unique_ptr<Batch> batch;
    DoneFn done;
    size_t bytes = 0;
  };
  struct Body {
    std::string proto;
    std::string json;
    std::string compressed;
    std::string_view wire;  // what is sent: one of the three
  };

  OtlpSink(const OtlpSinkConfig& config, Metrics* metrics, std::unique_ptr<OtlpService> service);
  void run() noexcept;
  void deliver(Pending& item) noexcept;
  // Makes proto the request body as configured (JSON, gzip); false when that failed.
  bool finish_body(Signal signal, Body& body) noexcept;
  // Exports one body until it is delivered, rejected or dropped; nullopt when abandoned.
  std::optional<Delivery> export_with_retries(Signal signal, const std::string& tenant,
                                              std::string_view body, double items) noexcept;
  void report(Pending& item, Delivery delivery) noexcept;
  bool wait_for_retry(std::chrono::nanoseconds delay) noexcept;
  void count_dropped(std::string_view reason, double entries, double bytes) noexcept;

  OtlpSinkConfig config_;
  Metrics* metrics_;
  std::unique_ptr<OtlpService> service_;
  Backoff backoff_;
  LogEncoder log_encoder_;
  SpanEncoder span_encoder_;
  Body logs_;
  Body traces_;
  std::string host_;
  std::string name_;
  size_t capacity_;
  std::atomic<size_t> queued_bytes_{0};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Pending> queue_;
  bool accepting_ = true;
  bool busy_ = false;
  bool reporting_ = false;
  bool abandoned_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace tailcast::sinks::otlp
