// Throughput of Ray Serve parsing over the shared fixtures' replica logs: the line parser alone
// and the `ray_serve` stage with and without traceback folding, in bytes of log per second.
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/stage.h"
#include "pipeline/stage_registry.h"
#include "stages/ray_serve_parser.h"

namespace tailcast {
namespace {

namespace fs = std::filesystem;

constexpr size_t kCorpusBytes = 4 << 20;

fs::path serve_dir() {
  const char* env = std::getenv("TC_FIXTURES_DIR");
  const fs::path fixtures =
      env ? fs::path(env) : fs::path(__FILE__).parent_path().parent_path().parent_path() / "shared/fixtures";
  return fixtures / "ray/session_2026-11-20_09-00-00_690579_1652/logs/serve";
}

// The named logs' lines, repeated up to kCorpusBytes, as views into one buffer.
struct Corpus {
  std::string path;
  std::string text;
  std::vector<std::string_view> lines;
  size_t bytes = 0;
};

Corpus load(std::initializer_list<const char*> names) {
  std::string one;
  for (const char* name : names) {
    std::ifstream in(serve_dir() / name, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    one += content.str();
  }
  Corpus corpus;
  corpus.path = (serve_dir() / *names.begin()).string();
  if (one.empty()) return corpus;
  while (corpus.text.size() < kCorpusBytes) corpus.text += one;
  size_t start = 0;
  while (start < corpus.text.size()) {
    size_t end = corpus.text.find('\n', start);
    if (end == std::string::npos) end = corpus.text.size();
    corpus.lines.push_back(std::string_view(corpus.text).substr(start, end - start));
    corpus.bytes += end - start + 1;
    start = end + 1;
  }
  return corpus;
}

const Corpus& text_corpus() {
  static const Corpus corpus =
      load({"replica_default_Router_iovwnesr.log", "replica_default_Model_vKGXNm.log"});
  return corpus;
}

const Corpus& json_corpus() {
  static const Corpus corpus =
      load({"replica_chat_Tokenizer_w5457or0.log", "replica_chat_LLMServer_xlz2i2ae.log"});
  return corpus;
}

StagePtr build(const std::string& yaml) {
  config::ConfigNode item(YAML::Load(yaml), std::make_shared<const std::string>("bench.yaml"),
                          "pipeline_stages[0]");
  BuildContext ctx;
  auto stage = StageRegistry::find("ray_serve")(item.child("ray_serve"), ctx);
  return stage ? std::move(*stage) : nullptr;
}

void parse_lines(benchmark::State& state, const Corpus& corpus) {
  if (corpus.lines.empty()) return state.SkipWithError("fixtures not found");
  for (auto _ : state) {
    for (std::string_view line : corpus.lines) {
      stages::ray::ParsedLine parsed = stages::ray::parse_line(line);
      benchmark::DoNotOptimize(parsed);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.bytes));
}

void run_stage(benchmark::State& state, const Corpus& corpus, const std::string& yaml) {
  if (corpus.lines.empty()) return state.SkipWithError("fixtures not found");
  StagePtr stage = build(yaml);
  if (!stage) return state.SkipWithError("ray_serve did not build");
  Arena arena;
  Entry entry;
  size_t out = 0;
  for (auto _ : state) {
    for (std::string_view line : corpus.lines) {
      entry.clear();
      entry.line = line;
      entry.labels.set("filename", corpus.path);
      if (stage->process(entry, arena) == Verdict::kPass) ++out;
      while (Entry* released = stage->release()) out += released->line.size() > 0;
      arena.reset();
    }
  }
  stage->flush(std::chrono::steady_clock::now(), true);
  while (stage->release()) ++out;
  benchmark::DoNotOptimize(out);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.bytes));
}

void BM_ParseTextLines(benchmark::State& state) { parse_lines(state, text_corpus()); }
void BM_ParseJsonLines(benchmark::State& state) { parse_lines(state, json_corpus()); }
void BM_StageTextLines(benchmark::State& state) {
  run_stage(state, text_corpus(), "ray_serve: {fold_tracebacks: false}");
}
void BM_StageTextLinesFolded(benchmark::State& state) {
  run_stage(state, text_corpus(), "ray_serve:");
}
void BM_StageJsonLines(benchmark::State& state) {
  run_stage(state, json_corpus(), "ray_serve: {fold_tracebacks: false}");
}

BENCHMARK(BM_ParseTextLines);
BENCHMARK(BM_ParseJsonLines);
BENCHMARK(BM_StageTextLines);
BENCHMARK(BM_StageTextLinesFolded);
BENCHMARK(BM_StageJsonLines);

}  // namespace
}  // namespace tailcast
