#include "pipeline/runtime.h"

#include <poll.h>

#include <algorithm>
#include <thread>

#include "pipeline/log.h"
#include "sinks/kafka/sink.h"
#include "sinks/loki/sink.h"
#include "sinks/stdout/sink.h"

namespace tailcast {
namespace {

using Clock = std::chrono::steady_clock;

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Reads are bounded so one busy file cannot starve ticks, flushes and the other files.
constexpr size_t kMaxReadPerPoll = 4 * 1024 * 1024;
constexpr auto kIdleWait = std::chrono::milliseconds(100);

}  // namespace

Result<std::unique_ptr<Runtime>> Runtime::create(const config::Config& config,
                                                 RuntimeOptions options, Metrics& metrics) {
  std::unique_ptr<Runtime> runtime(new Runtime());
  runtime->options_ = options;
  runtime->metrics_ = &metrics;
  runtime->positions_config_ = config.positions;

  std::vector<std::string> warnings;
  BuildContext ctx{&warnings, &metrics};
  for (const auto& scrape : config.scrape_configs) {
    const config::ConfigNode* stages = scrape.pipeline_stages ? &*scrape.pipeline_stages : nullptr;
    auto chain = StageChain::build(stages, ctx);
    if (!chain) return std::move(chain).error();
    runtime->chains_.push_back(std::move(*chain));
  }
  for (const auto& warning : warnings) log::warn("Config key ignored.", {{"where", warning}});

  if (options.dry_run) {
    config::OutputSinkConfig out;
    out.name = "dry-run";
    auto sink = sinks::OutputSink::open(out);
    if (!sink) return std::move(sink).error();
    runtime->sinks_.push_back(std::move(*sink));
    runtime->batchers_.push_back(std::make_unique<Batcher>(*runtime->sinks_.back(), BatcherOptions{
        std::chrono::milliseconds(100), 1024 * 1024, "", {}}));
  } else {
    for (const auto& client : config.clients) {
      auto sink = sinks::loki::LokiSink::create(client, &metrics);
      if (!sink) return std::move(sink).error();
      runtime->sinks_.push_back(std::move(*sink));
      runtime->batchers_.push_back(std::make_unique<Batcher>(
          *runtime->sinks_.back(),
          BatcherOptions{client.batchwait, client.batchsize, client.tenant_id, client.external_labels}));
    }
    for (const auto& kafka : config.kafka_sinks) {
      auto sink = sinks::kafka::KafkaSink::create(kafka, &metrics);
      if (!sink) return std::move(sink).error();
      runtime->sinks_.push_back(std::move(*sink));
      runtime->batchers_.push_back(std::make_unique<Batcher>(
          *runtime->sinks_.back(), BatcherOptions{std::chrono::milliseconds(100), 1024 * 1024, "", {}}));
    }
    for (const auto& output : config.outputs) {
      auto sink = sinks::OutputSink::open(output);
      if (!sink) return std::move(sink).error();
      runtime->sinks_.push_back(std::move(*sink));
      runtime->batchers_.push_back(std::make_unique<Batcher>(
          *runtime->sinks_.back(), BatcherOptions{std::chrono::milliseconds(100), 1024 * 1024, "", {}}));
    }
  }

  std::vector<tail::TargetSpec> specs;
  for (size_t s = 0; s < config.scrape_configs.size(); ++s) {
    for (const auto& target : config.scrape_configs[s].static_configs) {
      tail::TargetSpec spec;
      spec.job_name = config.scrape_configs[s].job_name;
      spec.pipeline = runtime->targets_.size();
      Target info;
      info.scrape = s;
      for (const auto& [name, value] : target.labels) {
        if (name == "__path__") spec.include.push_back(value);
        else if (name == "__path_exclude__") spec.exclude.push_back(value);
        else if (name.rfind("__", 0) != 0) info.labels.emplace_back(name, value);
      }
      runtime->targets_.push_back(std::move(info));
      specs.push_back(std::move(spec));
    }
  }

  if (!options.dry_run) {
    tail::PositionsOptions positions_options;
    positions_options.filename = config.positions.filename;
    positions_options.ignore_invalid_yaml = config.positions.ignore_invalid_yaml;
    auto positions = tail::PositionsFile::open(positions_options);
    if (!positions) return std::move(positions).error();
    runtime->positions_ = std::move(*positions);
  }
  tail::TailerOptions tailer_options;
  tailer_options.rescan_interval = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::min<std::chrono::nanoseconds>(config.target_sync_period, std::chrono::seconds(10)));
  tailer_options.max_line_size = config.limits.max_line_size;
  tailer_options.max_line_size_truncate = config.limits.max_line_size_truncate;
  runtime->tailer_ = std::make_unique<tail::Tailer>(std::move(specs), tailer_options,
                                                    runtime->positions_.get(), &metrics);
  Runtime* self = runtime.get();
  runtime->tailer_->on_file_closed([self](tail::TailedFile& file) {
    size_t scrape = self->targets_[file.target().pipeline].scrape;
    self->chains_[scrape].flush(Clock::now(), true, self->arena_,
                                [self, scrape](Entry& entry) { self->deliver(scrape, entry); });
  });
  return runtime;
}

