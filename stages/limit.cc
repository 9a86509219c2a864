// `limit` stage: a token bucket of `rate` lines per second and `burst` lines, global or one per
// value of `by_label_name`. With `drop: true` lines over the limit are dropped and counted. Without
// it Promtail blocks its whole pipeline; tailcast instead queues the lines in the stage (keeping
// their chunks so positions cannot pass them) and hands them on as tokens come, on every tick, so
// other scrape configs and sinks keep going. See stages/README.md for the queue's bound.
#include <algorithm>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"
#include "stages/held_entry.h"
#include "stages/token_bucket.h"

namespace tailcast::stages {
namespace {

using Clock = std::chrono::steady_clock;

// Promtail's floor for the number of per-label limiters (about 1 MiB of them).
constexpr int64_t kMinMaxDistinctLabels = 10000;
// Lines a waiting limit keeps at most; past it new lines are dropped and counted.
constexpr size_t kMaxWaiting = 10000;

struct ViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

// Built once per pipeline; runs on the pipeline thread.
class LimitStage final : public Stage {
 public:
  static constexpr std::string_view kName = "limit";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    if (node.is_null()) return node.error("empty limit stage configuration");
    config::ConfigReader reader = ctx.reader(node);
    const double rate = reader.number_or("rate", 0);
    const int64_t burst = reader.integer_or("burst", 0);
    const std::string label = reader.string_or("by_label_name", "");
    int64_t max_labels = reader.integer_or("max_distinct_labels", kMinMaxDistinctLabels);
    const bool drop = reader.boolean_or("drop", false);
    if (auto done = reader.finish(); !done) return done.error();
    if (!(rate > 0))
      return (reader.has("rate") ? node.child("rate") : node)
          .error("limit stage failed to parse rate or burst: \"rate\" must be greater than 0");
    if (burst <= 0)
      return (reader.has("burst") ? node.child("burst") : node)
          .error("limit stage failed to parse rate or burst: \"burst\" must be greater than 0");
    if (!label.empty() && !drop)
      return node.child("by_label_name").error("When ratelimiting by label, drop must be true");
    if (!label.empty() && max_labels < kMinMaxDistinctLabels) {
      if (ctx.warnings)
        ctx.warnings->push_back(node.child("max_distinct_labels").location() + ": " +
                                node.child("max_distinct_labels").key_path() +
                                ": max_distinct_labels was adjusted up to the minimal reasonable "
                                "value of " + std::to_string(kMinMaxDistinctLabels));
      max_labels = kMinMaxDistinctLabels;
    }

    auto stage = std::unique_ptr<LimitStage>(new LimitStage(rate, static_cast<double>(burst)));
    stage->drop_ = drop;
    stage->label_ = label;
    stage->max_labels_ = static_cast<size_t>(max_labels);
    if (ctx.metrics) {
      stage->dropped_ = &ctx.metrics->stage_dropped.Add({{"reason", "ratelimit_drop_stage"}});
      stage->overflow_ = &ctx.metrics->stage_dropped.Add({{"reason", "ratelimit_queue_full"}});
      if (!label.empty()) {
        try {
          stage->dropped_by_label_ =
              &prometheus::BuildCounter()
                   .Name("logentry_dropped_lines_by_label_total")
                   .Help("A count of all log lines dropped as a result of a pipeline stage, by "
                         "label value.")
                   .Register(*ctx.metrics->registry());
        } catch (const std::exception& e) {
          return node.error(std::string("cannot register the drop counter: ") + e.what());
        }
      }
    }
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    const Clock::time_point now = Clock::now();
    if (!label_.empty()) return by_label(entry, now);
    if (drop_) {
      if (bucket_.allow(now)) return Verdict::kPass;
      if (dropped_) dropped_->Increment();
      return Verdict::kDrop;
    }
    recycle_returned();
    now_ = std::max(now_, now);
    release_all_ = false;
    // Lines queue behind the ones already waiting, so a file's lines stay in order.
    if (waiting_.empty() && bucket_.allow(now_)) return Verdict::kPass;
    if (waiting_.size() >= kMaxWaiting) {
      if (overflow_) overflow_->Increment();
      return Verdict::kDrop;
    }
    HeldEntry held;
    if (!spare_.empty()) {
      held = std::move(spare_.back());
      spare_.pop_back();
    }
    held.take(entry);
    waiting_.push_back(std::move(held));
    return Verdict::kHold;
  }

  Entry* release() noexcept override {
    recycle_returned();
    if (waiting_.empty() || !(release_all_ || bucket_.allow(now_))) return nullptr;
    returned_ = std::move(waiting_.front());
    waiting_.pop_front();
    return &returned_->entry;
  }

  // Every tick hands on the lines whose tokens have come. A closed file or shutdown hands on all
  // of them: a rate is not worth reading lines again after a restart.
  void flush(Clock::time_point now, bool everything) noexcept override {
    recycle_returned();
    now_ = std::max(now_, now);
    release_all_ = everything;
  }

 private:
  struct LabelLimiter {
    std::string value;
    TokenBucket bucket;
    prometheus::Counter* dropped = nullptr;
  };

  LimitStage(double rate, double burst)
      : rate_(rate), burst_(burst), bucket_(rate, burst, Clock::now()) {}

  Verdict by_label(const Entry& entry, Clock::time_point now) noexcept {
    const std::string_view* value = entry.labels.get(label_);
    if (!value) return Verdict::kPass;  // entries without the label are not limited
    auto it = index_.find(*value);
    if (it == index_.end()) {
      if (recent_.size() >= max_labels_) {
        index_.erase(recent_.back().value);
        recent_.pop_back();
      }
      recent_.push_front(LabelLimiter{std::string(*value), TokenBucket(rate_, burst_, now)});
      it = index_.emplace(std::string_view(recent_.front().value), recent_.begin()).first;
    } else if (it->second != recent_.begin()) {
      recent_.splice(recent_.begin(), recent_, it->second);
    }
    LabelLimiter& limiter = *it->second;
    if (limiter.bucket.allow(now)) return Verdict::kPass;
    if (dropped_by_label_ && !limiter.dropped)
      limiter.dropped = &dropped_by_label_->Add({{"label_name", label_}, {"label_value", limiter.value}});
    if (limiter.dropped) limiter.dropped->Increment();
    return Verdict::kDrop;
  }

  void recycle_returned() {
    if (!returned_) return;
    returned_->release();
    spare_.push_back(std::move(*returned_));
    returned_.reset();
  }

  double rate_;
  double burst_;
  bool drop_ = false;
  std::string label_;
  size_t max_labels_ = kMinMaxDistinctLabels;
  TokenBucket bucket_;
  // Per-label limiters, most recently used first; the index's keys view the list's strings.
  std::list<LabelLimiter> recent_;
  std::unordered_map<std::string_view, std::list<LabelLimiter>::iterator, ViewHash,
                     std::equal_to<>>
      index_;
  prometheus::Counter* dropped_ = nullptr;
  prometheus::Counter* overflow_ = nullptr;
  prometheus::Family<prometheus::Counter>* dropped_by_label_ = nullptr;
  // Waiting mode.
  std::deque<HeldEntry> waiting_;
  std::optional<HeldEntry> returned_;
  std::vector<HeldEntry> spare_;
  Clock::time_point now_{};
  bool release_all_ = false;
};

TC_REGISTER_STAGE(LimitStage);

}  // namespace
}  // namespace tailcast::stages
