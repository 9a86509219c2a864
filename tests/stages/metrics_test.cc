// The metrics stage built from YAML, checked by scraping the registry as Prometheus would:
// counters (inc, add, match_all, count_entry_bytes, value), gauges, histograms with buckets, the
// entry's labels on every series, prefixes, idle expiry, and config errors naming file:line.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

#include "pipeline/metrics.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast {
namespace {

using namespace std::chrono_literals;
using testing::StageRunner;

// The value of the sample written exactly as `series` (name and labels) in the text exposition.
std::optional<double> sample(const Metrics& metrics, const std::string& series) {
  std::istringstream text(metrics.text());
  std::string line;
  while (std::getline(text, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::strtod(line.c_str() + series.size() + 1, nullptr);
  }
  return std::nullopt;
}

Verdict feed(StageRunner& runner, std::string_view line,
             std::initializer_list<std::pair<std::string_view, std::string_view>> fields,
             std::string_view app = "api") {
  Entry& entry = runner.next(line);
  entry.labels.set("app", app);
  for (const auto& [name, value] : fields) entry.extracted.set(name, value);
  return runner.process();
}

TEST(MetricsStage, CountersMatchAllAndCountBytesWithPrefix) {
  Metrics metrics;
  StageRunner runner(R"(metrics:
  log_lines_total:
    type: Counter
    description: total number of log lines
    prefix: my_promtail_custom_
    max_idle_duration: 24h
    config:
      match_all: true
      action: inc
  log_bytes_total:
    type: Counter
    description: total bytes of log lines
    config:
      match_all: true
      count_entry_bytes: true
      action: add
)", &metrics);
  EXPECT_EQ(feed(runner, "12345", {}), Verdict::kPass);
  EXPECT_EQ(feed(runner, "123", {}), Verdict::kPass);
  feed(runner, "1", {}, "web");
  EXPECT_EQ(sample(metrics, "my_promtail_custom_log_lines_total{app=\"api\"}"), 2);
  EXPECT_EQ(sample(metrics, "my_promtail_custom_log_lines_total{app=\"web\"}"), 1);
  EXPECT_EQ(sample(metrics, "promtail_custom_log_bytes_total{app=\"api\"}"), 8);
  EXPECT_NE(metrics.text().find("# HELP promtail_custom_log_bytes_total total bytes of log lines"),
            std::string::npos);
}

TEST(MetricsStage, CounterFromAnExtractedValue) {
  Metrics metrics;
  StageRunner runner(R"(metrics:
  panic_total:
    type: Counter
    source: level
    config:
      value: panic
      action: inc
  bytes_out_total:
    type: Counter
    source: size
    config:
      action: add
)", &metrics);
  feed(runner, "x", {{"level", "panic"}, {"size", "10.5"}});
  feed(runner, "x", {{"level", "info"}, {"size", "2"}});
  feed(runner, "x", {{"size", "-4"}});      // Promtail never adds a negative value
  feed(runner, "x", {{"size", "lots"}});    // nor one that is not a number
  feed(runner, "x", {});                    // absent source: nothing
  EXPECT_EQ(sample(metrics, "promtail_custom_panic_total{app=\"api\"}"), 1);
  EXPECT_EQ(sample(metrics, "promtail_custom_bytes_out_total{app=\"api\"}"), 12.5);
}

TEST(MetricsStage, ValueMatchesNumbersInGoFormAndNeverNull) {
  Metrics metrics;
  StageRunner runner("metrics:\n  hits:\n    type: Counter\n    source: code\n"
                     "    config:\n      value: \"500\"\n      action: inc\n",
                     &metrics);
  Entry& number = runner.next("x");
  number.labels.set("app", "api");
  number.extracted.set("code", "5e2", FieldType::kNumber);
  runner.process();
  Entry& null = runner.next("x");
  null.labels.set("app", "api");
  null.extracted.set("code", "null", FieldType::kNull);
  runner.process();
  EXPECT_EQ(sample(metrics, "promtail_custom_hits{app=\"api\"}"), 1);
}

TEST(MetricsStage, GaugeActions) {
  Metrics metrics;
  StageRunner runner(R"(metrics:
  queue_set:
    type: Gauge
    source: depth
    config: {action: set}
  queue_inc:
    type: Gauge
    source: depth
    config: {action: inc}
  queue_dec:
    type: Gauge
    source: depth
    config: {action: dec}
  queue_add:
    type: Gauge
    source: depth
    config: {action: add}
  queue_sub:
    type: Gauge
    source: depth
    config: {action: Sub}
)", &metrics);
  feed(runner, "x", {{"depth", "5"}});
  feed(runner, "x", {{"depth", "3"}});
  EXPECT_EQ(sample(metrics, "promtail_custom_queue_set{app=\"api\"}"), 3);
  EXPECT_EQ(sample(metrics, "promtail_custom_queue_inc{app=\"api\"}"), 2);
  EXPECT_EQ(sample(metrics, "promtail_custom_queue_dec{app=\"api\"}"), -2);
  EXPECT_EQ(sample(metrics, "promtail_custom_queue_add{app=\"api\"}"), 8);
  EXPECT_EQ(sample(metrics, "promtail_custom_queue_sub{app=\"api\"}"), -8);
}

TEST(MetricsStage, HistogramBuckets) {
  Metrics metrics;
  StageRunner runner(R"(metrics:
  response_seconds:
    type: Histogram
    source: took
    config:
      buckets: [0.1, 1, 10]
)", &metrics);
  for (std::string_view took : {"0.05", "0.5", "0.7", "20", "oops"}) feed(runner, "x", {{"took", took}});
  const std::string name = "promtail_custom_response_seconds";
  EXPECT_EQ(sample(metrics, name + "_count{app=\"api\"}"), 4);
  EXPECT_EQ(sample(metrics, name + "_sum{app=\"api\"}"), 21.25);
  EXPECT_EQ(sample(metrics, name + "_bucket{app=\"api\",le=\"0.1\"}"), 1);
  EXPECT_EQ(sample(metrics, name + "_bucket{app=\"api\",le=\"1\"}"), 3);
  EXPECT_EQ(sample(metrics, name + "_bucket{app=\"api\",le=\"10\"}"), 3);
  EXPECT_EQ(sample(metrics, name + "_bucket{app=\"api\",le=\"+Inf\"}"), 4);
}

TEST(MetricsStage, IdleSeriesExpire) {
  Metrics metrics;
  std::vector<std::string> warnings;
  BuildContext ctx{&warnings, &metrics};
  auto stage = testing::build_stage("metrics:\n  lines:\n    type: Counter\n"
                                    "    max_idle_duration: 1m\n"
                                    "    config: {match_all: true, action: inc}\n",
                                    ctx);
  ASSERT_TRUE(stage.has_value()) << stage.error().message;
  Arena arena;
  auto count_line = [&](std::string_view app) {
    Entry entry;
    entry.line = "x";
    entry.labels.set("app", app);
    (*stage)->process(entry, arena);
  };
  // The stage stamps series with the time of the last tick; ticks here come from a test clock.
  const auto t0 = std::chrono::steady_clock::now() + 1h;
  (*stage)->flush(t0, false);
  count_line("api");
  count_line("web");
  EXPECT_EQ(sample(metrics, "promtail_custom_lines{app=\"api\"}"), 1);
  (*stage)->flush(t0 + 30s, false);
  count_line("web");  // web was touched at t0 + 30s, api at t0
  (*stage)->flush(t0 + 61s, false);
  EXPECT_FALSE(sample(metrics, "promtail_custom_lines{app=\"api\"}").has_value());
  EXPECT_EQ(sample(metrics, "promtail_custom_lines{app=\"web\"}"), 2);
  (*stage)->flush(t0 + 91s, false);
  EXPECT_FALSE(sample(metrics, "promtail_custom_lines{app=\"web\"}").has_value());
  count_line("api");
  EXPECT_EQ(sample(metrics, "promtail_custom_lines{app=\"api\"}"), 1) << "a new series starts at 0";
}

TEST(MetricsStage, TwoStagesNamingOneMetricShareIt) {
  Metrics metrics;
  const std::string_view yaml =
      "metrics:\n  lines:\n    type: Counter\n    config: {match_all: true, action: inc}\n";
  StageRunner first(yaml, &metrics);
  StageRunner second(yaml, &metrics);
  feed(first, "x", {});
  feed(second, "x", {});
  EXPECT_EQ(sample(metrics, "promtail_custom_lines{app=\"api\"}"), 2);
}

TEST(MetricsStage, ConfigErrorsNameFileLineAndKey) {
  using testing::build_error;
  EXPECT_EQ(build_error("metrics:\n"), "test.yaml:2:1: pipeline_stages[0].metrics: empty metric stage configuration");
  EXPECT_EQ(build_error("metrics:\n  x:\n    type: summary\n"),
            "test.yaml:3:11: pipeline_stages[0].metrics.x.type: invalid metric type: must be one "
            "of 'counter', 'gauge', or 'histogram'");
  EXPECT_EQ(build_error("metrics:\n  x:\n    type: Counter\n"),
            "test.yaml:3:5: pipeline_stages[0].metrics.x: counter action must be defined as either "
            "`inc` or `add`");
  EXPECT_EQ(build_error("metrics:\n  x:\n    type: Counter\n    config:\n      action: set\n"),
            "test.yaml:5:15: pipeline_stages[0].metrics.x.config.action: action set is not valid, "
            "action must be either `inc` or `add`");
  EXPECT_EQ(build_error("metrics:\n  x:\n    type: Counter\n    config:\n      action: inc\n"
                        "      match_all: true\n      value: a\n"),
            "test.yaml:6:18: pipeline_stages[0].metrics.x.config.match_all: `match_all: true` "
            "cannot be combined with `value`");
  EXPECT_EQ(build_error("metrics:\n  x:\n    type: Counter\n    config:\n      action: inc\n"
                        "      match_all: true\n      count_entry_bytes: true\n"),
            "test.yaml:7:26: pipeline_stages[0].metrics.x.config.count_entry_bytes: "
            "`count_entry_bytes: true` can only be used with `action: add`");
  EXPECT_EQ(build_error("metrics:\n  x:\n    type: Gauge\n    config:\n      action: mul\n"),
            "test.yaml:5:15: pipeline_stages[0].metrics.x.config.action: action mul is not valid, "
            "action must be `set`, `inc`, `dec`, `add`, or `sub`");
  EXPECT_EQ(build_error("metrics:\n  x:\n    type: Histogram\n    config:\n      buckets: [1, 0.5]\n"),
            "test.yaml:5:20: pipeline_stages[0].metrics.x.config.buckets[1]: buckets must be in "
            "increasing order");
  EXPECT_EQ(build_error("metrics:\n  x:\n    type: Gauge\n    max_idle_duration: 500ms\n"
                        "    config: {action: inc}\n"),
            "test.yaml:4:24: pipeline_stages[0].metrics.x.max_idle_duration: max_idle_duration "
            "must be greater than 1s");
}

TEST(MetricsStage, InvalidMetricNameIsAConfigError) {
  Metrics metrics;
  std::vector<std::string> warnings;
  BuildContext ctx{&warnings, &metrics};
  auto stage = testing::build_stage(
      "metrics:\n  bad-name:\n    type: Counter\n    config: {match_all: true, action: inc}\n", ctx);
  ASSERT_FALSE(stage.has_value());
  EXPECT_NE(stage.error().message.find("test.yaml:3:5: pipeline_stages[0].metrics.bad-name: "
                                       "cannot register metric \"promtail_custom_bad-name\""),
            std::string::npos)
      << stage.error().message;
}

}  // namespace
}  // namespace tailcast
