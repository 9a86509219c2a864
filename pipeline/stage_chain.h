// StageChain: a scrape config's pipeline_stages, built once through the StageRegistry and run on
// every entry in order. It also carries out the hold/release protocol of multiline stages.
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "pipeline/stage.h"

namespace tailcast {

class StageInspector;

// Receives every entry that passed all stages. Called on the pipeline thread.
using EntryFn = std::function<void(Entry&)>;

class StageChain {
 public:
  StageChain() = default;
  // `stages` is the pipeline_stages list (each item a one-key map, `- docker:` with a null body
  // allowed); a null node builds an empty chain.
  static Result<StageChain> build(const config::ConfigNode* stages, BuildContext& ctx);

  // Runs `entry` through every stage and hands it to `deliver` unless a stage dropped or held it.
  // Returns false when the entry itself was dropped.
  bool run(Entry& entry, Arena& arena, const EntryFn& deliver) noexcept;
  // Releases held entries that are due (or all of them) through the rest of the chain.
  void flush(std::chrono::steady_clock::time_point now, bool everything, Arena& arena,
             const EntryFn& deliver) noexcept;

  // -inspect: shows `inspector` every entry before and after each stage; null (the default) turns
  // it off. The inspector must outlive the chain's use.
  void set_inspector(StageInspector* inspector) noexcept { inspector_ = inspector; }

  size_t size() const noexcept { return stages_.size(); }
  const std::vector<std::string>& names() const noexcept { return names_; }

 private:
  bool run_from(size_t first, Entry& entry, Arena& arena, const EntryFn& deliver) noexcept;
  void drain_released(size_t index, Arena& arena, const EntryFn& deliver) noexcept;

  std::vector<StagePtr> stages_;
  std::vector<std::string> names_;
  StageInspector* inspector_ = nullptr;
};

}  // namespace tailcast
