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
      limit_checker_(config.loki_limits),
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
      Pending item;
      item.tenant = batch->tenant().empty() ? config_.tenant_id : batch->tenant();
      item.batch = std::move(batch);
      item.done = std::move(done);
      item.bytes = bytes;
      queue_.push_back(std::move(item));
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
  using Clock = std::chrono::steady_clock;
  for (;;) {
    Pending item;
    {
      std::unique_lock lock(mutex_);
      bool picked = false;
      while (!abandoned_ && !picked) {
        // The oldest batch of the first tenant that is not waiting out a backoff.
        const auto now = Clock::now();
        auto wake_at = Clock::time_point::max();
        for (auto it = queue_.begin(); it != queue_.end(); ++it) {
          auto ready = tenant_ready_at_.find(it->tenant);
          if (ready == tenant_ready_at_.end() || ready->second <= now) {
            item = std::move(*it);
            queue_.erase(it);
            picked = true;
            break;
          }
          wake_at = std::min(wake_at, ready->second);
        }
        if (picked) break;
        if (wake_at == Clock::time_point::max()) {
          wake_.wait(lock);
        } else {
          wake_.wait_until(lock, wake_at);
        }
      }
      if (abandoned_) break;
      busy_ = true;
    }
    bool finished = attempt(item);
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
      if (finished || abandoned_) {
        queued_bytes_.fetch_sub(item.bytes, std::memory_order_relaxed);
        tenant_ready_at_.erase(item.tenant);
      } else {
        tenant_ready_at_[item.tenant] = Clock::now() + item.retry_in;
        // Still the oldest of its tenant: every earlier batch of it was waiting too.
        queue_.push_front(std::move(item));
      }
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

bool LokiSink::encode(Pending& item) noexcept {
  const Batch& batch = *item.batch;
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  limit_checker_.check(batch, now_ns, plan_);
  count_limits(plan_);
  if (plan_.kept == 0) {
    // Every entry broke a limit Loki would have refused it for; each is counted by reason.
    item.batch.reset();
    report(item, Delivery::kRejected);
    return false;
  }
  item.body.assign(encoder_.encode(batch, &plan_));
  item.entries = static_cast<double>(plan_.kept);
  // Every byte the pushes need is in `body` now.
  item.batch.reset();
  if (counters_) counters_->encoded_bytes->Increment(static_cast<double>(item.body.size()));
  return true;
}

bool LokiSink::attempt(Pending& item) noexcept {
  if (item.batch && !encode(item)) return true;
  const double entries = item.entries;
  const double encoded = static_cast<double>(item.body.size());

  PushResult result = service_->push(item.tenant, item.body);
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
    return true;
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
    return true;
  }

  bool rate_limited = result.status == 429;
  std::string_view reason = rate_limited ? "rate_limited" : "ingester_error";
  if (rate_limited && config_.drop_rate_limited_batches) {
    count_dropped(reason, entries, encoded);
    log::warn("Loki rate-limited a batch; dropping it as configured.", {{"host", host_}});
    report(item, Delivery::kDropped);
    return true;
  }
  if (!item.backoff) item.backoff = std::make_unique<Backoff>(config_.backoff);
  if (!item.backoff->record_failure()) {
    count_dropped(reason, entries, encoded);
    log::error("Loki push failed after the last retry; dropping the batch.",
               {{"host", host_},
                {"tenant", item.tenant},
                {"status", std::to_string(result.status)},
                {"attempts", std::to_string(item.backoff->failures())},
                {"error", result.message}});
    report(item, Delivery::kDropped);
    return true;
  }
  auto delay = item.backoff->next_delay();
  // Loki (or a proxy before it) knows its load better than our schedule; drain and shutdown
  // still cut a long wait short.
  if (result.retry_after) delay = std::max<std::chrono::nanoseconds>(delay, *result.retry_after);
  item.retry_in = delay;
  if (counters_) counters_->batch_retries->Increment();
  log::warn("Loki push failed; retrying.", {{"host", host_},
                                            {"tenant", item.tenant},
                                            {"status", std::to_string(result.status)},
                                            {"attempt", std::to_string(item.backoff->failures())},
                                            {"error", result.message}});
  return false;
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

void LokiSink::count_limits(const PushPlan& plan) noexcept {
  for (const ReasonCount& dropped : plan.dropped) {
    count_dropped(dropped.reason, static_cast<double>(dropped.entries),
                  static_cast<double>(dropped.bytes));
    log::warn("Entries dropped before sending: they break a Loki limit.",
              {{"host", host_},
               {"reason", std::string(dropped.reason)},
               {"entries", std::to_string(dropped.entries)}});
  }
  if (!metrics_) return;
  for (const ReasonCount& fixed : plan.fixed) {
    metrics_->sink_entries_fixed.Add({{"host", host_}, {"reason", std::string(fixed.reason)}})
        .Increment(static_cast<double>(fixed.entries));
  }
}

void LokiSink::count_dropped(std::string_view reason, double entries, double bytes) noexcept {
  if (!metrics_) return;
  prometheus::Labels labels{{"host", host_}, {"reason", std::string(reason)}};
  metrics_->dropped_entries.Add(labels).Increment(entries);
  if (bytes > 0) metrics_->dropped_bytes.Add(labels).Increment(bytes);
}

}  // namespace tailcast::sinks::loki
