// `labelallow` stage: keeps only the listed labels. Like Promtail it also removes `job` and
// `filename` unless they are listed.
#include <algorithm>
#include <string>
#include <vector>

#include "pipeline/stage_registry.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; holds the names to keep.
class LabelAllowStage final : public Stage {
 public:
  static constexpr std::string_view kName = "labelallow";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    (void)ctx;
    if (node.is_null() || !node.yaml().IsSequence() || node.yaml().size() == 0)
      return node.error("expected a list of label names");
    auto stage = std::unique_ptr<LabelAllowStage>(new LabelAllowStage());
    for (size_t i = 0; i < node.yaml().size(); ++i) {
      config::ConfigNode item = node.element(i);
      auto name = item.scalar();
      if (!name || name->empty()) return item.error("expected a label name");
      stage->names_.push_back(std::move(*name));
    }
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    entry.labels.erase_if([this](const Label& label) {
      return std::find(names_.begin(), names_.end(), label.name) == names_.end();
    });
    return Verdict::kPass;
  }

 private:
  LabelAllowStage() = default;

  std::vector<std::string> names_;
};

TC_REGISTER_STAGE(LabelAllowStage);

}  // namespace
}  // namespace tailcast::stages
