#include "pipeline/runtime.h"

#include <poll.h>

#include <algorithm>
#include <thread>

#include "pipeline/log.h"
#include "sinks/kafka/sink.h"
#include "sinks/loki/sink.h"
#include "sinks/otlp/sink.h"
#include "sinks/stdout/sink.h"

namespace tailcast {
namespace {

using Clock = std::chrono::steady_clock;

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <class T>
Result<std::unique_ptr<Sink>> as_sink(Result<std::unique_ptr<T>> made) {
  if (!made) return std::move(made).error();
  return std::unique_ptr<Sink>(std::move(*made));
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
    chain->set_inspector(options.inspector);
    runtime->chains_.push_back(std::move(*chain));
  }
  for (const auto& warning : warnings) log::warn("Config key ignored.", {{"where", warning}});

  const BatcherOptions quick{std::chrono::milliseconds(100), 1024 * 1024, "", {}};
  std::vector<std::vector<std::string>> selections;
  if (options.dry_run) {
    // Every job prints to the one dry-run sink, whatever its `sinks:` say.
    config::OutputSinkConfig out;
    out.name = "dry-run";
    if (auto added = runtime->add_sink(out.name, as_sink(sinks::OutputSink::open(out)), quick); !added)
      return added.error();
    selections.resize(config.scrape_configs.size());
  } else {
    for (const auto& client : config.clients) {
      auto added = runtime->add_sink(
          client.name, as_sink(sinks::loki::LokiSink::create(client, &metrics)),
          BatcherOptions{client.batchwait, client.batchsize, client.tenant_id, client.external_labels});
      if (!added) return added.error();
    }
    for (const auto& kafka : config.kafka_sinks) {
      auto added =
          runtime->add_sink(kafka.name, as_sink(sinks::kafka::KafkaSink::create(kafka, &metrics)), quick);
      if (!added) return added.error();
    }
    for (const auto& otlp : config.otlp_sinks) {
      auto added = runtime->add_sink(otlp.name,
                                     as_sink(sinks::otlp::OtlpSink::create(otlp, &metrics)),
                                     BatcherOptions{otlp.batchwait, otlp.batchsize, "", {}});
      if (!added) return added.error();
    }
    for (const auto& output : config.outputs) {
      auto added = runtime->add_sink(output.name, as_sink(sinks::OutputSink::open(output)), quick);
      if (!added) return added.error();
    }
    for (const auto& scrape : config.scrape_configs) selections.push_back(scrape.sinks);
  }
  auto routes = SinkRoutes::build(selections, runtime->sink_names_);
  if (!routes) return std::move(routes).error();
  runtime->routes_ = std::move(*routes);

  if (!options.dry_run) {
    tail::PositionsOptions positions_options;
    positions_options.filename = config.positions.filename;
    positions_options.ignore_invalid_yaml = config.positions.ignore_invalid_yaml;
    auto positions = tail::PositionsFile::open(positions_options);
    if (!positions) return std::move(positions).error();
    runtime->positions_ = std::move(*positions);
  }
  if (auto built = runtime->build_readers(config); !built) return built.error();
  return runtime;
}

Result<void> Runtime::add_sink(std::string name, Result<std::unique_ptr<Sink>> sink,
                               BatcherOptions options) {
  if (!sink) return std::move(sink).error();
  sinks_.push_back(std::move(*sink));
  sink_names_.push_back(std::move(name));
  batchers_.push_back(std::make_unique<Batcher>(*sinks_.back(), std::move(options)));
  return {};
}

Result<void> Runtime::build_readers(const config::Config& config) {
  std::vector<std::vector<tail::TargetSpec>> specs(routes_.groups().size());
  // Include globs of the targets seen so far, with their group. A file that jobs of different
  // groups match is read once, by the first of those jobs, as a single reader would do.
  std::vector<std::pair<size_t, std::vector<std::string>>> earlier;
  for (size_t s = 0; s < config.scrape_configs.size(); ++s) {
    const size_t group = routes_.group_of(s);
    for (const auto& target : config.scrape_configs[s].static_configs) {
      tail::TargetSpec spec;
      spec.job_name = config.scrape_configs[s].job_name;
      spec.pipeline = targets_.size();
      Target info;
      info.scrape = s;
      for (const auto& [name, value] : target.labels) {
        if (name == "__path__") spec.include.push_back(value);
        else if (name == "__path_exclude__") spec.exclude.push_back(value);
        else if (name.rfind("__", 0) != 0) info.labels.emplace_back(name, value);
      }
      for (const auto& [other, globs] : earlier)
        if (other != group) spec.exclude.insert(spec.exclude.end(), globs.begin(), globs.end());
      earlier.emplace_back(group, spec.include);
      targets_.push_back(std::move(info));
      specs[group].push_back(std::move(spec));
    }
  }
  // Promtail counts one target per static_configs entry of each job.
  if (metrics_) metrics_->targets_active.Add({}).Set(static_cast<double>(targets_.size()));

  tail::TailerOptions tailer_options;
  tailer_options.rescan_interval = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::min<std::chrono::nanoseconds>(config.target_sync_period, std::chrono::seconds(10)));
  tailer_options.max_line_size = config.limits.max_line_size;
  tailer_options.max_line_size_truncate = config.limits.max_line_size_truncate;
  // One bound for the process, shared out among the readers.
  tailer_options.max_open_files =
      std::max<size_t>(1, tail::fit_fd_bound(config.target.max_open_files) /
                              std::max<size_t>(1, specs.size()));
  tail::parse_watch_mode(config.target.watch, tailer_options.watch);  // validated by the config
  tailer_options.poll_interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.target.poll_interval);
  tailer_options.deleted_file_max_hold =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.target.deleted_file_max_hold);
  tailer_options.partial_line_idle =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.target.partial_line_idle);
  for (auto& group_specs : specs) {
    auto& tailer = tailers_.emplace_back(std::make_unique<tail::Tailer>(
        std::move(group_specs), tailer_options, positions_.get(), metrics_));
    tailer->on_file_closed([this](tail::TailedFile& file) {
      size_t scrape = targets_[file.target().pipeline].scrape;
      chains_[scrape].flush(Clock::now(), true, arena_,
                            [this, scrape](Entry& entry) { deliver(scrape, entry); });
    });
  }
  return {};
}

