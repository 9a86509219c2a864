// KafkaSink: ships batches to Kafka through librdkafka's idempotent producer (acks=all). One
// message per entry; delivery reports drive `done`, a full local queue is backpressure, and a
// message that timed out is produced again, so no entry is given up except on a permanent error.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/sink.h"
#include "sinks/kafka/config.h"
#include "sinks/kafka/encoder.h"
#include "sinks/kafka/template.h"

namespace tailcast::sinks::kafka {

// Lifecycle: create → send()… → drain(deadline) → destruction. A batch is reported once all its
// messages have delivery reports. Batches unreported when drain's deadline passes or the sink is
// destroyed are abandoned: `done` is never called, so their lines are read again after a restart.
class KafkaSink : public Sink {
 public:
  // `metrics` may be null; otherwise it must outlive the sink.
  static Result<std::unique_ptr<KafkaSink>> create(const KafkaSinkConfig& config, Metrics* metrics);
  ~KafkaSink() override;
  KafkaSink(const KafkaSink&) = delete;
  KafkaSink& operator=(const KafkaSink&) = delete;

  void send(std::unique_ptr<Batch> batch, DoneFn done) noexcept override;
  size_t free_bytes() const noexcept override;
  void drain(std::chrono::steady_clock::time_point deadline) noexcept override;
  std::string_view name() const noexcept override { return config_.name; }

  // Batch bytes (line plus structured metadata) the sink holds at most.
  static constexpr size_t kCapacityBytes = 64 * 1024 * 1024;

 private:
  struct Tracker;
  struct Message {
    Tracker* tracker;
    uint32_t entry;
  };
  struct Counters;

  KafkaSink(const KafkaSinkConfig& config, Metrics* metrics);
  Result<void> start();
  void run() noexcept;
  // Produces what the tracker still has to send; false when the local queue is full.
  bool produce_pending(Tracker& tracker) noexcept;
  rd_kafka_resp_err_t produce_one(Tracker& tracker, uint32_t index) noexcept;
  void settle(Tracker& tracker, uint32_t count) noexcept;
  void produce_backlog() noexcept;
  void report_finished() noexcept;
  void on_delivery(const rd_kafka_message_t& message) noexcept;
  void count_dropped(std::string_view reason, double entries) noexcept;
  static void delivery_callback(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void error_callback(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  KafkaSinkConfig config_;
  Metrics* metrics_;
  std::unique_ptr<Counters> counters_;
  KafkaTemplate topic_;
  KafkaTemplate key_;
  rd_kafka_t* producer_ = nullptr;

  // Scratch for one message; producing happens under mutex_.
  MessageEncoder encoder_;
  std::vector<rd_kafka_vu_t> fields_;

  mutable std::mutex mutex_;
  std::condition_variable idle_;  // drain: every tracker reported
  std::list<std::unique_ptr<Tracker>> trackers_;
  std::deque<Tracker*> backlog_;   // waiting for room in the local queue, in send order
  std::vector<Tracker*> finished_;  // every message reported; done not yet called
  std::atomic<size_t> held_bytes_{0};
  bool accepting_ = true;
  bool draining_ = false;
  bool abandoned_ = false;
  bool reporting_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tailcast::sinks::kafka
