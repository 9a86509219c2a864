#include "pipeline/stage_chain.h"

#include "pipeline/stage_inspector.h"
#include "pipeline/stage_registry.h"

namespace tailcast {

Result<StageChain> StageChain::build(const config::ConfigNode* stages, BuildContext& ctx) {
  StageChain chain;
  if (!stages || stages->is_null()) return chain;
  if (!stages->yaml().IsSequence()) return stages->error("expected a list of stages");
  for (size_t i = 0; i < stages->yaml().size(); ++i) {
    config::ConfigNode item = stages->element(i);
    if (!item.yaml().IsMap() || item.yaml().size() != 1)
      return item.error("each stage is a map with exactly one key, the stage's name");
    const std::string name = item.yaml().begin()->first.Scalar();
    StageFactory factory = StageRegistry::find(name);
    if (!factory) {
      std::string hint = StageRegistry::closest(name);
      config::ConfigNode key(item.yaml().begin()->first,
                             std::make_shared<const std::string>(item.file()),
                             item.child(name).key_path());
      return key.error("unknown stage \"" + name + "\"" +
                                    (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
    auto stage = factory(item.child(name), ctx);
    if (!stage) return std::move(stage).error();
    chain.stages_.push_back(std::move(*stage));
    chain.names_.push_back(name);
  }
  return chain;
}

bool StageChain::run(Entry& entry, Arena& arena, const EntryFn& deliver) noexcept {
  return run_from(0, entry, arena, deliver);
}

bool StageChain::run_from(size_t first, Entry& entry, Arena& arena,
                          const EntryFn& deliver) noexcept {
  for (size_t i = first; i < stages_.size(); ++i) {
    if (inspector_) inspector_->before(entry);
    const Verdict verdict = stages_[i]->process(entry, arena);
    if (inspector_) inspector_->after(names_[i], entry, verdict);
    switch (verdict) {
      case Verdict::kPass:
        continue;
      case Verdict::kDrop:
        return false;
      case Verdict::kHold:
        drain_released(i, arena, deliver);
        return true;
    }
  }
  deliver(entry);
  return true;
}

void StageChain::drain_released(size_t index, Arena& arena, const EntryFn& deliver) noexcept {
  while (Entry* released = stages_[index]->release()) run_from(index + 1, *released, arena, deliver);
}

void StageChain::flush(std::chrono::steady_clock::time_point now, bool everything, Arena& arena,
                       const EntryFn& deliver) noexcept {
  // Front to back: entries a stage releases may be held again by a later multiline stage, which
  // is then flushed in the same pass.
  for (size_t i = 0; i < stages_.size(); ++i) {
    stages_[i]->flush(now, everything);
    drain_released(i, arena, deliver);
  }
}

}  // namespace tailcast
