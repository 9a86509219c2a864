// `labeldrop` stage: removes the listed labels from every entry.
#include <string>
#include <vector>

#include "pipeline/stage_registry.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; holds the names to remove.
class LabelDropStage final : public Stage {
 public:
  static constexpr std::string_view kName = "labeldrop";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    (void)ctx;
    if (node.is_null() || !node.yaml().IsSequence() || node.yaml().size() == 0)
      return node.error("expected a list of label names");
    auto stage = std::unique_ptr<LabelDropStage>(new LabelDropStage());
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
    for (const std::string& name : names_) entry.labels.erase(name);
    return Verdict::kPass;
  }

 private:
  LabelDropStage() = default;

  std::vector<std::string> names_;
};

TC_REGISTER_STAGE(LabelDropStage);

}  // namespace
}  // namespace tailcast::stages
