// `replace` stage: rewrites what each capture group of an RE2 expression matched, in the line or
// in an extracted value, with a Go template of the captured text; named groups then hold their
// replacement in the extracted map. Promtail's lookups by captured text are kept (see README).
#include <re2/re2.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"
#include "stages/go_template.h"
#include "stages/go_template_data.h"

namespace tailcast::stages {
namespace {

// Built once per pipeline; process() runs on the pipeline thread and reuses every buffer.
class ReplaceStage final : public Stage {
 public:
  static constexpr std::string_view kName = "replace";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    const std::string expression = reader.required_string("expression");
    std::optional<std::string> source = reader.string("source");
    const std::string replacement = reader.string_or("replace", "");
    if (reader.ok() && source && source->empty())
      reader.fail(node.child("source"), "\"source\" must not be empty when given");
    if (auto done = reader.finish(); !done) return done.error();

    re2::RE2::Options options;
    options.set_log_errors(false);
    auto regex = std::make_unique<re2::RE2>(expression, options);
    if (!regex->ok())
      return node.child("expression")
          .error("could not compile regular expression: " + regex->error());
    auto compiled = GoTemplate::compile(replacement);
    if (!compiled) return node.child("replace").error(compiled.error().message);

    auto stage = std::unique_ptr<ReplaceStage>(new ReplaceStage(std::move(*compiled)));
    for (const auto& [name, index] : regex->NamedCapturingGroups())
      stage->named_.push_back(Named{name, index});
    std::sort(stage->named_.begin(), stage->named_.end(),
              [](const Named& a, const Named& b) { return a.index < b.index; });
    stage->groups_.resize(static_cast<size_t>(regex->NumberOfCapturingGroups()) + 1);
    stage->first_.resize(stage->groups_.size());
    stage->regex_ = std::move(regex);
    stage->source_ = source.value_or("");
    stage->has_source_ = source.has_value();
    if (ctx.metrics) {
      stage->no_match_ =
          &ctx.metrics->stage_unparsed.Add({{"stage", "replace"}, {"reason", "no_match"}});
      stage->failed_ =
          &ctx.metrics->stage_unparsed.Add({{"stage", "replace"}, {"reason", "execution_error"}});
    }
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    data_.reset(entry.extracted);
    std::string_view input = entry.line;
    if (has_source_) {
      const Field* field = entry.extracted.get(source_);
      std::optional<std::string_view> text = field ? data_.text_of(*field) : std::nullopt;
      if (!text) return Verdict::kPass;
      input = *text;
    }
    if (!replace_all(input)) return Verdict::kPass;
    const std::string_view replaced = arena.copy(result_);
    if (has_source_) entry.extracted.set(source_, replaced);
    else entry.line = replaced;
    // Named groups take the replacement of the text they captured in the first match.
    for (const Named& group : named_) {
      const re2::StringPiece& captured = first_[static_cast<size_t>(group.index)];
      if (const Captured* found = lookup(std::string_view(captured.data(), captured.size())))
        entry.extracted.set(group.name, arena.copy(replacement(*found)));
    }
    return Verdict::kPass;
  }

 private:
  struct Named {
    std::string name;
    int index;
  };
  // One captured text and its rendered replacement, in rendered_.
  struct Captured {
    std::string_view text;
    size_t at;
    size_t size;
  };

  explicit ReplaceStage(GoTemplate compiled) : template_(std::move(compiled)) {}

  // Go's FindAllStringSubmatchIndex walk: every match, an empty match right after another skipped.
  // Builds result_ and the captured map; false when nothing matched or the template failed.
  bool replace_all(std::string_view input) {
    result_.clear();
    rendered_.clear();
    captured_.clear();
    const re2::StringPiece text(input.data(), input.size());
    const int count = static_cast<int>(groups_.size());
    size_t pos = 0, copied = 0;
    std::optional<size_t> previous_end;
    bool matched = false;
    while (pos <= input.size()) {
      if (!regex_->Match(text, pos, input.size(), re2::RE2::UNANCHORED, groups_.data(), count))
        break;
      const size_t begin = static_cast<size_t>(groups_[0].data() - input.data());
      const size_t end = begin + groups_[0].size();
      const bool accept = !(end == begin && previous_end && begin == *previous_end);
      if (end == begin) {
        pos = end + std::max<size_t>(1, rune_width(input, end));
      } else {
        pos = end;
      }
      previous_end = end;
      if (!accept) continue;
      if (!matched) std::copy(groups_.begin(), groups_.end(), first_.begin());
      matched = true;
      for (int i = 1; i < count; ++i) {
        const re2::StringPiece& group = groups_[static_cast<size_t>(i)];
        if (!group.data()) continue;  // did not take part
        const size_t group_begin = static_cast<size_t>(group.data() - input.data());
        const std::string_view captured(group.data(), group.size());
        data_.set_value(captured);
        const size_t at = rendered_.size();
        if (!template_.render(data_, scratch_)) {
          if (failed_) failed_->Increment();
          return false;
        }
        rendered_.append(scratch_);
        captured_.push_back(Captured{captured, at, scratch_.size()});
        // A group inside one already replaced has no text of its own left to replace.
        if (group_begin < copied) continue;
        result_.append(input.substr(copied, group_begin - copied));
        result_.append(scratch_);
        copied = group_begin + group.size();
      }
    }
    if (!matched) {
      if (no_match_) no_match_->Increment();
      return false;
    }
    result_.append(input.substr(copied));
    return true;
  }

  // Go keeps the captured map in a Go map: the last replacement of a text wins.
  const Captured* lookup(std::string_view text) const noexcept {
    for (auto it = captured_.rbegin(); it != captured_.rend(); ++it)
      if (it->text == text) return &*it;
    return nullptr;
  }
  std::string_view replacement(const Captured& captured) const noexcept {
    return std::string_view(rendered_).substr(captured.at, captured.size);
  }

  static size_t rune_width(std::string_view text, size_t at) noexcept {
    if (at >= text.size()) return 1;
    const auto byte = static_cast<unsigned char>(text[at]);
    const size_t width = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    return std::min(width, text.size() - at);
  }

  GoTemplate template_;
  std::unique_ptr<re2::RE2> regex_;
  std::vector<Named> named_;
  std::string source_;
  bool has_source_ = false;
  prometheus::Counter* no_match_ = nullptr;
  prometheus::Counter* failed_ = nullptr;

  std::vector<re2::StringPiece> groups_;
  std::vector<re2::StringPiece> first_;  // the first match's groups
  std::vector<Captured> captured_;
  ExtractedData data_;
  std::string result_, rendered_, scratch_;
};

TC_REGISTER_STAGE(ReplaceStage);

}  // namespace
}  // namespace tailcast::stages
