// Per-stage throughput: each benchmark builds one stage from YAML through the registry, as the
// pipeline does, and runs a fixed set of realistic lines through it. Results read in MB/s of line.
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/stage_registry.h"

namespace tailcast::bench {
namespace {

StagePtr build(std::string_view yaml) {
  static const auto file = std::make_shared<const std::string>("bench.yaml");
  config::ConfigNode item(YAML::Load(std::string(yaml)), file, "pipeline_stages[0]");
  const std::string name = item.yaml().begin()->first.Scalar();
  StageFactory factory = StageRegistry::find(name);
  BuildContext ctx;
  if (!factory) {
    std::fprintf(stderr, "bench stage %s is not registered\n", name.c_str());
    std::abort();
  }
  auto stage = factory(item.child(name), ctx);
  if (!stage) {
    std::fprintf(stderr, "bench stage did not build: %s\n", stage.error().message.c_str());
    std::abort();
  }
  return std::move(*stage);
}

// Deterministic lines that vary in length and content the way one service's logs do.
std::vector<std::string> text_lines() {
  std::vector<std::string> out;
  const char* levels[] = {"INFO", "WARNING", "ERROR", "DEBUG"};
  for (int i = 0; i < 256; ++i) {
    char line[256];
    std::snprintf(line, sizeof(line),
                  "%s 2024-11-20 09:%02d:%02d,%03d default_Model abc%04d -- GET /predict/%d %d "
                  "%d.%dms request_id=%08x",
                  levels[i % 4], i % 60, (i * 7) % 60, (i * 13) % 1000, i, i * 31,
                  200 + (i % 3) * 100, i % 50, i % 10, static_cast<unsigned>(i * 2654435761u));
    out.emplace_back(line);
  }
  return out;
}

std::vector<std::string> json_lines() {
  std::vector<std::string> out;
  for (int i = 0; i < 256; ++i) {
    char line[512];
    std::snprintf(
        line, sizeof(line),
        R"({"levelname":"%s","asctime":"2024-11-20 09:00:%02d,%03d","deployment":"Model",)"
        R"("replica":"default#Model#abc%04d","request_id":"%08x","route":"/predict",)"
        R"("message":"handled request %d in %d.%dms","latency_ms":%d.%d,"ok":%s,)"
        R"("tags":["a","b"],"ctx":{"node":"10.0.0.%d","pid":%d}})",
        i % 3 ? "INFO" : "WARNING", i % 60, i % 1000, i, static_cast<unsigned>(i * 2654435761u), i,
        i % 50, i % 10, i % 50, i % 10, i % 7 ? "true" : "false", i % 255, 1000 + i);
    out.emplace_back(line);
  }
  return out;
}

std::vector<std::string> logfmt_lines() {
  std::vector<std::string> out;
  for (int i = 0; i < 256; ++i) {
    char line[384];
    std::snprintf(line, sizeof(line),
                  "ts=2024-11-20T09:00:%02d.%03dZ level=%s caller=handler.go:%d msg=\"handled "
                  "request %d\" duration=%d.%dms status=%d trace_id=%08x",
                  i % 60, i % 1000, i % 3 ? "info" : "warn", 100 + i, i, i % 50, i % 10,
                  200 + (i % 3) * 100, static_cast<unsigned>(i * 2654435761u));
    out.emplace_back(line);
  }
  return out;
}

using Prepare = std::function<void(Entry&)>;

void run(benchmark::State& state, std::string_view yaml, const std::vector<std::string>& lines,
         const Prepare& prepare = nullptr) {
  StagePtr stage = build(yaml);
  Arena arena;
  Entry entry;
  size_t bytes = 0;
  for (auto _ : state) {
    for (const std::string& line : lines) {
      entry.clear();
      entry.line = line;
      if (prepare) prepare(entry);
      benchmark::DoNotOptimize(stage->process(entry, arena));
      bytes += line.size();
    }
    arena.reset();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines.size()));
}

// What earlier stages would have produced; the timings of the stages that read fields include it.
void with_fields(Entry& entry) {
  entry.labels.set("job", "ray");
  entry.labels.set("filename", "/tmp/ray/session_latest/logs/serve/replica.log");
  entry.extracted.set("level", "INFO");
  entry.extracted.set("deployment", "Model");
  entry.extracted.set("request_id", "0badf00d");
  entry.extracted.set("message", "handled request");
  entry.extracted.set("tenant", "team-a");
}

void BM_Regex(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state,
      "regex:\n  expression: '^(?P<level>[A-Z]+) (?P<ts>\\S+ \\S+) (?P<deployment>\\S+) "
      "(?P<replica>\\S+) -- (?P<message>.*?)(?: request_id=(?P<request_id>\\w+))?$'\n",
      lines);
}
BENCHMARK(BM_Regex);

void BM_Json(benchmark::State& state) {
  static const auto lines = json_lines();
  run(state, R"(json:
  expressions:
    level: levelname
    ts: asctime
    request_id:
    message:
    latency: latency_ms
    node: ctx.node
    first_tag: tags[0]
)",
      lines);
}
BENCHMARK(BM_Json);

void BM_Logfmt(benchmark::State& state) {
  static const auto lines = logfmt_lines();
  run(state, "logfmt:\n  mapping: {ts: , level: , msg: , duration: , trace_id: }\n", lines);
}
BENCHMARK(BM_Logfmt);

void BM_Labels(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state, "labels:\n  level:\n  deployment:\n", lines, with_fields);
}
BENCHMARK(BM_Labels);

void BM_StructuredMetadata(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state, "structured_metadata:\n  request_id:\n", lines, with_fields);
}
BENCHMARK(BM_StructuredMetadata);

void BM_StaticLabels(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state, "static_labels:\n  cluster: prod\n  region: eu\n", lines, with_fields);
}
BENCHMARK(BM_StaticLabels);

void BM_Output(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state, "output:\n  source: message\n", lines, with_fields);
}
BENCHMARK(BM_Output);

void BM_LabelDrop(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state, "labeldrop: [filename]\n", lines, with_fields);
}
BENCHMARK(BM_LabelDrop);

void BM_LabelAllow(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state, "labelallow: [job]\n", lines, with_fields);
}
BENCHMARK(BM_LabelAllow);

void BM_Tenant(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state, "tenant:\n  source: tenant\n", lines, with_fields);
}
BENCHMARK(BM_Tenant);

void BM_Replace(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state, "replace:\n  expression: 'request_id=(\\w+)'\n  replace: '****'\n", lines);
}
BENCHMARK(BM_Replace);

void BM_Template(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state,
      "template:\n  source: level\n"
      "  template: '{{ if eq .Value \"INFO\" }}info{{ else }}{{ ToLower .Value }}{{ end }}'\n",
      lines, with_fields);
}
BENCHMARK(BM_Template);

void BM_Pack(benchmark::State& state) {
  static const auto lines = text_lines();
  run(state, "pack:\n  labels: [level, deployment]\n  ingest_timestamp: false\n", lines,
      with_fields);
}
BENCHMARK(BM_Pack);

void BM_Docker(benchmark::State& state) {
  static const auto lines = [] {
    std::vector<std::string> out;
    for (const std::string& line : text_lines())
      out.push_back(R"({"log":")" + line + R"(\n","stream":"stdout","time":"2024-11-20T09:00:00.123456789Z"})");
    return out;
  }();
  run(state, "docker:\n", lines);
}
BENCHMARK(BM_Docker);

}  // namespace
}  // namespace tailcast::bench