Runtime::~Runtime() = default;

size_t Runtime::active_files() const {
  size_t files = 0;
  for (const auto& tailer : tailers_) files += tailer->active_files();
  return files;
}

void Runtime::deliver(size_t scrape, Entry& entry) {
  ++entries_out_;
  // Every batch an entry joins holds its chunk, so the chunk's position moves only once each of
  // the job's sinks reported it.
  for (size_t sink : routes_.sinks_of(scrape)) batchers_[sink]->add(entry);
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

size_t Runtime::read_files(bool& paused) {
  paused = false;
  size_t read = 0;
  auto handler = [this](const tail::LineChunk& chunk) { on_chunk(chunk); };
  for (size_t group = 0; group < tailers_.size(); ++group) {
    const size_t room = routes_.room(group, sinks_, kMaxReadPerPoll);
    if (room == 0) {
      paused = true;
      // Polled with no budget all the same: discovery and the deleted-file hold go on.
      tailers_[group]->poll(handler, 0);
      continue;
    }
    read += tailers_[group]->poll(handler, room);
  }
  // Each reader sets the gauge to its own count; the sum is the truth.
  if (tailers_.size() > 1) metrics_->files_active.Set(static_cast<double>(active_files()));
  return read;
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
  if (positions_) sync_positions();
}

void Runtime::sync_positions() {
  for (auto& tailer : tailers_) {
    if (auto synced = tailer->sync_positions(); !synced)
      log::error("Writing positions failed.", {{"error", synced.error().message}});
  }
}

Result<void> Runtime::run(const std::atomic<bool>& stop) {
  auto next_sync = Clock::now() + positions_config_.sync_period;
  std::vector<pollfd> wait_fds;
  while (!stop.load()) {
    const auto now = Clock::now();
    bool paused = false;
    const size_t read = read_files(paused);
    for (size_t s = 0; s < chains_.size(); ++s)
      chains_[s].flush(now, false, arena_, [this, s](Entry& entry) { deliver(s, entry); });
    for (auto& batcher : batchers_) batcher->tick(now);
    if (positions_ && now >= next_sync) {
      sync_positions();
      next_sync = now + positions_config_.sync_period;
    }
    // A paused group has lines left: -once waits for its sinks to make room.
    if (options_.once && read == 0 && !paused) break;
    if (read > 0) continue;
    auto wake = now + kIdleWait;
    for (const auto& batcher : batchers_) wake = std::min(wake, batcher->next_deadline());
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now());
    int timeout = static_cast<int>(std::clamp<int64_t>(wait_ms.count(), 0, 100));
    wait_fds.clear();
    for (const auto& tailer : tailers_)
      if (int fd = tailer->wait_fd(); fd >= 0) wait_fds.push_back(pollfd{fd, POLLIN, 0});
    if (!wait_fds.empty()) {
      ::poll(wait_fds.data(), wait_fds.size(), timeout);
    } else if (timeout > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(timeout));
    }
  }
  shutdown();
  return {};
}

}  // namespace tailcast
