// `drop` stage: drops an entry when every configured condition holds (longer_than, older_than,
// source keys present, their joined values equal to `value` or matching `expression`, or the line
// matching it without a source) and counts it under `drop_counter_reason`.
#include <re2/re2.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"
#include "stages/go_time_layout.h"

namespace tailcast::stages {
namespace {

class DropStage final : public Stage {
 public:
  static constexpr std::string_view kName = "drop";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    auto given = [&](const std::string& key) {
      return reader.has(key) && !node.child(key).is_null();
    };
    auto stage = std::unique_ptr<DropStage>(new DropStage());
    stage->has_source_ = given("source");
    stage->sources_ = reader.string_list("source");
    stage->separator_ = reader.string_or("separator", ";");
    stage->value_ = reader.string("value");
    std::optional<std::string> expression = reader.string("expression");
    stage->has_older_than_ = given("older_than");
    stage->older_than_ = reader.duration_or("older_than", std::chrono::nanoseconds(0));
    stage->has_longer_than_ = given("longer_than");
    stage->longer_than_ = reader.bytes_or("longer_than", 0);
    std::string reason = reader.string_or("drop_counter_reason", "");
    if (auto done = reader.finish(); !done) return done.error();

    if (!stage->has_source_ && !expression && !stage->has_older_than_ && !stage->has_longer_than_)
      return node.error(
          "drop stage config must contain at least one of `source`, `expression`, `older_than` "
          "or `longer_than`");
    if (stage->value_ && !stage->has_source_)
      return node.child("value").error("`value` needs `source`: it is compared with the source");
    if (stage->value_ && expression)
      return node.child("value").error("`value` and `expression` cannot both be defined");
    if (expression) {
      re2::RE2::Options options;
      options.set_log_errors(false);
      stage->regex_ = std::make_unique<re2::RE2>(*expression, options);
      if (!stage->regex_->ok())
        return node.child("expression")
            .error("could not compile regular expression: " + stage->regex_->error());
    }
    if (reason.empty()) reason = "drop_stage";
    if (ctx.metrics) stage->dropped_ = &ctx.metrics->stage_dropped.Add({{"reason", reason}});
    stage->joined_.reserve(256);
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    if (!should_drop(entry)) return Verdict::kPass;
    if (dropped_) dropped_->Increment();
    return Verdict::kDrop;
  }

 private:
  DropStage() = default;

  // Conditions are ANDed; the cheapest are checked first so most lines leave early.
  bool should_drop(const Entry& entry) noexcept {
    if (has_longer_than_ && entry.line.size() <= longer_than_) return false;
    if (has_older_than_) {
      const auto now = std::chrono::system_clock::now().time_since_epoch();
      const int64_t cutoff =
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - older_than_).count();
      if (entry.timestamp_ns >= cutoff) return false;
    }
    const bool compares = value_.has_value() || regex_ != nullptr;
    if (has_source_ && !compares) {
      for (const std::string& source : sources_)
        if (!entry.extracted.get(source)) return false;
      return true;
    }
    if (!compares) return true;
    if (!has_source_) return re2::RE2::PartialMatch(to_piece(entry.line), *regex_);
    // Present sources are joined with the separator; absent ones are left out (Promtail's rule).
    joined_.clear();
    bool first = true;
    for (const std::string& source : sources_) {
      const Field* field = entry.extracted.get(source);
      if (!field) continue;
      // Promtail cannot turn null or an object into a string and then keeps the line.
      if (field->type == FieldType::kNull || field->type == FieldType::kJson) return false;
      std::string_view text = field->text;
      if (field->type == FieldType::kNumber) text = go_float_text(text, number_, sizeof number_);
      if (!first) joined_ += separator_;
      joined_ += text;
      first = false;
    }
    if (value_) return joined_ == *value_;
    return re2::RE2::PartialMatch(to_piece(joined_), *regex_);
  }

  static re2::StringPiece to_piece(std::string_view text) noexcept {
    return re2::StringPiece(text.data(), text.size());
  }

  bool has_source_ = false;
  std::vector<std::string> sources_;
  std::string separator_;
  std::optional<std::string> value_;
  std::unique_ptr<re2::RE2> regex_;
  bool has_older_than_ = false;
  std::chrono::nanoseconds older_than_{0};
  bool has_longer_than_ = false;
  uint64_t longer_than_ = 0;
  prometheus::Counter* dropped_ = nullptr;
  std::string joined_;  // reused for every line
  char number_[400];
};

TC_REGISTER_STAGE(DropStage);

}  // namespace
}  // namespace tailcast::stages