Runtime::~Runtime() = default;

size_t Runtime::active_files() const { return tailer_ ? tailer_->active_files() : 0; }

void Runtime::deliver(size_t, Entry& entry) {
  ++entries_out_;
  for (auto& batcher : batchers_) batcher->add(entry);
}

void Runtime::on_chunk(const tail::LineChunk& chunk) {
  tail::TailedFile& file = *chunk.file;
  SourceAcks& acks = file.acks();
  const uint64_t chunk_id = acks.open_chunk(chunk.end_offset);
  const Target& target = targets_[file.target().pipeline];
  StageChain& chain = chains_[target.scrape];
  const size_t scrape = target.scrape;
  const int64_t read_time = wall_clock_ns();
  EntryFn deliver = [this, scrape](Entry& entry) { this->deliver(scrape, entry); };
  for (std::string_view line : chunk.lines) {
    entry_.clear();
    entry_.line = line;
    entry_.timestamp_ns = read_time;
    for (const auto& [name, value] : target.labels) entry_.labels.set(name, value);
    entry_.labels.set("filename", file.path());
    entry_.source = SourceRef{&acks, chunk_id, chunk_id};
    chain.run(entry_, arena_, deliver);
  }
  acks.release(chunk_id);
  arena_.reset();
}

size_t Runtime::sink_room() const {
  size_t room = kMaxReadPerPoll;
  for (const auto& sink : sinks_) room = std::min(room, sink->free_bytes());
  return room;
}

bool Runtime::wait_for_deliveries(Clock::time_point deadline) {
  for (;;) {
    size_t pending = 0;
    for (const auto& batcher : batchers_) pending += batcher->in_flight();
    if (pending == 0) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void Runtime::shutdown() {
  const auto deadline = Clock::now() + options_.shutdown_timeout;
  for (size_t s = 0; s < chains_.size(); ++s)
    chains_[s].flush(Clock::now(), true, arena_, [this, s](Entry& entry) { deliver(s, entry); });
  for (auto& batcher : batchers_) batcher->flush_all();
  if (!wait_for_deliveries(deadline))
    log::warn("Shutdown timeout reached with batches undelivered; their lines will be read again "
              "after a restart.");
  for (auto& sink : sinks_) sink->drain(deadline);
  if (positions_) {
    if (auto synced = tailer_->sync_positions(); !synced)
      log::error("Writing positions failed.", {{"error", synced.error().message}});
  }
}

Result<void> Runtime::run(const std::atomic<bool>& stop) {
  auto next_sync = Clock::now() + positions_config_.sync_period;
  auto handler = [this](const tail::LineChunk& chunk) { on_chunk(chunk); };
  while (!stop.load()) {
    const auto now = Clock::now();
    size_t read = 0;
    if (size_t room = sink_room(); room > 0) read = tailer_->poll(handler, room);
    for (size_t s = 0; s < chains_.size(); ++s)
      chains_[s].flush(now, false, arena_, [this, s](Entry& entry) { deliver(s, entry); });
    for (auto& batcher : batchers_) batcher->tick(now);
    if (positions_ && now >= next_sync) {
      if (auto synced = tailer_->sync_positions(); !synced)
        log::error("Writing positions failed.", {{"error", synced.error().message}});
      next_sync = now + positions_config_.sync_period;
    }
    if (options_.once && read == 0) break;
    if (read > 0) continue;
    auto wake = now + kIdleWait;
    for (const auto& batcher : batchers_) wake = std::min(wake, batcher->next_deadline());
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now());
    int timeout = static_cast<int>(std::clamp<int64_t>(wait_ms.count(), 0, 100));
    if (int fd = tailer_->wait_fd(); fd >= 0) {
      pollfd pfd{fd, POLLIN, 0};
      ::poll(&pfd, 1, timeout);
    } else if (timeout > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(timeout));
    }
  }
  shutdown();
  return {};
}

}  // namespace tailcast
