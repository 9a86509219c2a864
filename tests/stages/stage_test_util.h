// Stage tests build stages from YAML through the StageRegistry, the path the config loader takes,
// and run lines through them with an arena that lives as long as the test.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/stage_chain.h"
#include "pipeline/stage_registry.h"

namespace tailcast::testing {

inline const std::shared_ptr<const std::string>& test_config_file() {
  static const auto file = std::make_shared<const std::string>("test.yaml");
  return file;
}

// `yaml` is one item of pipeline_stages without the dash, e.g. "regex:\n  expression: '(?P<a>.)'".
// The stage's node gets the key path "pipeline_stages[0].<name>" as in a real config.
inline Result<StagePtr> build_stage(std::string_view yaml, BuildContext& ctx) {
  config::ConfigNode item(YAML::Load(std::string(yaml)), test_config_file(), "pipeline_stages[0]");
  if (!item.yaml().IsMap() || item.yaml().size() != 1)
    return item.error("a stage is a map with exactly one key");
  const std::string name = item.yaml().begin()->first.Scalar();
  StageFactory factory = StageRegistry::find(name);
  if (!factory) return item.error("unknown stage \"" + name + "\"");
  return factory(item.child(name), ctx);
}

// The message of a build that must fail, or "" when it unexpectedly succeeds.
inline std::string build_error(std::string_view yaml) {
  std::vector<std::string> warnings;
  BuildContext ctx{&warnings, nullptr};
  auto stage = build_stage(yaml, ctx);
  return stage ? std::string() : stage.error().message;
}

// One stage and the entry it works on. Lines are copied into the runner's arena, so a test may
// pass temporaries; the entry and every view it holds stay valid until the next line.
class StageRunner {
 public:
  explicit StageRunner(std::string_view yaml, Metrics* metrics = nullptr) {
    BuildContext ctx{&warnings_, metrics};
    auto stage = build_stage(yaml, ctx);
    if (stage) {
      stage_ = std::move(*stage);
    } else {
      error_ = stage.error().message;
      ADD_FAILURE() << "stage did not build: " << error_;
    }
  }

  bool built() const noexcept { return stage_ != nullptr; }
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }

  // Starts a fresh entry for `line`; set labels or extracted values on it before process().
  Entry& next(std::string_view line) {
    entry_.clear();
    entry_.line = arena_.copy(line);
    return entry_;
  }
  Verdict process() { return stage_ ? stage_->process(entry_, arena_) : Verdict::kDrop; }
  Verdict run(std::string_view line) {
    next(line);
    return process();
  }

  Entry& entry() noexcept { return entry_; }
  Arena& arena() noexcept { return arena_; }

 private:
  std::vector<std::string> warnings_;
  std::string error_;
  StagePtr stage_;
  Arena arena_;
  Entry entry_;
};

// A whole pipeline_stages list, run through StageChain as the pipeline runs it.
class ChainRunner {
 public:
  explicit ChainRunner(std::string_view yaml_list, Metrics* metrics = nullptr) {
    config::ConfigNode list(YAML::Load(std::string(yaml_list)), test_config_file(),
                            "pipeline_stages");
    BuildContext ctx{&warnings_, metrics};
    auto chain = StageChain::build(&list, ctx);
    if (chain) {
      chain_ = std::move(*chain);
    } else {
      ADD_FAILURE() << "chain did not build: " << chain.error().message;
    }
  }

  // True when the entry came out of the last stage; entry() then shows it.
  bool run(std::string_view line) {
    entry_.clear();
    entry_.line = arena_.copy(line);
    bool delivered = false;
    chain_.run(entry_, arena_, [&](Entry&) { delivered = true; });
    return delivered;
  }
  Entry& entry() noexcept { return entry_; }

 private:
  std::vector<std::string> warnings_;
  StageChain chain_;
  Arena arena_;
  Entry entry_;
};

inline std::optional<std::string> extracted_text(const Entry& entry, std::string_view name) {
  const Field* field = entry.extracted.get(name);
  if (!field) return std::nullopt;
  return std::string(field->text);
}

inline std::optional<FieldType> extracted_type(const Entry& entry, std::string_view name) {
  const Field* field = entry.extracted.get(name);
  if (!field) return std::nullopt;
  return field->type;
}

inline std::optional<std::string> label(const LabelSet& labels, std::string_view name) {
  const std::string_view* value = labels.get(name);
  if (!value) return std::nullopt;
  return std::string(*value);
}

inline double counter_value(prometheus::Family<prometheus::Counter>& family,
                            const prometheus::Labels& labels) {
  return family.Add(labels).Value();
}

}  // namespace tailcast::testing
