// Runtime: wires one config into a running pipeline — tailer → stage chains → batchers → sinks —
// and owns the loop that reads, ticks batch timers, flushes held records and writes positions.
// One pipeline thread runs the loop; sinks run their own threads and report back through acks.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/batcher.h"
#include "pipeline/config/config.h"
#include "pipeline/metrics.h"
#include "pipeline/sink_routes.h"
#include "pipeline/stage_chain.h"
#include "pipeline/tail/positions.h"
#include "pipeline/tail/tailer.h"

namespace tailcast {

struct RuntimeOptions {
  bool dry_run = false;  // print entries instead of sending; positions are neither read nor written
  bool once = false;     // read every file to its end, deliver, write positions and return
  std::chrono::milliseconds shutdown_timeout{10000};
  StageInspector* inspector = nullptr;  // -inspect: shown every entry around every stage
};

class Runtime {
 public:
  // Builds every stage chain and sink; a config error comes back before any file is touched.
  static Result<std::unique_ptr<Runtime>> create(const config::Config& config,
                                                 RuntimeOptions options, Metrics& metrics);
  ~Runtime();

  // Runs until `stop` is set (or, with `once`, until everything was read and delivered), then
  // shuts down: flushes, waits for deliveries up to shutdown_timeout, writes positions.
  Result<void> run(const std::atomic<bool>& stop);

  // Bytes read so far and entries handed to the batchers; for tests and the status page.
  uint64_t entries_out() const noexcept { return entries_out_; }
  size_t active_files() const;

 private:
  Runtime() = default;
  void on_chunk(const tail::LineChunk& chunk);
  void deliver(size_t scrape, Entry& entry);
  // Adds a sink under its config name, with the batcher that feeds it.
  Result<void> add_sink(std::string name, Result<std::unique_ptr<Sink>> sink, BatcherOptions options);
  Result<void> build_readers(const config::Config& config);
  void sync_positions();
  // Reads what the sinks have room for; `paused` tells whether a group was held back.
  size_t read_files(bool& paused);
  bool wait_for_deliveries(std::chrono::steady_clock::time_point deadline);
  void shutdown();

  struct Target {
    size_t scrape = 0;
    std::vector<std::pair<std::string, std::string>> labels;  // static labels without __ names
  };

  RuntimeOptions options_;
  Metrics* metrics_ = nullptr;
  config::PositionsConfig positions_config_;
  std::vector<Target> targets_;
  std::vector<StageChain> chains_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  std::vector<std::string> sink_names_;  // by sink index, as `sinks:` of scrape configs name them
  std::vector<std::unique_ptr<Batcher>> batchers_;  // batchers_[i] feeds sinks_[i]
  SinkRoutes routes_;
  std::unique_ptr<tail::PositionsFile> positions_;
  // One reader per group of scrape configs sharing the same sinks (routes_.groups()), so that a
  // full sink pauses only the jobs shipping to it.
  std::vector<std::unique_ptr<tail::Tailer>> tailers_;
  Entry entry_;
  Arena arena_;
  uint64_t entries_out_ = 0;
};

}  // namespace tailcast
