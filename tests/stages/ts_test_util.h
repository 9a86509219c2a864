// Builds one stage from a YAML snippet through the StageRegistry, the path the config loader
// takes, for the timestamp, drop and decolorize tests.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"

namespace tailcast::ts_testing {

// `yaml` is one pipeline_stages item without its dash, e.g. "drop:\n  source: level".
inline Result<StagePtr> make_stage(std::string_view yaml, Metrics* metrics = nullptr) {
  static const auto file = std::make_shared<const std::string>("pipeline.yaml");
  config::ConfigNode item(YAML::Load(std::string(yaml)), file, "pipeline_stages[0]");
  if (!item.yaml().IsMap() || item.yaml().size() != 1) return item.error("not a stage");
  const std::string name = item.yaml().begin()->first.Scalar();
  StageFactory factory = StageRegistry::find(name);
  if (!factory) return item.error("unknown stage \"" + name + "\"");
  std::vector<std::string> warnings;
  BuildContext ctx{&warnings, metrics};
  return factory(item.child(name), ctx);
}

// The error of a build expected to fail; "" if it built.
inline std::string make_stage_error(std::string_view yaml) {
  auto stage = make_stage(yaml);
  return stage ? std::string() : stage.error().message;
}

}  // namespace tailcast::ts_testing
