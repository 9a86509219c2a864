// `metrics` stage: Promtail's custom metrics. Counters, gauges and histograms named
// `<prefix><name>` (prefix `promtail_custom_` by default) with the entry's stream labels, fed from
// an extracted value or from every line, registered in the process's registry so /metrics shows
// them. A series nobody updated for `max_idle_duration` (5m) is removed.
#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"
#include "stages/custom_metric.h"
#include "stages/go_time_layout.h"

namespace tailcast::stages {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<double> number_of(const Field& field) {
  std::string_view text = field.text;
  switch (field.type) {
    case FieldType::kBool:
      return text == "true" ? 1.0 : 0.0;
    case FieldType::kNull:
    case FieldType::kJson:
      return std::nullopt;
    default:
      break;
  }
  // Go's strconv.ParseFloat: a sign, decimal or exponent form, Inf and NaN.
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Built once per pipeline; runs on the pipeline thread, as do the flushes that expire series.
class MetricsStage final : public Stage {
 public:
  static constexpr std::string_view kName = "metrics";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    if (node.is_null() || !node.yaml().IsMap() || node.yaml().size() == 0)
      return node.error("empty metric stage configuration");
    auto stage = std::unique_ptr<MetricsStage>(new MetricsStage());
    for (const auto& pair : node.yaml()) {
      auto metric = CustomMetric::create(pair.first.Scalar(), node.child(pair.first.Scalar()), ctx);
      if (!metric) return std::move(metric).error();
      stage->metrics_.push_back(std::move(*metric));
    }
    stage->tick_ = Clock::now();
    stage->last_sweep_ = stage->tick_;
    stage->key_.reserve(256);
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    key_ready_ = false;
    for (CustomMetric& metric : metrics_) {
      if (metric.type == CustomMetric::Type::kCounter && metric.match_all) {
        if (metric.count_bytes) record(metric, entry, static_cast<double>(entry.line.size()));
        else if (metric.action == CustomMetric::Action::kInc) record(metric, entry, 1);
        continue;
      }
      const Field* field = entry.extracted.get(metric.source);
      if (!field) continue;
      if (metric.value && !equals_value(*field, *metric.value)) continue;
      std::optional<double> number = number_of(*field);
      const bool needs_number =
          metric.type == CustomMetric::Type::kHistogram || metric.action == CustomMetric::Action::kAdd ||
          metric.action == CustomMetric::Action::kSet || metric.action == CustomMetric::Action::kSub;
      if (needs_number && !number) continue;
      // Promtail refuses to add a negative value to a counter.
      if (metric.type == CustomMetric::Type::kCounter && needs_number && *number < 0) continue;
      record(metric, entry, number.value_or(1));
    }
    return Verdict::kPass;
  }

  void flush(Clock::time_point now, bool everything) noexcept override {
    (void)everything;
    tick_ = std::max(tick_, now);
    if (tick_ - last_sweep_ < std::chrono::seconds(1)) return;
    last_sweep_ = tick_;
    for (CustomMetric& metric : metrics_) metric.expire(tick_);
  }

 private:
  MetricsStage() = default;

  // Promtail's getString: numbers in Go's shortest 'f' form, booleans as words, null never equal.
  bool equals_value(const Field& field, const std::string& value) noexcept {
    if (field.type == FieldType::kNull || field.type == FieldType::kJson) return false;
    std::string_view text = field.text;
    if (field.type == FieldType::kNumber) text = go_float_text(text, number_, sizeof number_);
    return text == value;
  }

  void record(CustomMetric& metric, const Entry& entry, double value) noexcept {
    if (!key_ready_) {
      // The series key: the labels sorted by name, so one label set is one key in any order.
      sorted_.assign(entry.labels.begin(), entry.labels.end());
      std::sort(sorted_.begin(), sorted_.end(),
                [](const Label& a, const Label& b) { return a.name < b.name; });
      key_.clear();
      for (const Label& label : sorted_) {
        if (label.value.empty()) continue;  // Prometheus treats an empty value as no label
        key_.append(label.name).push_back('\xff');
        key_.append(label.value).push_back('\xfe');
      }
      key_ready_ = true;
    }
    metric.record(key_, sorted_, value, tick_);
  }

  std::vector<CustomMetric> metrics_;
  Clock::time_point tick_{};
  Clock::time_point last_sweep_{};
  std::vector<Label> sorted_;  // reused for every line
  std::string key_;
  bool key_ready_ = false;
  char number_[400];
};

TC_REGISTER_STAGE(MetricsStage);

}  // namespace
}  // namespace tailcast::stages
