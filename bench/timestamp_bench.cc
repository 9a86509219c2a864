// Benchmarks of timestamp parsing: Go layouts as Ray and RFC 3339 write them, a zone with
// daylight time, epoch numbers, and the whole timestamp stage with fudge bookkeeping.
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "pipeline/stage_registry.h"
#include "stages/go_time_layout.h"

namespace tailcast::stages {
namespace {

constexpr int64_t kNow = 1718452800LL * 1'000'000'000;

void parse_loop(benchmark::State& state, std::string_view format, std::string_view text,
                TimeZonePtr zone = nullptr) {
  const GoTimeLayout layout = GoTimeLayout::compile(format, std::move(zone));
  if (!layout.parse(text, kNow)) state.SkipWithError("sample does not parse");
  for (auto _ : state) {
    auto parsed = layout.parse(text, kNow);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_RayCommaMillis(benchmark::State& state) {
  parse_loop(state, "2006-01-02 15:04:05,000", "2024-03-05 10:20:30,123");
}
BENCHMARK(BM_RayCommaMillis);

void BM_Rfc3339Nano(benchmark::State& state) {
  parse_loop(state, "RFC3339Nano", "2024-03-05T10:20:30.123456789+02:00");
}
BENCHMARK(BM_Rfc3339Nano);

void BM_LayoutInNewYork(benchmark::State& state) {
  auto zone = TimeZone::load("America/New_York");
  parse_loop(state, "2006-01-02 15:04:05.000", "2024-07-01 12:00:00.250", zone ? *zone : nullptr);
}
BENCHMARK(BM_LayoutInNewYork);

void BM_UnixFraction(benchmark::State& state) { parse_loop(state, "Unix", "1709634030.123456"); }
BENCHMARK(BM_UnixFraction);

void BM_TimestampStage(benchmark::State& state) {
  const auto file = std::make_shared<const std::string>("bench.yaml");
  config::ConfigNode node(YAML::Load("source: ts\nformat: '2006-01-02 15:04:05,000'\n"), file,
                          "timestamp");
  BuildContext ctx;
  auto stage = StageRegistry::find("timestamp")(node, ctx);
  if (!stage) {
    state.SkipWithError("stage did not build");
    return;
  }
  Arena arena;
  Entry entry;
  entry.labels.set("filename", "/tmp/ray/session_latest/logs/serve/controller_42.log");
  entry.labels.set("job", "ray");
  const std::string_view text = "2024-03-05 10:20:30,123";
  entry.extracted.set("ts", text);
  for (auto _ : state) {
    (*stage)->process(entry, arena);
    benchmark::DoNotOptimize(entry.timestamp_ns);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_TimestampStage);

}  // namespace
}  // namespace tailcast::stages
