// `tenant` stage: sets the tenant an entry is sent as, from an extracted value, a label or a fixed
// value. An empty or missing result leaves the client's tenant in place.
#include <optional>
#include <string>

#include "pipeline/stage_registry.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; owns the fixed value the entries' tenant view may point to.
class TenantStage final : public Stage {
 public:
  static constexpr std::string_view kName = "tenant";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    const std::string source = reader.string_or("source", "");
    const std::string label = reader.string_or("label", "");
    const std::string value = reader.string_or("value", "");
    const int given = !source.empty() + !label.empty() + !value.empty();
    if (reader.ok() && given == 0)
      reader.fail(node, "one of \"source\", \"label\" or \"value\" is required");
    if (reader.ok() && given > 1)
      reader.fail(node, "only one of \"source\", \"label\" or \"value\" may be set");
    if (auto done = reader.finish(); !done) return done.error();

    auto stage = std::unique_ptr<TenantStage>(new TenantStage());
    stage->kind_ = !source.empty() ? Kind::kSource : !label.empty() ? Kind::kLabel : Kind::kValue;
    stage->text_ = !source.empty() ? source : !label.empty() ? label : value;
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    std::string_view tenant;
    switch (kind_) {
      case Kind::kSource: {
        const Field* field = entry.extracted.get(text_);
        if (!field || field->type == FieldType::kNull) return Verdict::kPass;
        tenant = field->text;
        break;
      }
      case Kind::kLabel: {
        const std::string_view* label = entry.labels.get(text_);
        if (!label) return Verdict::kPass;
        tenant = *label;
        break;
      }
      case Kind::kValue:
        tenant = text_;
        break;
    }
    if (!tenant.empty()) entry.tenant = tenant;
    return Verdict::kPass;
  }

 private:
  enum class Kind : uint8_t { kSource, kLabel, kValue };

  TenantStage() = default;

  Kind kind_ = Kind::kValue;
  std::string text_;  // the extracted name, the label name or the tenant itself
};

TC_REGISTER_STAGE(TenantStage);

}  // namespace
}  // namespace tailcast::stages
