// `static_labels` stage: sets fixed labels on every entry. They override labels of the same name
// from the target; names with an empty value are skipped, as Promtail does.
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

// Built once per pipeline; owns the names and values the entries' label views point to.
class StaticLabelsStage final : public Stage {
 public:
  static constexpr std::string_view kName = "static_labels";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    (void)ctx;
    if (node.is_null() || !node.yaml().IsMap() || node.yaml().size() == 0)
      return node.error("expected a map of label names to values");
    auto stage = std::unique_ptr<StaticLabelsStage>(new StaticLabelsStage());
    for (const auto& pair : node.yaml()) {
      const std::string name = pair.first.Scalar();
      if (!is_label_name(name))
        return node.child(name).error("invalid label name \"" + name + "\"");
      if (!pair.second.IsNull() && !pair.second.IsScalar())
        return node.child(name).error("expected a string value");
      std::string value = pair.second.IsNull() ? "" : pair.second.Scalar();
      if (value.empty()) continue;
      stage->labels_.push_back(StaticLabel{name, std::move(value)});
    }
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    for (const StaticLabel& label : labels_) entry.labels.set(label.name, label.value);
    return Verdict::kPass;
  }

 private:
  struct StaticLabel {
    std::string name;
    std::string value;
  };

  StaticLabelsStage() = default;

  std::vector<StaticLabel> labels_;
};

TC_REGISTER_STAGE(StaticLabelsStage);

}  // namespace
}  // namespace tailcast::stages
