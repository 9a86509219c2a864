// `match` stage: runs a nested list of stages only on entries whose labels and line match a LogQL
// selector, or drops matching entries (`action: drop`) and counts them under
// `drop_counter_reason`. Nested stages that hold entries (multiline) work as they do at top level.
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "pipeline/metrics.h"
#include "pipeline/stage_chain.h"
#include "pipeline/stage_registry.h"
#include "stages/held_entry.h"
#include "stages/logql_selector.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; runs on the pipeline thread. Owns its nested chain and the entries the
// nested chain handed out while this stage was holding.
class MatchStage final : public Stage {
 public:
  static constexpr std::string_view kName = "match";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    if (node.is_null()) return node.error("match stage config cannot be empty");
    config::ConfigReader reader = ctx.reader(node);
    std::optional<std::string> selector_text = reader.string("selector");
    std::optional<std::string> pipeline_name = reader.string("pipeline_name");
    const std::string action = reader.string_or("action", "keep");
    std::string reason = reader.string_or("drop_counter_reason", "match_stage");
    std::optional<config::ConfigNode> stages = reader.child("stages");
    if (auto done = reader.finish(); !done) return done.error();

    if (!selector_text || selector_text->empty())
      return node.error("selector statement required for match stage");
    if (pipeline_name && pipeline_name->empty())
      return node.child("pipeline_name")
          .error("match stage pipeline name can be omitted but cannot be an empty string");
    if (action != "keep" && action != "drop")
      return node.child("action").error("match stage action should be 'keep' or 'drop'");
    const bool has_stages = stages && !stages->is_null() &&
                            !(stages->yaml().IsSequence() && stages->yaml().size() == 0);
    if (action == "keep" && !has_stages)
      return node.error(
          "match stage requires at least one additional stage to be defined in '- stages'");
    if (action == "drop" && has_stages)
      return node.child("stages")
          .error("match stage configured to drop entries cannot contains stages");

    auto selector = LogSelector::parse(*selector_text);
    if (!selector)
      return node.child("selector")
          .error("invalid selector syntax for match stage: " + selector.error().message);

    auto stage = std::unique_ptr<MatchStage>(new MatchStage(std::move(*selector)));
    stage->drop_ = action == "drop";
    if (has_stages) {
      auto chain = StageChain::build(&*stages, ctx);
      if (!chain) return std::move(chain).error();
      stage->nested_ = std::move(*chain);
    }
    if (stage->drop_ && ctx.metrics)
      stage->dropped_ = &ctx.metrics->stage_dropped.Add({{"reason", reason}});
    MatchStage* self = stage.get();
    stage->capture_ = [self](Entry& out) { self->capture(out); };
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    recycle_returned();
    if (!selector_.matches(entry.labels, entry.line)) return Verdict::kPass;
    if (drop_) {
      if (dropped_) dropped_->Increment();
      return Verdict::kDrop;
    }
    current_ = &entry;
    current_passed_ = false;
    nested_.run(entry, arena, capture_);
    current_ = nullptr;
    // The common case: nothing was held, the entry came out of the nested stages (or was dropped).
    if (queue_.empty()) return current_passed_ ? Verdict::kPass : Verdict::kDrop;
    // Entries released by a nested holding stage go first; the current one follows them.
    if (current_passed_) enqueue(entry);
    return Verdict::kHold;
  }

  Entry* release() noexcept override {
    recycle_returned();
    if (queue_.empty()) return nullptr;
    returned_ = std::move(queue_.front());
    queue_.pop_front();
    return &returned_->entry;
  }

  void flush(std::chrono::steady_clock::time_point now, bool everything) noexcept override {
    recycle_returned();
    nested_.flush(now, everything, flush_arena_, capture_);
    flush_arena_.reset();
  }

 private:
  explicit MatchStage(LogSelector selector) : selector_(std::move(selector)) {}

  // Called by the nested chain for every entry that came out of it.
  void capture(Entry& out) {
    if (&out == current_ && queue_.empty()) {
      current_passed_ = true;
      return;
    }
    if (&out == current_) current_passed_ = false;  // it is queued after the released ones below
    enqueue(out);
  }

  void enqueue(const Entry& entry) {
    HeldEntry held;
    if (!spare_.empty()) {
      held = std::move(spare_.back());
      spare_.pop_back();
    }
    held.take(entry);
    queue_.push_back(std::move(held));
  }

  // The entry last returned by release() went through the rest of the chain: the batchers hold
  // their own references now.
  void recycle_returned() {
    if (!returned_) return;
    returned_->release();
    spare_.push_back(std::move(*returned_));
    returned_.reset();
  }

  LogSelector selector_;
  bool drop_ = false;
  StageChain nested_;
  EntryFn capture_;
  prometheus::Counter* dropped_ = nullptr;
  Entry* current_ = nullptr;
  bool current_passed_ = false;
  std::deque<HeldEntry> queue_;
  std::optional<HeldEntry> returned_;
  std::vector<HeldEntry> spare_;
  Arena flush_arena_{4096};
};

TC_REGISTER_STAGE(MatchStage);

}  // namespace
}  // namespace tailcast::stages
