// `labelallow` stage: keeps only the listed labels. Like Promtail it also removes `job` and
// `filename` unless they are listed.
#include <algorithm>
#include <string>
#include <vector>

#include "pipeline/stage_registry.h"
#include "stages/label_names.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; holds the names to keep.
class LabelAllowStage final : public Stage {
 public:
  static constexpr std::string_view kName = "labelallow";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext&) {
    auto names = read_label_names(node);
    if (!names) return std::move(names).error();
    return StagePtr(new LabelAllowStage(std::move(*names)));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    entry.labels.erase_if([this](const Label& label) {
      return std::find(names_.begin(), names_.end(), label.name) == names_.end();
    });
    return Verdict::kPass;
  }

 private:
  explicit LabelAllowStage(std::vector<std::string> names) : names_(std::move(names)) {}

  std::vector<std::string> names_;
};

TC_REGISTER_STAGE(LabelAllowStage);

}  // namespace
}  // namespace tailcast::stages
