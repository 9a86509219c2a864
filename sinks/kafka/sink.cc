// KafkaSink: batches become one Kafka message per entry; delivery reports settle each batch.
#include "sinks/kafka/sink.h"

#include "pipeline/log.h"

namespace tailcast::sinks::kafka {
namespace {

constexpr int kPollMillis = 50;

// Errors after which the producer cannot go on: the messages were purged, not refused, so their
// batches stay unreported and their lines are read again after a restart.
bool is_purge(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT ||
         err == RD_KAFKA_RESP_ERR__FATAL;
}

// Errors reach error_callback as well; at warn level every broker hiccup would be logged twice.
void log_callback(const rd_kafka_t*, int level, const char* facility, const char* text) {
  log::Fields fields{{"facility", facility}, {"detail", text}};
  if (level <= 2) log::error("librdkafka critical.", fields);
  else log::debug("librdkafka log.", fields);
}

}  // namespace

// One sent batch: what is left to produce, and how many of its messages await a report.
struct KafkaSink::Tracker {
  std::unique_ptr<Batch> batch;
  DoneFn done;
  size_t bytes = 0;
  std::vector<Message> messages;  // per entry; their addresses are the messages' opaques
  std::vector<std::string> topics;  // per stream
  std::vector<std::string> keys;    // per stream, when a key template is set
  uint32_t next = 0;                // first entry never produced
  std::deque<uint32_t> retry;       // timed-out entries to produce again
  uint32_t outstanding = 0;         // entries without a final outcome
  uint32_t rejected = 0;
  bool in_backlog = false;
  bool finished = false;
  std::list<std::unique_ptr<Tracker>>::iterator self;
};

struct KafkaSink::Counters {
  prometheus::Counter* sent_entries;
  prometheus::Counter* sent_bytes;
  prometheus::Counter* batch_retries;
};

Result<std::unique_ptr<KafkaSink>> KafkaSink::create(const KafkaSinkConfig& config,
                                                     Metrics* metrics) {
  std::unique_ptr<KafkaSink> sink(new KafkaSink(config, metrics));
  if (auto started = sink->start(); !started) return started.error();
  return sink;
}

KafkaSink::KafkaSink(const KafkaSinkConfig& config, Metrics* metrics)
    : config_(config),
      metrics_(metrics),
      topic_(KafkaTemplate::compile(config.topic)),
      key_(KafkaTemplate::compile(config.key)),
      encoder_(config) {
  if (metrics_) {
    prometheus::Labels host{{"host", config_.name}};
    counters_ = std::make_unique<Counters>(Counters{&metrics_->sent_entries.Add(host),
                                                    &metrics_->sent_bytes.Add(host),
                                                    &metrics_->batch_retries.Add(host)});
  }
}

Result<void> KafkaSink::start() {
  std::string brokers;
  for (const std::string& broker : config_.brokers) {
    if (!brokers.empty()) brokers.push_back(',');
    brokers += broker;
  }
  // Ours first, so that the user's properties win; rd_kafka_new reports contradictions.
  std::vector<std::pair<std::string, std::string>> properties = {
      {"bootstrap.servers", brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"compression.type", config_.compression},
      {"linger.ms", std::to_string(config_.linger.count())},
      {"socket.nagle.disable", "true"},
      {"message.timeout.ms", std::to_string(config_.delivery_timeout.count())},
  };
  properties.insert(properties.end(), config_.properties.begin(), config_.properties.end());

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return make_error(Errc::kInvalidConfig, "kafka sink \"" + config_.name + "\": property \"" +
                                                  name + "\": " + errstr);
    }
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaSink::delivery_callback);
  rd_kafka_conf_set_error_cb(conf, &KafkaSink::error_callback);
  rd_kafka_conf_set_log_cb(conf, &log_callback);
  producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!producer_) {
    rd_kafka_conf_destroy(conf);
    return make_error(Errc::kInvalidConfig,
                      "kafka sink \"" + config_.name + "\": cannot create the producer: " + errstr);
  }
  thread_ = std::thread([this] { run(); });
  return {};
}

KafkaSink::~KafkaSink() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      abandoned_ = true;
      accepting_ = false;
    }
    rd_kafka_yield(producer_);
    thread_.join();
  }
  // Messages still queued are purged without reports; their batches stay unacknowledged.
  if (producer_) rd_kafka_destroy(producer_);
}

