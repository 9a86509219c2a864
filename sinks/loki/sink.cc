#include "sinks/loki/sink.h"

#include <algorithm>

#include "pipeline/log.h"

namespace tailcast::sinks::loki {
namespace {

constexpr size_t kMinCapacityBytes = 8 * 1024 * 1024;
constexpr size_t kBatchesQueued = 4;

// Prometheus' default buckets, as Promtail's request_duration_seconds uses.
const prometheus::Histogram::BucketBoundaries kDurationBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

const char* outcome_name(Delivery delivery) {
  switch (delivery) {
    case Delivery::kDelivered:
      return "delivered";
    case Delivery::kRejected:
      return "rejected";
    case Delivery::kDropped:
      return "dropped";
  }
  return "unknown";
}

}  // namespace

// Children of the host label, looked up once.
struct LokiSink::Counters {
  prometheus::Counter* sent_entries;
  prometheus::Counter* sent_bytes;
  prometheus::Counter* encoded_bytes;
  prometheus::Counter* batch_retries;
};

Result<std::unique_ptr<LokiSink>> LokiSink::create(const config::ClientConfig& config,
                                                   Metrics* metrics) {
  auto service = LokiService::create(config);
  if (!service) return std::move(service).error();
  return std::unique_ptr<LokiSink>(new LokiSink(config, metrics, std::move(*service)));
}

LokiSink::LokiSink(const config::ClientConfig& config, Metrics* metrics,
                   std::unique_ptr<LokiService> service)
    : config_(config),
      metrics_(metrics),
      service_(std::move(service)),
      backoff_(config.backoff),
      host_(url_host_port(config.url)),
      name_("loki:" + host_),
      capacity_(std::max<size_t>(kMinCapacityBytes, kBatchesQueued * config.batchsize)) {
  if (metrics_) {
    prometheus::Labels host{{"host", host_}};
    counters_ = std::make_unique<Counters>(
        Counters{&metrics_->sent_entries.Add(host), &metrics_->sent_bytes.Add(host),
                 &metrics_->encoded_bytes.Add(host), &metrics_->batch_retries.Add(host)});
  }
  thread_ = std::thread([this] { run(); });
}

LokiSink::~LokiSink() {
  {
    std::lock_guard lock(mutex_);
    accepting_ = false;
    abandoned_ = true;
  }
  service_->abort();
  wake_.notify_all();
  thread_.join();
}

void LokiSink::send(std::unique_ptr<Batch> batch, DoneFn done) noexcept {
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
  // After drain: the batch is abandoned like the ones drain gave up on.
  log::warn("Loki sink is draining; batch left for the next run.",
            {{"host", host_}, {"bytes", std::to_string(bytes)}});
}

size_t LokiSink::free_bytes() const noexcept {
  size_t queued = queued_bytes_.load(std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    if (!accepting_) return 0;
  }
  return queued >= capacity_ ? 0 : capacity_ - queued;
}

void LokiSink::drain(std::chrono::steady_clock::time_point deadline) noexcept {
  std::unique_lock lock(mutex_);
  accepting_ = false;
  bool idle = idle_.wait_until(lock, deadline, [&] { return queue_.empty() && !busy_; });
  if (idle) return;
  abandoned_ = true;
  size_t left = queue_.size() + (busy_ ? 1 : 0);
  lock.unlock();
  service_->abort();
  wake_.notify_all();
  log::warn("Loki sink drain deadline passed; undelivered batches stay unacknowledged.",
            {{"host", host_}, {"batches", std::to_string(left)}});
  lock.lock();
  // A report already under way finishes first, so none follows this return.
  idle_.wait(lock, [&] { return !reporting_; });
}

void LokiSink::run() noexcept {
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
  // Destroyed outside the lock: a done's captures may do work when they go.
  std::deque<Pending> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(queue_);
    queued_bytes_.store(0, std::memory_order_relaxed);
  }
}

