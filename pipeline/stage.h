// Stage: one step of a pipeline_stages list. Stages run on the thread that read the line, in file
// order, and see one Entry at a time. They never block and never throw: a line a stage cannot
// parse is handled by the stage's configured action and counted, it is not an error.
#pragma once

#include <chrono>
#include <concepts>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/arena.h"
#include "pipeline/config/node.h"
#include "pipeline/entry.h"
#include "pipeline/result.h"

namespace tailcast {

class Metrics;

enum class Verdict : uint8_t {
  kPass,  // the entry goes on to the next stage
  kDrop,  // dropped by an explicit rule; counts as delivered for positions
  kHold,  // the stage kept the entry (multiline records); see Stage::release()
};

class Stage {
 public:
  virtual ~Stage() = default;
  // `arena` lives as long as the chunk the entry came from: strings a stage computes go there.
  virtual Verdict process(Entry& entry, Arena& arena) noexcept = 0;

  // Stages that hold entries (kHold) copy what they keep into their own storage and retain the
  // entry's chunks (AckHold) until they hand the finished entry on. After a kHold, and after
  // flush(), the chain calls release() until it returns null and runs each entry it returns
  // through the stages after this one, before calling this stage again. The returned entry stays
  // valid until then.
  virtual Entry* release() noexcept { return nullptr; }
  // Makes held entries due when they waited long enough, or all of them when `everything` (a
  // file ended, shutdown). Called on the pipeline thread on every tick.
  virtual void flush(std::chrono::steady_clock::time_point now, bool everything) noexcept {
    (void)now;
    (void)everything;
  }
};

// What a stage's create() may use besides its own YAML.
struct BuildContext {
  std::vector<std::string>* warnings = nullptr;  // keys Promtail would ignore, named for the user
  Metrics* metrics = nullptr;                     // may be null in unit tests

  // A reader over a stage's options. Promtail ignores unknown keys inside stages, and configs that
  // ran under it rely on that, so such keys become warnings rather than errors.
  config::ConfigReader reader(const config::ConfigNode& node) const {
    config::ConfigReader out(node);
    if (warnings) out.tolerate_unknown_keys(warnings);
    return out;
  }
};

using StagePtr = std::unique_ptr<Stage>;
using StageFactory = Result<StagePtr> (*)(const config::ConfigNode& node, BuildContext& ctx);

template <class T>
concept StageType = std::derived_from<T, Stage> && requires(const config::ConfigNode& node,
                                                            BuildContext& ctx) {
  { T::kName } -> std::convertible_to<std::string_view>;
  { T::create(node, ctx) } -> std::same_as<Result<StagePtr>>;
};

}  // namespace tailcast
