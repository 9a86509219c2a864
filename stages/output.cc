// `output` stage: replaces the line with an extracted value. A missing or nil value leaves the
// line as it is; an empty string empties it, as in Promtail.
#include <string>

#include "pipeline/stage_registry.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; holds only the source name.
class OutputStage final : public Stage {
 public:
  static constexpr std::string_view kName = "output";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    std::string source = reader.required_string("source");
    if (auto done = reader.finish(); !done) return done.error();
    auto stage = std::unique_ptr<OutputStage>(new OutputStage());
    stage->source_ = std::move(source);
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    const Field* field = entry.extracted.get(source_);
    if (field && field->type != FieldType::kNull) entry.line = field->text;
    return Verdict::kPass;
  }

 private:
  OutputStage() = default;

  std::string source_;
};

TC_REGISTER_STAGE(OutputStage);

}  // namespace
}  // namespace tailcast::stages
