// `decolorize` stage: strips ANSI escape sequences (colours, cursor movement, window titles) from
// the line with the pattern Promtail uses, so later stages parse plain text. The line is rewritten
// into the arena only when it held a sequence.
#include <re2/re2.h>

#include <memory>
#include <string>

#include "pipeline/stage_registry.h"

namespace tailcast::stages {
namespace {

// Promtail's pattern (from the stripansi package): ESC or the 8-bit CSI, optional intermediates,
// then either an OSC-like run ended by BEL or a CSI with up to 4-digit parameters and a final
// byte. OSC sequences ended by ESC \ are only partly removed, as in Promtail.
constexpr const char* kAnsiPattern =
    R"([\x1b\x{9b}][[\]()#;?]*(?:(?:(?:[a-zA-Z\d]*(?:;[a-zA-Z\d]*)*)?\x07))"
    R"(|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PRZcf-ntqry=><~])))";

class DecolorizeStage final : public Stage {
 public:
  static constexpr std::string_view kName = "decolorize";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    if (auto done = reader.finish(); !done) return done.error();
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto stage = std::unique_ptr<DecolorizeStage>(new DecolorizeStage());
    stage->regex_ = std::make_unique<re2::RE2>(kAnsiPattern, options);
    if (!stage->regex_->ok())
      return make_error(Errc::kInternal, "decolorize pattern: " + stage->regex_->error());
    stage->out_.reserve(1024);
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    const std::string_view line = entry.line;
    // Most lines carry no escape at all; skip the regex for them.
    if (line.find('\x1b') == std::string_view::npos &&
        line.find("\xc2\x9b") == std::string_view::npos)
      return Verdict::kPass;
    const re2::StringPiece text(line.data(), line.size());
    re2::StringPiece match;
    size_t pos = 0;
    bool changed = false;
    out_.clear();
    while (pos < line.size() &&
           regex_->Match(text, pos, line.size(), re2::RE2::UNANCHORED, &match, 1)) {
      const size_t begin = static_cast<size_t>(match.data() - line.data());
      out_.append(line.substr(pos, begin - pos));
      pos = begin + match.size();
      changed = true;
    }
    if (!changed) return Verdict::kPass;
    out_.append(line.substr(pos));
    entry.line = arena.copy(out_);
    return Verdict::kPass;
  }

 private:
  DecolorizeStage() = default;

  std::unique_ptr<re2::RE2> regex_;
  std::string out_;  // reused for every line
};

TC_REGISTER_STAGE(DecolorizeStage);

}  // namespace
}  // namespace tailcast::stages
