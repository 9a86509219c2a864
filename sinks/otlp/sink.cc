#include "sinks/otlp/sink.h"

#include <algorithm>

#include "pipeline/config/config.h"
#include "pipeline/log.h"
#include "sinks/otlp/gzip.h"

namespace tailcast::sinks::otlp {
namespace {

constexpr size_t kMinCapacityBytes = 8 * 1024 * 1024;
constexpr size_t kBatchesQueued = 4;

const prometheus::Histogram::BucketBoundaries kDurationBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

config::BackoffConfig backoff_of(const OtlpSinkConfig& config) {
  return config::BackoffConfig{config.backoff.min_period, config.backoff.max_period,
                               config.backoff.max_retries};
}

const char* signal_name(Signal signal) { return signal == Signal::kLogs ? "logs" : "traces"; }

// The report of a batch whose parts ended differently: the worst of them.
Delivery worse(Delivery a, Delivery b) {
  auto rank = [](Delivery d) {
    return d == Delivery::kDelivered ? 0 : d == Delivery::kRejected ? 1 : 2;
  };
  return rank(a) >= rank(b) ? a : b;
}

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<OtlpSink>> OtlpSink::create(const OtlpSinkConfig& config, Metrics* metrics) {
  auto service = OtlpService::create(config);
  if (!service) return std::move(service).error();
  return std::unique_ptr<OtlpSink>(new OtlpSink(config, metrics, std::move(*service)));
}

OtlpSink::OtlpSink(const OtlpSinkConfig& config, Metrics* metrics,
                   std::unique_ptr<OtlpService> service)
    : config_(config),
      metrics_(metrics),
      service_(std::move(service)),
      backoff_(backoff_of(config)),
      log_encoder_(config),
      span_encoder_(config),
      host_(url_host_port(config.endpoint)),
      name_(config.name),
      capacity_(std::max<size_t>(kMinCapacityBytes, kBatchesQueued * config.batchsize)) {
  thread_ = std::thread([this] { run(); });
}

OtlpSink::~OtlpSink() {
  {
    std::lock_guard lock(mutex_);
    accepting_ = false;
    abandoned_ = true;
  }
  service_->abort();
  wake_.notify_all();
  thread_.join();
}

void OtlpSink::send(std::unique_ptr<Batch> batch, DoneFn done) noexcept {
  size_t bytes = batch ? batch->bytes() : 0;
  {
    std::lock_guard lock(mutex_);
    if (accepting_ && batch) {
      queued_bytes_.fetch_add(bytes, std::memory_order_relaxed);
      queue_.push_back(Pending{std::move(batch), std::move(done), bytes});
      wake_.notify_one();
      return;
    }
  }
  log::warn("OTLP sink is draining; batch left for the next run.",
            {{"sink", name_}, {"bytes", std::to_string(bytes)}});
}

size_t OtlpSink::free_bytes() const noexcept {
  size_t queued = queued_bytes_.load(std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    if (!accepting_) return 0;
  }
  return queued >= capacity_ ? 0 : capacity_ - queued;
}

void OtlpSink::drain(std::chrono::steady_clock::time_point deadline) noexcept {
  std::unique_lock lock(mutex_);
  accepting_ = false;
  bool idle = idle_.wait_until(lock, deadline, [&] { return queue_.empty() && !busy_; });
  if (idle) return;
  abandoned_ = true;
  size_t left = queue_.size() + (busy_ ? 1 : 0);
  lock.unlock();
  service_->abort();
  wake_.notify_all();
  log::warn("OTLP sink drain deadline passed; undelivered batches stay unacknowledged.",
            {{"sink", name_}, {"batches", std::to_string(left)}});
  lock.lock();
  idle_.wait(lock, [&] { return !reporting_; });
}

void OtlpSink::run() noexcept {
  for (;;) {
    Pending item;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return abandoned_ || !queue_.empty(); });
      if (abandoned_) break;
      item = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    deliver(item);
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
      queued_bytes_.fetch_sub(item.bytes, std::memory_order_relaxed);
    }
    idle_.notify_all();
  }
  std::deque<Pending> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(queue_);
    queued_bytes_.store(0, std::memory_order_relaxed);
  }
}

bool OtlpSink::finish_body(Signal signal, Body& body) noexcept {
  body.wire = body.proto;
  if (config_.encoding == Encoding::kJson) {
    if (!transcode_to_json(signal, body.proto, body.json)) return false;
    body.wire = body.json;
  }
  if (config_.gzip) {
    if (!gzip_compress(body.wire, body.compressed)) return false;
    body.wire = body.compressed;
  }
  return true;
}

