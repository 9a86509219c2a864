// CustomMetric: configuration checks as Promtail's metrics stage makes them, registration in the
// process's prometheus-cpp registry, and the series table that expires idle series.
#include "stages/custom_metric.h"

#include <prometheus/registry.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <unordered_map>

#include "pipeline/metrics.h"

namespace tailcast::stages {

namespace {

struct ViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

struct Series {
  prometheus::Counter* counter = nullptr;
  prometheus::Gauge* gauge = nullptr;
  prometheus::Histogram* histogram = nullptr;
  CustomMetric::Clock::time_point touched;
};

}  // namespace

struct SeriesTable {
  std::weak_ptr<prometheus::Registry> registry;
  std::unordered_map<std::string, Series, ViewHash, std::equal_to<>> series;
};

namespace {

// One table per metric name and registry: stages naming the same metric must not keep pointers to
// series that another stage expired. Stages are built on one thread, before the pipeline runs.
std::shared_ptr<SeriesTable> shared_table(const std::string& name,
                                          const std::shared_ptr<prometheus::Registry>& registry) {
  static auto* tables = new std::map<std::string, std::weak_ptr<SeriesTable>>();
  std::weak_ptr<SeriesTable>& slot = (*tables)[name];
  if (auto existing = slot.lock(); existing && existing->registry.lock() == registry)
    return existing;
  auto table = std::make_shared<SeriesTable>();
  table->registry = registry;
  slot = table;
  return table;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

Result<CustomMetric> CustomMetric::create(const std::string& name, const config::ConfigNode& node,
                                          BuildContext& ctx) {
  config::ConfigReader reader = ctx.reader(node);
  const std::string type = lower(reader.string_or("type", ""));
  const std::string description = reader.string_or("description", "");
  CustomMetric metric;
  metric.source = reader.string_or("source", name);
  std::string prefix = reader.string_or("prefix", "");
  if (prefix.empty()) prefix = "promtail_custom_";
  metric.max_idle = reader.duration_or("max_idle_duration", std::chrono::minutes(5));
  std::optional<config::ConfigNode> options = reader.child("config");
  if (auto done = reader.finish(); !done) return done.error();

  if (type == "counter") metric.type = Type::kCounter;
  else if (type == "gauge") metric.type = Type::kGauge;
  else if (type == "histogram") metric.type = Type::kHistogram;
  else
    return (reader.has("type") ? node.child("type") : node)
        .error("invalid metric type: must be one of 'counter', 'gauge', or 'histogram'");
  if (metric.max_idle < std::chrono::seconds(1))
    return node.child("max_idle_duration").error("max_idle_duration must be greater than 1s");

  // Without `config:` the checks below still need a node to read from (an empty one).
  const config::ConfigNode options_node =
      options ? *options
              : config::ConfigNode(YAML::Node(YAML::NodeType::Null),
                                   std::make_shared<const std::string>(node.file()),
                                   node.key_path() + ".config");
  config::ConfigReader config = ctx.reader(options_node);
  metric.value = config.string("value");
  const std::string action = lower(config.string_or("action", ""));
  metric.match_all = config.boolean_or("match_all", false);
  metric.count_bytes = config.boolean_or("count_entry_bytes", false);
  const std::vector<std::string> buckets = config.string_list("buckets");
  if (auto done = config.finish(); !done) return done.error();

  // yaml-cpp throws when asked for an absent key: only read the node of a key that is present.
  auto action_node = [&] { return options_node.child("action"); };
  if (metric.type == Type::kCounter) {
    if (action.empty())
      return (options ? options_node : node)
          .error("counter action must be defined as either `inc` or `add`");
    if (action != "inc" && action != "add")
      return action_node().error("action " + action +
                               " is not valid, action must be either `inc` or `add`");
    if (metric.match_all && metric.value)
      return options_node.child("match_all").error("`match_all: true` cannot be combined with `value`");
    if (metric.count_bytes && !metric.match_all)
      return options_node.child("count_entry_bytes")
          .error("`count_entry_bytes: true` can only be set with `match_all: true`");
    if (metric.count_bytes && action != "add")
      return options_node.child("count_entry_bytes")
          .error("`count_entry_bytes: true` can only be used with `action: add`");
    metric.action = action == "inc" ? Action::kInc : Action::kAdd;
  } else if (metric.type == Type::kGauge) {
    static const std::pair<std::string_view, Action> kGaugeActions[] = {
        {"set", Action::kSet}, {"inc", Action::kInc}, {"dec", Action::kDec},
        {"add", Action::kAdd}, {"sub", Action::kSub}};
    if (action.empty())
      return (options ? options_node : node)
          .error("gauge action must be defined as `set`, `inc`, `dec`, `add`, or `sub`");
    auto found = std::find_if(std::begin(kGaugeActions), std::end(kGaugeActions),
                              [&](const auto& pair) { return pair.first == action; });
    if (found == std::end(kGaugeActions))
      return action_node().error("action " + action +
                               " is not valid, action must be `set`, `inc`, `dec`, `add`, or `sub`");
    metric.action = found->second;
  } else {
    for (size_t i = 0; i < buckets.size(); ++i) {
      double bound = 0;
      const std::string& text = buckets[i];
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bound);
      if (ec != std::errc() || end != text.data() + text.size())
        return options_node.child("buckets").element(i).error("expected a number, got \"" + text + "\"");
      if (!metric.buckets_.empty() && bound <= metric.buckets_.back())
        return options_node.child("buckets").element(i).error("buckets must be in increasing order");
      metric.buckets_.push_back(bound);
    }
    // Prometheus' default buckets, as Promtail leaves them when none are given.
    if (metric.buckets_.empty()) metric.buckets_ = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
  }

  if (!ctx.metrics) return metric;
  const std::string full_name = prefix + name;
  prometheus::Registry& registry = *ctx.metrics->registry();
  try {
    if (metric.type == Type::kCounter)
      metric.counters_ = &prometheus::BuildCounter().Name(full_name).Help(description).Register(registry);
    else if (metric.type == Type::kGauge)
      metric.gauges_ = &prometheus::BuildGauge().Name(full_name).Help(description).Register(registry);
    else
      metric.histograms_ =
          &prometheus::BuildHistogram().Name(full_name).Help(description).Register(registry);
  } catch (const std::exception& e) {
    return node.error("cannot register metric \"" + full_name + "\": " + e.what());
  }
  metric.table_ = shared_table(full_name, ctx.metrics->registry());
  return metric;
}

void CustomMetric::record(std::string_view key, const std::vector<Label>& labels, double value,
                          Clock::time_point now) noexcept {
  if (!table_) return;
  auto it = table_->series.find(key);
  if (it == table_->series.end()) {
    // First sight of this label set: the only allocations, and the only library call that throws.
    try {
      prometheus::Labels names;
      for (const Label& label : labels)
        if (!label.value.empty()) names.emplace(std::string(label.name), std::string(label.value));
      Series series;
      if (counters_) series.counter = &counters_->Add(names);
      else if (gauges_) series.gauge = &gauges_->Add(names);
      else series.histogram = &histograms_->Add(names, buckets_);
      it = table_->series.emplace(std::string(key), series).first;
    } catch (const std::exception&) {
      return;  // a label name Prometheus refuses; the line still goes on
    }
  }
  Series& series = it->second;
  series.touched = now;
  if (series.counter) {
    if (action == Action::kInc) series.counter->Increment();
    else series.counter->Increment(value);
  } else if (series.gauge) {
    switch (action) {
      case Action::kSet: series.gauge->Set(value); break;
      case Action::kInc: series.gauge->Increment(); break;
      case Action::kDec: series.gauge->Decrement(); break;
      case Action::kAdd: series.gauge->Increment(value); break;
      case Action::kSub: series.gauge->Decrement(value); break;
    }
  } else if (series.histogram) {
    series.histogram->Observe(value);
  }
}

void CustomMetric::expire(Clock::time_point now) noexcept {
  if (!table_) return;
  for (auto it = table_->series.begin(); it != table_->series.end();) {
    const Series& series = it->second;
    if (now - series.touched <= max_idle) {
      ++it;
      continue;
    }
    if (series.counter) counters_->Remove(series.counter);
    if (series.gauge) gauges_->Remove(series.gauge);
    if (series.histogram) histograms_->Remove(series.histogram);
    it = table_->series.erase(it);
  }
}

}  // namespace tailcast::stages