void KafkaSink::send(std::unique_ptr<Batch> batch, DoneFn done) noexcept {
  if (!batch) return;
  std::lock_guard lock(mutex_);
  if (!accepting_) {
    log::warn("Kafka sink is draining; batch left for the next run.",
              {{"sink", config_.name}, {"entries", std::to_string(batch->size())}});
    return;
  }
  auto owned = std::make_unique<Tracker>();
  Tracker& tracker = *owned;
  tracker.bytes = batch->bytes();
  tracker.outstanding = static_cast<uint32_t>(batch->size());
  tracker.messages.resize(batch->size());
  for (uint32_t i = 0; i < tracker.messages.size(); ++i) tracker.messages[i] = Message{&tracker, i};
  const bool constant_topic = topic_.is_constant();
  for (const BatchStream& stream : batch->streams()) {
    std::string& topic = tracker.topics.emplace_back();
    if (constant_topic && tracker.topics.size() > 1) topic = tracker.topics.front();
    else topic_.render(stream.labels, topic);
    if (!key_.empty()) key_.render(stream.labels, tracker.keys.emplace_back());
  }
  tracker.batch = std::move(batch);
  tracker.done = std::move(done);
  held_bytes_.fetch_add(tracker.bytes, std::memory_order_relaxed);
  trackers_.push_back(std::move(owned));
  tracker.self = std::prev(trackers_.end());
  if (tracker.outstanding == 0) {
    tracker.finished = true;
    finished_.push_back(&tracker);
    return;
  }
  // Behind a backlog a batch waits its turn, so that a stream's entries keep their order.
  if (!backlog_.empty() || !produce_pending(tracker)) {
    tracker.in_backlog = true;
    backlog_.push_back(&tracker);
  }
}

size_t KafkaSink::free_bytes() const noexcept {
  {
    std::lock_guard lock(mutex_);
    if (!accepting_ || !backlog_.empty()) return 0;
  }
  size_t held = held_bytes_.load(std::memory_order_relaxed);
  return held >= kCapacityBytes ? 0 : kCapacityBytes - held;
}

void KafkaSink::drain(std::chrono::steady_clock::time_point deadline) noexcept {
  std::unique_lock lock(mutex_);
  accepting_ = false;
  draining_ = true;
  rd_kafka_yield(producer_);
  if (idle_.wait_until(lock, deadline, [&] { return trackers_.empty() && !reporting_; })) return;
  abandoned_ = true;
  log::warn("Kafka sink drain deadline passed; undelivered batches stay unacknowledged.",
            {{"sink", config_.name}, {"batches", std::to_string(trackers_.size())}});
  // A report under way finishes first, so none follows this return.
  idle_.wait(lock, [&] { return !reporting_; });
}

void KafkaSink::run() noexcept {
  for (;;) {
    bool draining;
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
      draining = draining_;
    }
    // Flushing sends what linger.ms would still hold back.
    if (draining) rd_kafka_flush(producer_, kPollMillis);
    else rd_kafka_poll(producer_, kPollMillis);
    produce_backlog();
    report_finished();
  }
}

void KafkaSink::produce_backlog() noexcept {
  std::lock_guard lock(mutex_);
  while (!backlog_.empty()) {
    Tracker& tracker = *backlog_.front();
    if (!produce_pending(tracker)) return;
    tracker.in_backlog = false;
    backlog_.pop_front();
  }
}

bool KafkaSink::produce_pending(Tracker& tracker) noexcept {
  const uint32_t size = static_cast<uint32_t>(tracker.messages.size());
  while (!tracker.retry.empty() || tracker.next < size) {
    const bool is_retry = !tracker.retry.empty();
    const uint32_t index = is_retry ? tracker.retry.front() : tracker.next;
    rd_kafka_resp_err_t err = produce_one(tracker, index);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;
    if (is_retry) tracker.retry.pop_front();
    else ++tracker.next;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Refused before it left (too large, invalid topic): resending cannot help.
      log::warn("Kafka refused an entry before sending it.",
                {{"sink", config_.name}, {"error", rd_kafka_err2str(err)}});
      ++tracker.rejected;
      count_dropped(rd_kafka_err2name(err), 1);
      settle(tracker, 1);
    }
  }
  return true;
}

