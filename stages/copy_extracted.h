// The `labels` and `structured_metadata` stages share their behaviour: copy extracted values into
// one of the entry's label sets, as Promtail does — nil values and values that are not valid UTF-8
// are skipped, empty strings are set.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "pipeline/stage.h"

namespace tailcast::stages {

inline bool is_label_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Built once per pipeline; owns the names the entries' views point to. `Target` says which of the
// entry's label sets receives the values and how the stage is named in YAML.
template <class Target>
class CopyExtractedStage final : public Stage {
 public:
  static constexpr std::string_view kName = Target::kName;

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    (void)ctx;
    if (node.is_null() || !node.yaml().IsMap() || node.yaml().size() == 0)
      return node.error(std::string("expected a map of ") + std::string(Target::kWhat) +
                        " names to extracted names");
    auto stage = std::unique_ptr<CopyExtractedStage>(new CopyExtractedStage());
    for (const auto& pair : node.yaml()) {
      const std::string name = pair.first.Scalar();
      if (!is_label_name(name))
        return node.child(name).error("invalid label name \"" + name + "\"");
      if (!pair.second.IsNull() && !pair.second.IsScalar())
        return node.child(name).error("expected the name of an extracted value");
      std::string source = pair.second.IsNull() ? "" : pair.second.Scalar();
      stage->mappings_.push_back(Mapping{name, source.empty() ? name : std::move(source)});
    }
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    for (const Mapping& mapping : mappings_) {
      const Field* field = entry.extracted.get(mapping.source);
      if (!field || field->type == FieldType::kNull) continue;
      if (!simdjson::validate_utf8(field->text.data(), field->text.size())) continue;
      (entry.*Target::kSet).set(mapping.label, field->text);
    }
    return Verdict::kPass;
  }

 private:
  struct Mapping {
    std::string label;
    std::string source;
  };

  CopyExtractedStage() = default;

  std::vector<Mapping> mappings_;
};

}  // namespace tailcast::stages
