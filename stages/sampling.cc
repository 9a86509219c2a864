// `sampling` stage: keeps each entry with probability `rate` (0 < rate <= 1) and drops the rest,
// counted in logentry_dropped_lines_total under `drop_counter_reason`. Like Promtail it compares
// a random 63-bit number with rate * 2^63. `seed` (a tailcast addition) makes the choice
// reproducible; without it every start samples differently, as Promtail does.
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"

namespace tailcast::stages {
namespace {

constexpr uint64_t kMaxRandom = ~(uint64_t{1} << 63);

// Built once per pipeline; runs on the pipeline thread.
class SamplingStage final : public Stage {
 public:
  static constexpr std::string_view kName = "sampling";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    const double rate = reader.number_or("rate", 0);
    std::string reason = reader.string_or("drop_counter_reason", "");
    const bool seeded = reader.has("seed");
    const int64_t seed = reader.integer_or("seed", 0);
    if (auto done = reader.finish(); !done) return done.error();
    if (!(rate > 0 && rate <= 1))
      return (reader.has("rate") ? node.child("rate") : node)
          .error("sampling stage failed to parse rate, Sampling Rate must be between 0.0 and 1.0, "
                 "received " + std::to_string(rate));
    if (reason.empty()) reason = "sampling_stage";

    auto stage = std::unique_ptr<SamplingStage>(new SamplingStage());
    stage->boundary_ = static_cast<uint64_t>(static_cast<double>(kMaxRandom) * rate);
    if (rate >= 1) stage->boundary_ = kMaxRandom;
    stage->random_.seed(seeded ? static_cast<uint64_t>(seed) : std::random_device{}());
    if (ctx.metrics) stage->dropped_ = &ctx.metrics->stage_dropped.Add({{"reason", reason}});
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)entry;
    (void)arena;
    if ((random_() & kMaxRandom) <= boundary_) return Verdict::kPass;
    if (dropped_) dropped_->Increment();
    return Verdict::kDrop;
  }

 private:
  SamplingStage() = default;

  uint64_t boundary_ = kMaxRandom;
  std::mt19937_64 random_;
  prometheus::Counter* dropped_ = nullptr;
};

TC_REGISTER_STAGE(SamplingStage);

}  // namespace
}  // namespace tailcast::stages
