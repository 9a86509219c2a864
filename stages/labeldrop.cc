// `labeldrop` stage: removes the listed labels from every entry.
#include <string>
#include <vector>

#include "pipeline/stage_registry.h"
#include "stages/label_names.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; holds the names to remove.
class LabelDropStage final : public Stage {
 public:
  static constexpr std::string_view kName = "labeldrop";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext&) {
    auto names = read_label_names(node);
    if (!names) return std::move(names).error();
    return StagePtr(new LabelDropStage(std::move(*names)));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    for (const std::string& name : names_) entry.labels.erase(name);
    return Verdict::kPass;
  }

 private:
  explicit LabelDropStage(std::vector<std::string> names) : names_(std::move(names)) {}

  std::vector<std::string> names_;
};

TC_REGISTER_STAGE(LabelDropStage);

}  // namespace
}  // namespace tailcast::stages
