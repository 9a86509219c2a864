// Stages that Promtail defines as a fixed pipeline of other stages (`docker`, `cri`) build that
// pipeline here, from YAML, through the registry, so they behave exactly as those stages do.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <string_view>

#include "pipeline/stage_chain.h"

namespace tailcast::stages {

// `yaml` is a pipeline_stages list; errors (a bug, not the user's) name the outer stage's node.
inline Result<StageChain> build_inner_stages(std::string_view yaml, const config::ConfigNode& at,
                                             BuildContext& ctx) {
  config::ConfigNode list(YAML::Load(std::string(yaml)),
                          std::make_shared<const std::string>(at.file()), at.key_path());
  return StageChain::build(&list, ctx);
}

// Runs `entry` through `chain`; false when an inner stage dropped it.
inline bool run_inner_stages(StageChain& chain, Entry& entry, Arena& arena) noexcept {
  bool passed = false;
  chain.run(entry, arena, [&](Entry&) { passed = true; });
  return passed;
}

}  // namespace tailcast::stages