void OtlpSink::deliver(Pending& item) noexcept {
  const Batch& batch = *item.batch;
  const std::string tenant = batch.tenant();
  const double records =
      static_cast<double>(log_encoder_.encode(batch, wall_clock_ns(), logs_.proto));
  SpanCounts spans = span_encoder_.encode(batch, traces_.proto);
  bool encoded = finish_body(Signal::kLogs, logs_) && finish_body(Signal::kTraces, traces_);
  // Every byte the exports need is in the bodies now.
  item.batch.reset();
  if (!encoded) {
    // Only an allocation failure in zlib gets here; the batch is read again after a restart.
    log::error("OTLP sink could not encode a batch; leaving it unacknowledged.", {{"sink", name_}});
    return;
  }
  if (metrics_) {
    size_t sent =
        (records > 0 ? logs_.wire.size() : 0) + (spans.spans > 0 ? traces_.wire.size() : 0);
    metrics_->encoded_bytes.Add({{"host", host_}}).Increment(static_cast<double>(sent));
  }

  Delivery outcome = Delivery::kDelivered;
  if (spans.invalid > 0) {
    count_dropped("invalid_span", static_cast<double>(spans.invalid), 0);
    log::warn("OTLP sink left out lines that are not valid JSON spans.",
              {{"sink", name_}, {"spans", std::to_string(spans.invalid)}});
    outcome = Delivery::kRejected;
  }
  if (records > 0) {
    auto result = export_with_retries(Signal::kLogs, tenant, logs_.wire, records);
    if (!result) return;
    outcome = worse(outcome, *result);
  }
  if (spans.spans > 0) {
    auto result = export_with_retries(Signal::kTraces, tenant, traces_.wire,
                                      static_cast<double>(spans.spans));
    if (!result) return;
    outcome = worse(outcome, *result);
  }
  report(item, outcome);
}

std::optional<Delivery> OtlpSink::export_with_retries(Signal signal, const std::string& tenant,
                                                      std::string_view body,
                                                      double items) noexcept {
  const double bytes = static_cast<double>(body.size());
  backoff_.reset();
  for (;;) {
    ExportResult result = service_->send(signal, tenant, body);
    if (metrics_) {
      metrics_->request_duration
          .Add({{"host", host_}, {"status_code", std::to_string(result.status)}}, kDurationBuckets)
          .Observe(std::chrono::duration<double>(result.duration).count());
    }
    if (result.outcome == ExportOutcome::kDelivered) {
      double rejected = static_cast<double>(std::max<int64_t>(result.partial.rejected, 0));
      if (metrics_) {
        metrics_->sent_entries.Add({{"host", host_}}).Increment(std::max(items - rejected, 0.0));
        metrics_->sent_bytes.Add({{"host", host_}}).Increment(bytes);
      }
      if (rejected == 0) {
        if (!result.partial.message.empty())
          log::warn("OTLP receiver accepted an export with a warning.",
                    {{"sink", name_},
                     {"signal", signal_name(signal)},
                     {"message", result.partial.message}});
        return Delivery::kDelivered;
      }
      count_dropped("partial_success", rejected, 0);
      log::warn("OTLP receiver rejected part of an export; not retrying.",
                {{"sink", name_},
                 {"signal", signal_name(signal)},
                 {"rejected", std::to_string(result.partial.rejected)},
                 {"error", result.message}});
      return Delivery::kRejected;
    }
    if (result.outcome == ExportOutcome::kRejected) {
      count_dropped("rejected", items, bytes);
      log::warn("OTLP receiver refused an export; not retrying.",
                {{"sink", name_},
                 {"signal", signal_name(signal)},
                 {"status", std::to_string(result.status)},
                 {"error", result.message}});
      return Delivery::kRejected;
    }
    {
      std::lock_guard lock(mutex_);
      if (abandoned_) return std::nullopt;
    }
    std::string_view reason = result.status == 429 ? "rate_limited" : "ingester_error";
    if (!backoff_.record_failure()) {
      count_dropped(reason, items, bytes);
      log::error("OTLP export failed after the last retry; dropping it.",
                 {{"sink", name_},
                  {"signal", signal_name(signal)},
                  {"status", std::to_string(result.status)},
                  {"attempts", std::to_string(backoff_.failures())},
                  {"error", result.message}});
      return Delivery::kDropped;
    }
    // The specification: the client SHOULD honour Retry-After, else back off exponentially.
    // A Retry-After of 0 must not turn into a busy loop: min_period is the floor.
    auto delay = result.retry_after ? std::max<std::chrono::nanoseconds>(*result.retry_after,
                                                                         config_.backoff.min_period)
                                    : backoff_.next_delay();
    if (metrics_) metrics_->batch_retries.Add({{"host", host_}}).Increment();
    log::warn("OTLP export failed; retrying.", {{"sink", name_},
                                                {"signal", signal_name(signal)},
                                                {"status", std::to_string(result.status)},
                                                {"attempt", std::to_string(backoff_.failures())},
                                                {"error", result.message}});
    if (!wait_for_retry(delay)) return std::nullopt;
  }
}

void OtlpSink::report(Pending& item, Delivery delivery) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (abandoned_) return;
    reporting_ = true;
  }
  if (item.done) item.done(delivery);
  item.done = nullptr;
  {
    std::lock_guard lock(mutex_);
    reporting_ = false;
  }
  idle_.notify_all();
}

bool OtlpSink::wait_for_retry(std::chrono::nanoseconds delay) noexcept {
  std::unique_lock lock(mutex_);
  auto until = std::chrono::steady_clock::now() + delay;
  return !wake_.wait_until(lock, until, [&] { return abandoned_; });
}

void OtlpSink::count_dropped(std::string_view reason, double entries, double bytes) noexcept {
  if (!metrics_) return;
  prometheus::Labels labels{{"host", host_}, {"reason", std::string(reason)}};
  metrics_->dropped_entries.Add(labels).Increment(entries);
  if (bytes > 0) metrics_->dropped_bytes.Add(labels).Increment(bytes);
}

}  // namespace tailcast::sinks::otlp
