// `multiline` stage: folds the lines of a stream into blocks that each start with a line matching
// `firstline`, as Promtail does. A block is held (kHold) with every chunk it came from and
// released when the next first line arrives, after `max_lines`, after `max_wait_time` without a
// line, or when its file ends.
#include <re2/re2.h>

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipeline/stage_registry.h"
#include "stages/held_record.h"

namespace tailcast::stages {
namespace {

using Clock = std::chrono::steady_clock;

// Built once per pipeline; all state lives on the pipeline thread.
class MultilineStage final : public Stage {
 public:
  static constexpr std::string_view kName = "multiline";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    const std::string firstline = reader.required_string("firstline");
    const int64_t max_lines = reader.integer_or("max_lines", 128);
    const auto max_wait = reader.duration_or("max_wait_time", std::chrono::seconds(3));
    if (reader.ok() && max_lines < 0)
      reader.fail(node.child("max_lines"), "\"max_lines\" must not be negative");
    if (reader.ok() && max_wait.count() <= 0)
      reader.fail(node.child("max_wait_time"), "\"max_wait_time\" must be positive");
    if (auto done = reader.finish(); !done) return done.error();
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto regex = std::make_unique<re2::RE2>(firstline, options);
    if (!regex->ok())
      return node.child("firstline")
          .error("could not compile regular expression: " + regex->error());
    auto stage = std::unique_ptr<MultilineStage>(new MultilineStage());
    stage->firstline_ = std::move(regex);
    stage->max_lines_ = static_cast<size_t>(max_lines);
    stage->max_wait_ = max_wait;
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    queue_.finish_returned();
    const bool first = re2::RE2::PartialMatch(
        re2::StringPiece(entry.line.data(), entry.line.size()), *firstline_);
    label_key(entry.labels, sorted_, key_);
    auto found = streams_.find(std::string_view(key_));
    if (found == streams_.end()) {
      // A stream's lines before its first first line pass one by one.
      if (!first) return Verdict::kPass;
      found = streams_.emplace(key_, std::make_unique<Stream>()).first;
    }
    Stream& stream = *found->second;
    if (first) {
      close(stream);
      stream.start.copy_fields(entry);
    }
    if (stream.open && !stream.open->same_generation(entry)) close(stream);
    if (!stream.open) {
      // After a max_lines or idle flush the next block keeps the last first line's fields.
      stream.open = queue_.acquire();
      stream.open->copy_fields(stream.start.entry);
    }
    HeldRecord& block = *stream.open;
    block.append_line(entry.line, true);
    block.retain(entry);
    block.last_line_at = Clock::now();
    if (max_lines_ > 0 && block.lines >= max_lines_) close(stream);
    return Verdict::kHold;
  }

  Entry* release() noexcept override { return queue_.release(); }

  void flush(Clock::time_point now, bool everything) noexcept override {
    for (auto& [key, stream] : streams_) {
      if (stream->open && (everything || now - stream->open->last_line_at >= max_wait_))
        close(*stream);
    }
  }

 private:
  struct Stream {
    HeldRecord start;  // the fields of the last first line; holds no chunks
    HeldRecord* open = nullptr;
  };

  MultilineStage() = default;

  void close(Stream& stream) {
    if (!stream.open) return;
    queue_.make_due(stream.open);
    stream.open = nullptr;
  }

  std::unique_ptr<re2::RE2> firstline_;
  size_t max_lines_ = 128;
  std::chrono::nanoseconds max_wait_{std::chrono::seconds(3)};

  std::unordered_map<std::string, std::unique_ptr<Stream>, KeyHash, std::equal_to<>> streams_;
  RecordQueue queue_;
  std::vector<const Label*> sorted_;
  std::string key_;
};

TC_REGISTER_STAGE(MultilineStage);

}  // namespace
}  // namespace tailcast::stages
