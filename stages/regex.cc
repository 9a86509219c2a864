// `regex` stage: matches an RE2 expression against the line (or an extracted value) and puts the
// named groups into the extracted map, as views into the matched text.
#include <re2/re2.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; process() runs on the pipeline thread and reuses the capture array.
class RegexStage final : public Stage {
 public:
  static constexpr std::string_view kName = "regex";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    const std::string expression = reader.required_string("expression");
    std::optional<std::string> source = reader.string("source");
    if (reader.ok() && source && source->empty())
      reader.fail(node.child("source"), "\"source\" must not be empty when given");
    if (auto done = reader.finish(); !done) return done.error();

    re2::RE2::Options options;
    options.set_log_errors(false);
    auto regex = std::make_unique<re2::RE2>(expression, options);
    if (!regex->ok())
      return node.child("expression")
          .error("could not compile regular expression: " + regex->error());

    auto stage = std::unique_ptr<RegexStage>(new RegexStage());
    int highest = 0;
    // Go's FindStringSubmatch sets every named group, in group order.
    std::vector<std::pair<int, std::string>> groups;
    for (const auto& [name, index] : regex->NamedCapturingGroups())
      groups.emplace_back(index, name);
    std::sort(groups.begin(), groups.end());
    for (auto& [index, name] : groups) {
      stage->groups_.push_back(Group{std::move(name), index});
      highest = std::max(highest, index);
    }
    stage->captures_.resize(static_cast<size_t>(highest) + 1);
    stage->regex_ = std::move(regex);
    stage->source_ = source.value_or("");
    stage->has_source_ = source.has_value();
    if (ctx.metrics)
      stage->no_match_ =
          &ctx.metrics->stage_unparsed.Add({{"stage", "regex"}, {"reason", "no_match"}});
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    std::string_view text = entry.line;
    if (has_source_) {
      const Field* field = entry.extracted.get(source_);
      if (!field || field->type == FieldType::kNull) return Verdict::kPass;
      text = field->text;
    }
    if (!regex_->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                       re2::RE2::UNANCHORED, captures_.data(),
                       static_cast<int>(captures_.size()))) {
      if (no_match_) no_match_->Increment();
      return Verdict::kPass;
    }
    for (const Group& group : groups_) {
      const re2::StringPiece& capture = captures_[static_cast<size_t>(group.index)];
      // A group that did not take part yields "", as in Go.
      entry.extracted.set(group.name, std::string_view(capture.data(), capture.size()));
    }
    return Verdict::kPass;
  }

 private:
  struct Group {
    std::string name;
    int index;
  };

  RegexStage() = default;

  std::unique_ptr<re2::RE2> regex_;
  std::vector<Group> groups_;
  std::vector<re2::StringPiece> captures_;
  std::string source_;
  bool has_source_ = false;
  prometheus::Counter* no_match_ = nullptr;
};

TC_REGISTER_STAGE(RegexStage);

}  // namespace
}  // namespace tailcast::stages
