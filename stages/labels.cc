// `labels` stage: copies extracted values into the entry's stream labels, as Promtail does: nil
// values and values that are not valid UTF-8 are skipped, empty strings are set.
#include <simdjson.h>

#include <string>
#include <vector>

#include "pipeline/stage_registry.h"

namespace tailcast::stages {
namespace {

bool is_label_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Built once per pipeline; owns the label and source names the entries' views point to.
class LabelsStage final : public Stage {
 public:
  static constexpr std::string_view kName = "labels";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    (void)ctx;
    if (node.is_null() || !node.yaml().IsMap() || node.yaml().size() == 0)
      return node.error("expected a map of label names to extracted names");
    auto stage = std::unique_ptr<LabelsStage>(new LabelsStage());
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
      entry.labels.set(mapping.label, field->text);
    }
    return Verdict::kPass;
  }

 private:
  struct Mapping {
    std::string label;
    std::string source;
  };

  LabelsStage() = default;

  std::vector<Mapping> mappings_;
};

TC_REGISTER_STAGE(LabelsStage);

}  // namespace
}  // namespace tailcast::stages
