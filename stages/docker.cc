// `docker` stage: Docker's json-file lines ({"log":…,"stream":…,"time":…}) become their message,
// with `stream` as a label and `time` as the timestamp. Promtail defines it as json, labels,
// timestamp and output stages, and so does this file; `log` keeps its trailing newline.
#include "pipeline/stage_registry.h"
#include "stages/inner_stages.h"

namespace tailcast::stages {
namespace {

constexpr std::string_view kDockerStages = R"yaml(
- json:
    expressions:
      output: log
      stream: stream
      timestamp: time
- labels:
    stream:
- timestamp:
    source: timestamp
    format: RFC3339Nano
- output:
    source: output
)yaml";

// Built once per pipeline; holds its inner stages.
class DockerStage final : public Stage {
 public:
  static constexpr std::string_view kName = "docker";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    if (!node.is_null()) {
      // Promtail takes no options here; keys given are ignored with a warning.
      config::ConfigReader reader = ctx.reader(node);
      if (auto done = reader.finish(); !done) return done.error();
    }
    auto inner = build_inner_stages(kDockerStages, node, ctx);
    if (!inner) return std::move(inner).error();
    return StagePtr(new DockerStage(std::move(*inner)));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    return run_inner_stages(inner_, entry, arena) ? Verdict::kPass : Verdict::kDrop;
  }

 private:
  explicit DockerStage(StageChain inner) : inner_(std::move(inner)) {}

  StageChain inner_;
};

TC_REGISTER_STAGE(DockerStage);

}  // namespace
}  // namespace tailcast::stages