void LokiSink::deliver(Pending& item) noexcept {
  const Batch& batch = *item.batch;
  std::string_view body = encoder_.encode(batch);
  const double entries = static_cast<double>(batch.size());
  const double encoded = static_cast<double>(body.size());
  const std::string tenant = batch.tenant().empty() ? config_.tenant_id : batch.tenant();
  // Every byte the pushes need is in `body` now.
  item.batch.reset();
  if (counters_) counters_->encoded_bytes->Increment(encoded);

  backoff_.reset();
  for (;;) {
    PushResult result = service_->push(tenant, body);
    if (metrics_) {
      metrics_->request_duration
          .Add({{"host", host_}, {"status_code", std::to_string(result.status)}}, kDurationBuckets)
          .Observe(std::chrono::duration<double>(result.duration).count());
    }
    if (result.outcome == PushOutcome::kDelivered) {
      if (counters_) {
        counters_->sent_entries->Increment(entries);
        counters_->sent_bytes->Increment(encoded);
      }
      report(item, Delivery::kDelivered);
      return;
    }
    if (result.outcome == PushOutcome::kRejected) {
      for (const Rejection& rejection : result.rejections) {
        // Without a count Loki's share of refused entries is unknown: count the batch, as
        // Promtail does for every refused batch.
        if (rejection.count == 0) {
          count_dropped(rejection.reason, entries, encoded);
        } else {
          count_dropped(rejection.reason, static_cast<double>(rejection.count), 0);
        }
      }
      log::warn(
          "Loki refused entries of a batch; not retrying.",
          {{"host", host_}, {"status", std::to_string(result.status)}, {"error", result.message}});
      report(item, Delivery::kRejected);
      return;
    }

    bool rate_limited = result.status == 429;
    std::string_view reason = rate_limited ? "rate_limited" : "ingester_error";
    if (rate_limited && config_.drop_rate_limited_batches) {
      count_dropped(reason, entries, encoded);
      log::warn("Loki rate-limited a batch; dropping it as configured.", {{"host", host_}});
      report(item, Delivery::kDropped);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      if (abandoned_) return;
    }
    if (!backoff_.record_failure()) {
      count_dropped(reason, entries, encoded);
      log::error("Loki push failed after the last retry; dropping the batch.",
                 {{"host", host_},
                  {"status", std::to_string(result.status)},
                  {"attempts", std::to_string(backoff_.failures())},
                  {"error", result.message}});
      report(item, Delivery::kDropped);
      return;
    }
    auto delay = backoff_.next_delay();
    // Loki (or a proxy before it) knows its load better than our schedule; drain and shutdown
    // still cut a long wait short.
    if (result.retry_after) delay = std::max<std::chrono::nanoseconds>(delay, *result.retry_after);
    if (counters_) counters_->batch_retries->Increment();
    log::warn("Loki push failed; retrying.", {{"host", host_},
                                              {"status", std::to_string(result.status)},
                                              {"attempt", std::to_string(backoff_.failures())},
                                              {"error", result.message}});
    if (!wait_for_retry(delay)) return;
  }
}

void LokiSink::report(Pending& item, Delivery delivery) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (abandoned_) return;
    reporting_ = true;
  }
  log::debug("Loki batch reported.", {{"host", host_}, {"outcome", outcome_name(delivery)}});
  if (item.done) item.done(delivery);
  item.done = nullptr;
  {
    std::lock_guard lock(mutex_);
    reporting_ = false;
  }
  idle_.notify_all();
}

bool LokiSink::wait_for_retry(std::chrono::nanoseconds delay) noexcept {
  std::unique_lock lock(mutex_);
  auto until = std::chrono::steady_clock::now() + delay;
  return !wake_.wait_until(lock, until, [&] { return abandoned_; });
}

void LokiSink::count_dropped(std::string_view reason, double entries, double bytes) noexcept {
  if (!metrics_) return;
  prometheus::Labels labels{{"host", host_}, {"reason", std::string(reason)}};
  metrics_->dropped_entries.Add(labels).Increment(entries);
  if (bytes > 0) metrics_->dropped_bytes.Add(labels).Increment(bytes);
}

}  // namespace tailcast::sinks::loki
