// `cri` stage: CRI-O and containerd lines (`<time> <stream> <P|F> <message>`) become their
// message, with `stream` as a label and `time` as the timestamp. Partial (`P`) lines of a label
// set are held and joined to the full (`F`) line that ends them, which lends the entry its fields
// and timestamp; at most `max_partial_lines` label sets wait at once, as in Promtail.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipeline/stage_registry.h"
#include "stages/held_record.h"
#include "stages/inner_stages.h"

namespace tailcast::stages {
namespace {

constexpr std::string_view kCriStages = R"yaml(
- regex:
    expression: "^(?s)(?P<time>\\S+?) (?P<stream>stdout|stderr) (?P<flags>\\S+?) (?P<content>.*)$"
- labels:
    stream:
- timestamp:
    source: time
    format: RFC3339Nano
- output:
    source: content
)yaml";

constexpr int64_t kDefaultMaxPartialLines = 100;

// Built once per pipeline; partial lines wait in records that retain their chunks.
class CriStage final : public Stage {
 public:
  static constexpr std::string_view kName = "cri";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    int64_t max_lines = reader.integer_or("max_partial_lines", kDefaultMaxPartialLines);
    const uint64_t max_size = reader.bytes_or("max_partial_line_size", 0);
    const bool truncate = reader.boolean_or("max_partial_line_size_truncate", false);
    if (reader.ok() && max_lines < 0)
      reader.fail(node.child("max_partial_lines"), "\"max_partial_lines\" must not be negative");
    if (reader.ok() && truncate && max_size == 0)
      reader.fail(node.child("max_partial_line_size_truncate"),
                  "\"max_partial_line_size_truncate\" needs a positive \"max_partial_line_size\"");
    if (auto done = reader.finish(); !done) return done.error();
    auto inner = build_inner_stages(kCriStages, node, ctx);
    if (!inner) return std::move(inner).error();
    auto stage = std::unique_ptr<CriStage>(new CriStage(std::move(*inner)));
    stage->max_partial_lines_ = static_cast<size_t>(max_lines == 0 ? kDefaultMaxPartialLines : max_lines);
    stage->max_line_size_ = truncate ? max_size : 0;
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    queue_.finish_returned();
    if (!run_inner_stages(inner_, entry, arena)) return Verdict::kDrop;
    const Field* flags = entry.extracted.get("flags");
    const bool partial = flags && flags->type == FieldType::kString && flags->text == "P";
    label_key(entry.labels, sorted_, key_);
    auto found = pending_.find(std::string_view(key_));
    if (found != pending_.end() && !found->second->same_generation(entry)) {
      queue_.make_due(found->second);
      pending_.erase(found);
      found = pending_.end();
    }
    if (!partial) {
      if (found == pending_.end()) return Verdict::kPass;
      // The full line ends the partial ones: its fields, their text before its own.
      HeldRecord* record = found->second;
      pending_.erase(found);
      join(*record, entry);
      queue_.make_due(record);
      return Verdict::kHold;
    }
    if (found == pending_.end() && pending_.size() >= max_partial_lines_) {
      // Too many label sets wait: Promtail sends them all as they are.
      for (auto& [key, record] : pending_) queue_.make_due(record);
      pending_.clear();
    }
    if (found == pending_.end()) found = pending_.emplace(key_, queue_.acquire()).first;
    join(*found->second, entry);
    return Verdict::kHold;
  }

  Entry* release() noexcept override { return queue_.release(); }

  // Promtail waits for the full line for ever; tailcast hands partial lines on when their file
  // ends or at shutdown, so that their chunks can be acknowledged.
  void flush(std::chrono::steady_clock::time_point now, bool everything) noexcept override {
    (void)now;
    if (!everything) return;
    for (auto& [key, record] : pending_) queue_.make_due(record);
    pending_.clear();
  }

 private:
  explicit CriStage(StageChain inner) : inner_(std::move(inner)) {}

  void join(HeldRecord& record, const Entry& entry) {
    record.copy_fields(entry);
    record.append_line(entry.line, false);
    if (max_line_size_ > 0 && record.line.size() > max_line_size_) record.line.resize(max_line_size_);
    record.retain(entry);
  }

  StageChain inner_;
  size_t max_partial_lines_ = kDefaultMaxPartialLines;
  size_t max_line_size_ = 0;  // 0: no truncation

  std::unordered_map<std::string, HeldRecord*, KeyHash, std::equal_to<>> pending_;
  RecordQueue queue_;
  std::vector<const Label*> sorted_;
  std::string key_;
};

TC_REGISTER_STAGE(CriStage);

}  // namespace
}  // namespace tailcast::stages
