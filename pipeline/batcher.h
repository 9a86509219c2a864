// Batcher: gathers entries for one sink into per-tenant batches and hands a batch to the sink when
// it reaches batchsize or waited batchwait (Promtail's client rules). It takes the batch's chunk
// references and releases them when the sink reports, so positions move only on delivery.
// Pipeline thread only.
#pragma once

#include <chrono>
#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "pipeline/batch.h"
#include "pipeline/config/config.h"
#include "pipeline/metrics.h"
#include "pipeline/sink.h"

namespace tailcast {

struct BatcherOptions {
  std::chrono::nanoseconds batchwait = std::chrono::seconds(1);
  uint64_t batchsize = 1024 * 1024;
  std::string tenant;                      // default tenant; an entry's own tenant wins
  config::StringPairs external_labels;     // added to every stream that lacks them
};

class Batcher {
 public:
  Batcher(Sink& sink, BatcherOptions options);

  void add(Entry& entry);
  // Sends batches that waited batchwait.
  void tick(std::chrono::steady_clock::time_point now);
  // Sends every open batch (shutdown, or before positions are written on exit).
  void flush_all();
  // When the next batch becomes due; time_point::max() when none is open.
  std::chrono::steady_clock::time_point next_deadline() const;
  // Batches handed to the sink whose report has not come back.
  size_t in_flight() const noexcept { return *in_flight_; }
  Sink& sink() noexcept { return sink_; }

 private:
  void send(std::unique_ptr<Batch> batch);

  Sink& sink_;
  BatcherOptions options_;
  std::map<std::string, std::unique_ptr<Batch>, std::less<>> open_;  // by tenant
  std::string key_scratch_;
  std::vector<std::string_view> added_labels_;
  std::shared_ptr<std::atomic<size_t>> in_flight_ = std::make_shared<std::atomic<size_t>>(0);
};

}  // namespace tailcast
