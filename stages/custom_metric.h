// CustomMetric: one metric of the `metrics` stage — its configuration, its prometheus-cpp family
// in the process's registry, and its series by label set with the time each was last updated, so
// that idle series can be removed. Metrics stages of several pipelines that name the same metric
// share one family and one series table, as Promtail shares the collector.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/entry.h"
#include "pipeline/stage.h"

namespace tailcast::stages {

struct SeriesTable;

class CustomMetric {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Type : uint8_t { kCounter, kGauge, kHistogram };
  enum class Action : uint8_t { kInc, kAdd, kSet, kDec, kSub };

  // `node` is the metric's map under `metrics:`, keyed by `name`.
  static Result<CustomMetric> create(const std::string& name, const config::ConfigNode& node,
                                     BuildContext& ctx);

  // Applies `value` to the series of `labels` (sorted by name); `key` identifies that label set.
  // Without a registry (unit tests without metrics) it does nothing.
  void record(std::string_view key, const std::vector<Label>& labels, double value,
              Clock::time_point now) noexcept;
  // Removes the series last updated more than max_idle before `now`.
  void expire(Clock::time_point now) noexcept;

  Type type = Type::kCounter;
  Action action = Action::kInc;
  std::string source;
  std::optional<std::string> value;  // only lines whose source equals it count
  bool match_all = false;
  bool count_bytes = false;
  std::chrono::nanoseconds max_idle{std::chrono::minutes(5)};

 private:
  prometheus::Family<prometheus::Counter>* counters_ = nullptr;
  prometheus::Family<prometheus::Gauge>* gauges_ = nullptr;
  prometheus::Family<prometheus::Histogram>* histograms_ = nullptr;
  prometheus::Histogram::BucketBoundaries buckets_;
  std::shared_ptr<SeriesTable> table_;
};

}  // namespace tailcast::stages