rd_kafka_resp_err_t KafkaSink::produce_one(Tracker& tracker, uint32_t index) noexcept {
  const Batch& batch = *tracker.batch;
  const BatchEntry& entry = batch.entries()[index];
  encoder_.encode(batch, index);
  std::string_view key =
      key_.empty() ? batch.streams()[entry.stream].key : std::string_view(tracker.keys[entry.stream]);
  int64_t timestamp_ms = entry.timestamp_ns / 1'000'000;
  if (entry.timestamp_ns < 0 && entry.timestamp_ns % 1'000'000 != 0) --timestamp_ms;

  fields_.clear();
  auto add = [&](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
    rd_kafka_vu_t& field = fields_.emplace_back();
    field.vtype = type;
    return field;
  };
  add(RD_KAFKA_VTYPE_TOPIC).u.cstr = tracker.topics[entry.stream].c_str();
  auto& key_field = add(RD_KAFKA_VTYPE_KEY).u.mem;
  key_field.ptr = const_cast<char*>(key.data());
  key_field.size = key.size();
  auto& value_field = add(RD_KAFKA_VTYPE_VALUE).u.mem;
  value_field.ptr = const_cast<char*>(encoder_.value().data());
  value_field.size = encoder_.value().size();
  add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
  add(RD_KAFKA_VTYPE_TIMESTAMP).u.i64 = timestamp_ms;
  add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = &tracker.messages[index];
  for (size_t i = 0; i < encoder_.header_count(); ++i) {
    auto& field = add(RD_KAFKA_VTYPE_HEADER).u.header;
    std::string_view value = encoder_.header_value(i);
    field.name = encoder_.header_name(i);
    field.val = value.empty() ? "" : value.data();
    field.size = static_cast<ssize_t>(value.size());
  }
  rd_kafka_error_t* error = rd_kafka_produceva(producer_, fields_.data(), fields_.size());
  if (!error) return RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_resp_err_t err = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  return err;
}

void KafkaSink::settle(Tracker& tracker, uint32_t count) noexcept {
  tracker.outstanding -= count;
  if (tracker.outstanding == 0 && !tracker.finished) {
    tracker.finished = true;
    finished_.push_back(&tracker);
  }
}

void KafkaSink::report_finished() noexcept {
  std::list<std::unique_ptr<Tracker>> reported;
  {
    std::lock_guard lock(mutex_);
    if (finished_.empty() || abandoned_) return;
    for (Tracker* tracker : finished_) {
      reported.splice(reported.end(), trackers_, tracker->self);
      held_bytes_.fetch_sub(tracker->bytes, std::memory_order_relaxed);
    }
    finished_.clear();
    reporting_ = true;
  }
  for (auto& tracker : reported) {
    if (tracker->rejected > 0) {
      log::warn("Kafka refused entries of a batch; not retrying.",
                {{"sink", config_.name}, {"rejected", std::to_string(tracker->rejected)}});
    }
    if (tracker->done) tracker->done(tracker->rejected ? Delivery::kRejected : Delivery::kDelivered);
  }
  // Destroyed outside the lock: a done's captures may do work when they go.
  reported.clear();
  {
    std::lock_guard lock(mutex_);
    reporting_ = false;
  }
  idle_.notify_all();
}

void KafkaSink::on_delivery(const rd_kafka_message_t& message) noexcept {
  auto* ref = static_cast<Message*>(message._private);
  if (!ref) return;
  std::lock_guard lock(mutex_);
  Tracker& tracker = *ref->tracker;
  const rd_kafka_resp_err_t err = message.err;
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (counters_) {
      counters_->sent_entries->Increment();
      counters_->sent_bytes->Increment(static_cast<double>(message.len + message.key_len));
    }
    settle(tracker, 1);
  } else if (err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) {
    // librdkafka gave up on this message only; it is ours to send again. A message that timed out
    // in flight may have been stored, so this can duplicate but never lose.
    // One retry per batch and round of timeouts, as Promtail counts batch retries.
    if (tracker.retry.empty()) {
      if (counters_) counters_->batch_retries->Increment();
      log::warn("Kafka messages timed out; producing them again.", {{"sink", config_.name}});
    }
    tracker.retry.push_back(ref->entry);
    if (!tracker.in_backlog) {
      tracker.in_backlog = true;
      backlog_.push_back(&tracker);
    }
  } else if (is_purge(err)) {
    log::error("Kafka producer purged a message; its batch stays unacknowledged.",
               {{"sink", config_.name}, {"error", rd_kafka_err2str(err)}});
  } else {
    ++tracker.rejected;
    count_dropped(rd_kafka_err2name(err), 1);
    settle(tracker, 1);
  }
}

void KafkaSink::count_dropped(std::string_view reason, double entries) noexcept {
  if (!metrics_) return;
  metrics_->dropped_entries.Add({{"host", config_.name}, {"reason", std::string(reason)}})
      .Increment(entries);
}

void KafkaSink::delivery_callback(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  static_cast<KafkaSink*>(opaque)->on_delivery(*message);
}

void KafkaSink::error_callback(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* sink = static_cast<KafkaSink*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char detail[512];
    rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk, detail, sizeof detail);
    log::error("Kafka producer hit a fatal error; it cannot deliver any more.",
               {{"sink", sink->config_.name}, {"error", rd_kafka_err2str(fatal)},
                {"detail", detail}});
    return;
  }
  log::warn("Kafka client error.",
            {{"sink", sink->config_.name},
             {"error", rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err))},
             {"detail", reason}});
}

}  // namespace tailcast::sinks::kafka
