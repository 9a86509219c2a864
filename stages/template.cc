// `template` stage: renders a Go template over the extracted map and stores the result under
// `source`, as Promtail does: an empty result deletes the key, an execution error leaves it.
#include <string>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"
#include "stages/go_template.h"
#include "stages/go_template_data.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; the template is compiled here and rendered on the pipeline thread into
// a buffer reused from line to line.
class TemplateStage final : public Stage {
 public:
  static constexpr std::string_view kName = "template";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    std::string source = reader.required_string("source");
    std::string text = reader.required_string("template");
    if (reader.ok() && source.empty())
      reader.fail(node.child("source"), "\"source\" must not be empty");
    if (auto done = reader.finish(); !done) return done.error();
    auto compiled = GoTemplate::compile(text);
    if (!compiled) return node.child("template").error(compiled.error().message);
    auto stage = std::unique_ptr<TemplateStage>(new TemplateStage(std::move(*compiled)));
    stage->source_ = std::move(source);
    if (ctx.metrics)
      stage->failed_ = &ctx.metrics->stage_unparsed.Add(
          {{"stage", "template"}, {"reason", "execution_error"}});
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    data_.reset(entry.extracted);
    if (const Field* field = entry.extracted.get(source_)) {
      if (auto text = data_.text_of(*field)) data_.set_value(*text);
    }
    data_.set_entry(entry.line);
    if (!template_.render(data_, rendered_)) {
      if (failed_) failed_->Increment();
      return Verdict::kPass;
    }
    if (rendered_.empty()) {
      entry.extracted.erase(source_);
    } else {
      entry.extracted.set(source_, arena.copy(rendered_));
    }
    return Verdict::kPass;
  }

 private:
  explicit TemplateStage(GoTemplate compiled) : template_(std::move(compiled)) {}

  GoTemplate template_;
  std::string source_;
  ExtractedData data_;
  std::string rendered_;
  prometheus::Counter* failed_ = nullptr;
};

TC_REGISTER_STAGE(TemplateStage);

}  // namespace
}  // namespace tailcast::stages
