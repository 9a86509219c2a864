// `json` stage: parses the line (or an extracted value) as a JSON object and puts the values that
// JMESPath-style expressions select into the extracted map, typed as Go's decoder types them.
#include <optional>
#include <string>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"
#include "stages/json_path.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; owns one JsonDocument whose buffers every line reuses.
class JsonStage final : public Stage {
 public:
  static constexpr std::string_view kName = "json";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    auto expressions = reader.string_map("expressions");
    std::optional<std::string> source = reader.string("source");
    const bool drop_malformed = reader.boolean_or("drop_malformed", false);
    if (reader.ok() && expressions.empty())
      reader.fail(reader.has("expressions") ? node.child("expressions") : node,
                  "\"expressions\" is required: a map of extracted names to JSON expressions");
    if (reader.ok() && source && source->empty())
      reader.fail(node.child("source"), "\"source\" must not be empty when given");
    if (auto done = reader.finish(); !done) return done.error();

    auto stage = std::unique_ptr<JsonStage>(new JsonStage());
    for (auto& [name, expression] : expressions) {
      // An empty expression selects the key of the same name.
      auto path = JsonPath::parse(expression.empty() ? name : expression);
      if (!path) return node.child("expressions").child(name).error(path.error().message);
      stage->outputs_.push_back(Output{std::move(name), std::move(*path)});
    }
    stage->source_ = source.value_or("");
    stage->has_source_ = source.has_value();
    stage->drop_malformed_ = drop_malformed;
    if (ctx.metrics) {
      const prometheus::Labels labels{{"stage", "json"}, {"reason", "malformed_json"}};
      stage->malformed_ = drop_malformed ? &ctx.metrics->stage_dropped.Add(labels)
                                         : &ctx.metrics->stage_unparsed.Add(labels);
    }
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    std::string_view text = entry.line;
    if (has_source_) {
      const Field* field = entry.extracted.get(source_);
      if (!field || field->type == FieldType::kNull) return Verdict::kPass;
      text = field->text;
    }
    if (document_.load(text) == JsonLoad::kMalformed) {
      if (malformed_) malformed_->Increment();
      return drop_malformed_ ? Verdict::kDrop : Verdict::kPass;
    }
    for (const Output& output : outputs_) {
      JsonValue value = document_.evaluate(output.path, arena);
      entry.extracted.set(output.name, value.text, value.type);
    }
    return Verdict::kPass;
  }

 private:
  struct Output {
    std::string name;
    JsonPath path;
  };

  JsonStage() = default;

  std::vector<Output> outputs_;
  JsonDocument document_;
  std::string source_;
  bool has_source_ = false;
  bool drop_malformed_ = false;
  prometheus::Counter* malformed_ = nullptr;
};

TC_REGISTER_STAGE(JsonStage);

}  // namespace
}  // namespace tailcast::stages
