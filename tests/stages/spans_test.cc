// The `spans` stage built from YAML through the registry and fed as the pipeline feeds it: one
// read chunk per call, release() drained after every line and flush, the reader's chunk reference
// given back afterwards, so committed offsets show exactly which lines the stage still holds.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/acks.h"
#include "pipeline/metrics.h"
#include "pipeline/stage.h"
#include "pipeline/stage_registry.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kPath = "/tmp/ray/session_latest/logs/serve/spans/proxy_tracing.json";
constexpr int64_t kReadTime = 42;

struct Output {
  std::string line;
  EntryKind kind = EntryKind::kLog;
  int64_t timestamp_ns = 0;
  std::map<std::string, std::string> labels;  // without `filename`
  std::map<std::string, std::string> metadata;
  uint64_t first_chunk = 0;
  uint64_t last_chunk = 0;
};

class SpanHarness {
 public:
  explicit SpanHarness(std::string_view options = "{}", Metrics* metrics = nullptr) {
    std::vector<std::string> warnings;
    BuildContext ctx{&warnings, metrics};
    auto stage = testing::build_stage("spans: " + std::string(options), ctx);
    if (stage) {
      stage_ = std::move(*stage);
    } else {
      ADD_FAILURE() << "spans did not build: " << stage.error().message;
    }
  }

  // One read: `lines` (without newlines) as one chunk of `path`.
  void feed_chunk(const std::vector<std::string>& lines, const std::string& path = kPath) {
    File& file = file_for(path);
    for (const std::string& line : lines) file.offset += line.size() + 1;
    const uint64_t chunk = file.acks->open_chunk(file.offset);
    for (const std::string& line : lines) {
      arena_.reset();
      Entry entry;
      entry.line = arena_.copy(line);
      entry.timestamp_ns = kReadTime;
      entry.labels.set("filename", file.path);
      entry.labels.set("job", "spans");
      entry.source = SourceRef{file.acks.get(), chunk, chunk};
      const Verdict verdict = stage_ ? stage_->process(entry, arena_) : Verdict::kPass;
      if (verdict == Verdict::kPass) collect(entry);
      drain();
    }
    file.acks->release(chunk);
  }
  void feed(const std::string& line, const std::string& path = kPath) { feed_chunk({line}, path); }
  void feed_lines(const std::vector<std::string>& lines, const std::string& path = kPath) {
    for (const std::string& line : lines) feed(line, path);
  }

  void flush(Clock::time_point now, bool everything) {
    if (!stage_) return;
    stage_->flush(now, everything);
    drain();
  }
  void flush_all() { flush(Clock::now(), true); }

  uint64_t committed(const std::string& path = kPath) {
    return file_for(path).acks->committed_offset();
  }
  uint64_t offset(const std::string& path = kPath) { return file_for(path).offset; }
  std::vector<Output>& outputs() { return outputs_; }

 private:
  struct File {
    std::string path;
    std::shared_ptr<SourceAcks> acks;
    uint64_t offset = 0;
  };

  File& file_for(const std::string& path) {
    auto& file = files_[path];
    if (!file) {
      file = std::make_unique<File>();
      file->path = path;
      file->acks = std::make_shared<SourceAcks>(0);
    }
    return *file;
  }

  void drain() {
    if (!stage_) return;
    while (Entry* released = stage_->release()) collect(*released);
  }

  void collect(const Entry& entry) {
    Output out;
    out.line = entry.line;
    out.kind = entry.kind;
    out.timestamp_ns = entry.timestamp_ns;
    for (const Label& label : entry.labels)
      if (label.name != "filename") out.labels[std::string(label.name)] = label.value;
    for (const Label& pair : entry.structured_metadata)
      out.metadata[std::string(pair.name)] = pair.value;
    out.first_chunk = entry.source.first_chunk;
    out.last_chunk = entry.source.last_chunk;
    outputs_.push_back(std::move(out));
  }

  StagePtr stage_;
  Arena arena_;
  std::map<std::string, std::unique_ptr<File>> files_;
  std::vector<Output> outputs_;
};

fs::path session_logs() {
  return fs::path(TC_FIXTURES_DIR) / "ray/session_2026-11-20_09-00-00_690579_1652/logs";
}
fs::path expected_logs() {
  return fs::path(TC_FIXTURES_DIR) / "expected/session_2026-11-20_09-00-00_690579_1652/logs";
}

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      if (start < text.size()) lines.emplace_back(text.substr(start));
      break;
    }
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// A pretty-printed span as OpenTelemetry Python 1.24 writes it.
std::string span_json(std::string_view trace_id, std::string_view span_id,
                      std::string_view parent = "null",
                      std::string_view name = "replica_handle_request",
                      std::string_view extra_attribute = "\"x\": 1") {
  return std::string("{\n") + "    \"name\": \"" + std::string(name) +
         "\",\n"
         "    \"context\": {\n"
         "        \"trace_id\": \"" +
         std::string(trace_id) +
         "\",\n"
         "        \"span_id\": \"" +
         std::string(span_id) +
         "\",\n"
         "        \"trace_state\": \"[]\"\n"
         "    },\n"
         "    \"kind\": \"SpanKind.SERVER\",\n"
         "    \"parent_id\": " +
         std::string(parent) +
         ",\n"
         "    \"start_time\": \"2025-11-24T16:00:00.217592Z\",\n"
         "    \"end_time\": \"2025-11-24T16:00:00.261592Z\",\n"
         "    \"status\": {\n"
         "        \"status_code\": \"OK\"\n"
         "    },\n"
         "    \"attributes\": {\n"
         "        \"request_id\": \"r-1\",\n"
         "        \"app\": \"default\",\n"
         "        " +
         std::string(extra_attribute) +
         "\n"
         "    },\n"
         "    \"events\": [],\n"
         "    \"links\": [],\n"
         "    \"resource\": {\n"
         "        \"attributes\": {\n"
         "            \"service.name\": \"unknown_service\"\n"
         "        },\n"
         "        \"schema_url\": \"\"\n"
         "    }\n"
         "}";
}

constexpr const char* kTrace = "0x09ec387c3e4bc725d806140fa5a8e3c9";
constexpr const char* kSpan = "0xe2e09b397a2b8738";

std::string minified(std::string_view pretty) {
  std::string out(pretty.size(), '\0');
  size_t length = 0;
  EXPECT_EQ(simdjson::minify(pretty.data(), pretty.size(), out.data(), length), simdjson::SUCCESS);
  out.resize(length);
  return out;
}

double counter(Metrics& metrics, bool dropped, const std::string& reason) {
  auto& family = dropped ? metrics.stage_dropped : metrics.stage_unparsed;
  return testing::counter_value(family, {{"stage", "spans"}, {"reason", reason}});
}

// Every fixture span file, and the driver's console output of spans, against its expectation.
TEST(SpansStage, FixtureFilesYieldTheExpectedSpans) {
  const std::vector<std::string> files = {
      "serve/spans/proxy_10.0.0.5_tracing.json",
      "serve/spans/replica_default_Model_gsslcw9t_tracing.json",
      "job-driver-spans-5ng53kdr.log",
  };
  for (const std::string& relative : files) {
    SCOPED_TRACE(relative);
    const std::string path = (session_logs() / relative).string();
    Metrics metrics;
    SpanHarness harness("{}", &metrics);
    harness.feed_lines(read_lines(path), path);
    harness.flush_all();
    const std::vector<std::string> expected =
        read_lines(expected_logs() / (relative + ".spans.jsonl"));
    const std::vector<Output>& outputs = harness.outputs();
    ASSERT_EQ(outputs.size(), expected.size());
    ASSERT_GT(expected.size(), 0u);
    simdjson::dom::parser parser;
    for (size_t i = 0; i < expected.size(); ++i) {
      SCOPED_TRACE("span " + std::to_string(i));
      simdjson::dom::element want;
      ASSERT_EQ(parser.parse(expected[i]).get(want), simdjson::SUCCESS);
      const Output& out = outputs[i];
      EXPECT_EQ(out.kind, EntryKind::kSpan);
      EXPECT_EQ(out.metadata.at("trace_id"), std::string_view(want["trace_id"]));
      EXPECT_EQ(out.metadata.at("span_id"), std::string_view(want["span_id"]));
      const std::string_view parent = want["parent_span_id"];
      EXPECT_EQ(out.metadata.count("parent_span_id") ? out.metadata.at("parent_span_id") : "",
                parent);
      EXPECT_EQ(out.metadata.at("request_id"), std::string_view(want["request_id"]));
      EXPECT_EQ(out.labels.at("span_name"), std::string_view(want["name"]));
      EXPECT_EQ(out.labels.at("span_kind"), std::string_view(want["kind"]));
      EXPECT_EQ(out.labels.at("span_status"), std::string_view(want["status"]));
      EXPECT_EQ(out.labels.at("service_name"), "unknown_service");
      EXPECT_EQ(out.labels.at("job"), "spans") << "labels of the first line are kept";
      EXPECT_EQ(out.line.find('\n'), std::string::npos) << "compact";
      EXPECT_EQ(out.line.find("(ProxyActor"), std::string::npos) << "prefix stripped";
      simdjson::dom::element line;
      EXPECT_EQ(parser.parse(out.line).get(line), simdjson::SUCCESS);
      EXPECT_NE(out.timestamp_ns, kReadTime) << "start_time parsed";
    }
    EXPECT_EQ(harness.committed(path), harness.offset(path)) << "every line acknowledged";
    for (const char* reason : {"invalid_json", "not_a_span", "truncated", "too_large", "not_json"})
      EXPECT_EQ(counter(metrics, true, reason), 0.0) << reason;
  }
}

TEST(SpansStage, SpanEntryIsTheCompactObjectAtItsStartTime) {
  SpanHarness harness;
  const std::string pretty = span_json(kTrace, kSpan, "\"0xE5E308D2D1EA64BA\"");
  harness.feed_lines(split(pretty));
  ASSERT_EQ(harness.outputs().size(), 1u);
  const Output& out = harness.outputs()[0];
  EXPECT_EQ(out.line, minified(pretty));
  EXPECT_EQ(out.kind, EntryKind::kSpan);
  EXPECT_EQ(out.timestamp_ns, 1764000000217592000);
  EXPECT_EQ(out.metadata.at("trace_id"), "09ec387c3e4bc725d806140fa5a8e3c9");
  EXPECT_EQ(out.metadata.at("span_id"), "e2e09b397a2b8738");
  EXPECT_EQ(out.metadata.at("parent_span_id"), "e5e308d2d1ea64ba") << "0X and upper case";
  EXPECT_EQ(out.labels.at("span_kind"), "SERVER");
  EXPECT_EQ(out.labels.at("application"), "default");
  EXPECT_EQ(out.labels.count("request_id"), 0u) << "high cardinality stays out of labels";
  EXPECT_EQ(out.first_chunk, 0u);
  EXPECT_EQ(out.last_chunk, split(pretty).size() - 1) << "holds every line it was folded from";
}

TEST(SpansStage, BareAndPrefixedHexIdsNormalizeAlike) {
  SpanHarness harness;
  harness.feed_lines(split(
      span_json("09EC387C3E4BC725D806140FA5A8E3C9", "E2E09B397A2B8738", "\"e5e308d2d1ea64ba\"")));
  harness.feed_lines(split(span_json(kTrace, kSpan, "null")));
  ASSERT_EQ(harness.outputs().size(), 2u);
  for (const Output& out : harness.outputs()) {
    EXPECT_EQ(out.metadata.at("trace_id"), "09ec387c3e4bc725d806140fa5a8e3c9");
    EXPECT_EQ(out.metadata.at("span_id"), "e2e09b397a2b8738");
  }
  EXPECT_EQ(harness.outputs()[0].metadata.at("parent_span_id"), "e5e308d2d1ea64ba");
  EXPECT_EQ(harness.outputs()[1].metadata.count("parent_span_id"), 0u) << "root span";
}

TEST(SpansStage, ObjectWithoutValidIdsIsNotASpan) {
  Metrics metrics;
  SpanHarness harness("{}", &metrics);
  harness.feed_lines(split(span_json("0x09ec387c", kSpan)));           // short trace id
  harness.feed_lines(split(span_json(kTrace, "0xe2e09b397a2b87zz")));  // not hex
  harness.feed_lines(split("{\n    \"name\": \"x\"\n}"));
  harness.feed_lines(split(span_json(kTrace, kSpan)));
  ASSERT_EQ(harness.outputs().size(), 1u);
  EXPECT_EQ(counter(metrics, true, "not_a_span"), 3.0);
  EXPECT_EQ(harness.committed(), harness.offset());
}

// The tailer may end a read after any line: every split must give the same spans, and the
// committed offset must never pass the start of the object still open at the split.
TEST(SpansStage, ObjectsSplitAtEveryLineBoundary) {
  const std::string path = (session_logs() / "serve/spans/proxy_10.0.0.5_tracing.json").string();
  // The first four spans: every boundary inside an object is there, at a sixteenth of the cost.
  std::vector<std::string> lines = read_lines(path);
  size_t objects = 0, keep = 0;
  while (keep < lines.size() && objects < 4) objects += lines[keep++] == "}";
  lines.resize(keep);
  SpanHarness whole;
  whole.feed_chunk(lines, path);
  ASSERT_EQ(whole.outputs().size(), 4u);
  // End offset of each line, and of the last complete object at or before each line.
  std::vector<uint64_t> line_end(lines.size());
  std::vector<uint64_t> safe(lines.size());
  uint64_t offset = 0, last_object_end = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    offset += lines[i].size() + 1;
    line_end[i] = offset;
    if (lines[i] == "}") last_object_end = offset;
    safe[i] = last_object_end;
  }
  for (size_t cut = 1; cut < lines.size(); ++cut) {
    SpanHarness harness;
    harness.feed_lines({lines.begin(), lines.begin() + cut}, path);
    ASSERT_EQ(harness.committed(path), safe[cut - 1]) << "cut after line " << cut;
    harness.feed_chunk({lines.begin() + cut, lines.end()}, path);
    ASSERT_EQ(harness.outputs().size(), whole.outputs().size()) << "cut after line " << cut;
    for (size_t i = 0; i < whole.outputs().size(); ++i)
      ASSERT_EQ(harness.outputs()[i].line, whole.outputs()[i].line) << "cut " << cut;
    ASSERT_EQ(harness.committed(path), line_end.back());
  }
}

TEST(SpansStage, TruncatedTailIsHeldUntilALaterAppendCompletesIt) {
  Metrics metrics;
  SpanHarness harness("{max_wait: 5s}", &metrics);
  const std::vector<std::string> first = split(span_json(kTrace, "0x1111111111111111"));
  const std::vector<std::string> second = split(span_json(kTrace, "0x2222222222222222"));
  harness.feed_lines(first);
  const uint64_t first_end = harness.offset();
  harness.feed_lines({second.begin(), second.begin() + 9});  // the writer is mid-span
  harness.flush(Clock::now(), false);
  EXPECT_EQ(harness.outputs().size(), 1u);
  EXPECT_EQ(harness.committed(), first_end) << "the open object pins the position";
  harness.feed_lines({second.begin() + 9, second.end()});
  ASSERT_EQ(harness.outputs().size(), 2u);
  EXPECT_EQ(harness.outputs()[1].metadata.at("span_id"), "2222222222222222");
  EXPECT_EQ(harness.committed(), harness.offset());
  EXPECT_EQ(counter(metrics, true, "truncated"), 0.0);
}

TEST(SpansStage, TruncatedTailIsGivenUpAfterMaxWaitAndAtEndOfFile) {
  for (const bool at_end : {false, true}) {
    Metrics metrics;
    SpanHarness harness("{max_wait: 5s}", &metrics);
    const std::vector<std::string> lines = split(span_json(kTrace, kSpan));
    harness.feed_lines({lines.begin(), lines.begin() + 7});
    EXPECT_EQ(harness.committed(), 0u);
    if (at_end) {
      harness.flush_all();
    } else {
      harness.flush(Clock::now() + std::chrono::seconds(6), false);
    }
    EXPECT_TRUE(harness.outputs().empty());
    EXPECT_EQ(counter(metrics, true, "truncated"), 1.0);
    EXPECT_EQ(harness.committed(), harness.offset()) << "given up lines release the position";
  }
}

TEST(SpansStage, GarbageBetweenObjectsIsCountedAndSkipped) {
  const std::string span = span_json(kTrace, kSpan);
  std::vector<std::string> lines = {"Traceback (most recent call last):", "", "  oops }"};
  for (const std::string& line : split(span)) lines.push_back(line);
  lines.push_back("not json {");
  lines.push_back("]");
  for (const std::string& line : split(span)) lines.push_back(line);
  {
    Metrics metrics;
    SpanHarness harness("{}", &metrics);
    harness.feed_lines(lines);
    ASSERT_EQ(harness.outputs().size(), 2u);
    EXPECT_EQ(harness.outputs()[1].line, minified(span));
    EXPECT_EQ(counter(metrics, true, "not_json"), 4.0) << "blank lines are not counted";
    EXPECT_EQ(harness.committed(), harness.offset());
  }
  {
    Metrics metrics;
    SpanHarness harness("{malformed: keep}", &metrics);
    harness.feed_lines(lines);
    ASSERT_EQ(harness.outputs().size(), 6u);
    EXPECT_EQ(harness.outputs()[0].line, "Traceback (most recent call last):");
    EXPECT_EQ(harness.outputs()[0].kind, EntryKind::kLog);
    EXPECT_EQ(harness.outputs()[1].line, "oops }");
    EXPECT_EQ(harness.outputs()[2].kind, EntryKind::kSpan);
    EXPECT_EQ(harness.outputs()[3].line, "not json {");
    EXPECT_EQ(counter(metrics, false, "not_json"), 4.0);
    EXPECT_EQ(harness.committed(), harness.offset());
  }
}

TEST(SpansStage, BracesAndQuotesInsideStringsDoNotEndTheObject) {
  SpanHarness harness;
  const std::string attribute = R"("route": "/a/{id}}}\"{ [", "note": "\\\"}\\")";
  const std::string span = span_json(kTrace, kSpan, "null", "x}{", attribute);
  harness.feed_lines(split(span));
  ASSERT_EQ(harness.outputs().size(), 1u);
  EXPECT_EQ(harness.outputs()[0].line, minified(span));
  EXPECT_EQ(harness.outputs()[0].labels.at("span_name"), "x}{");
}

TEST(SpansStage, CompactObjectsShareLines) {
  SpanHarness harness;
  const std::string one = minified(span_json(kTrace, "0x1111111111111111"));
  const std::string two = minified(span_json(kTrace, "0x2222222222222222"));
  harness.feed(one);
  harness.feed(one + two + " " + one);
  const size_t cut = two.find(",\"kind\"") + 1;  // between two members, outside any string
  harness.feed(two.substr(0, cut));
  harness.feed(two.substr(cut));
  ASSERT_EQ(harness.outputs().size(), 5u);
  EXPECT_EQ(harness.outputs()[2].line, two);
  EXPECT_EQ(harness.outputs()[4].line, two) << "an object may continue on the next line";
  EXPECT_EQ(harness.outputs()[4].first_chunk, 2u);
  EXPECT_EQ(harness.outputs()[4].last_chunk, 3u);
}

TEST(SpansStage, CutObjectIsCountedAndTheStreamResyncsAtTheNextObject) {
  Metrics metrics;
  SpanHarness harness("{}", &metrics);
  const std::vector<std::string> lines = split(span_json(kTrace, kSpan));
  harness.feed_lines({lines.begin(), lines.begin() + 6});  // the writer died here
  harness.feed_lines(lines);
  harness.feed_lines({lines[0], lines[1], "    \"context\": {\"trace_id\": \"0x1"});  // cut line
  harness.feed_lines(lines);
  harness.feed_lines(split("{\n    \"name\": \"a\" \"b\"\n}"));  // invalid JSON
  harness.feed_lines(lines);
  EXPECT_EQ(harness.outputs().size(), 3u);
  EXPECT_EQ(counter(metrics, true, "truncated"), 2.0);
  EXPECT_EQ(counter(metrics, true, "invalid_json"), 1.0);
  EXPECT_EQ(harness.committed(), harness.offset());
}

TEST(SpansStage, HugeObjectsAreFramedAndOversizedOnesSkipped) {
  std::string events = "\"events\": [";
  for (int i = 0; i < 4000; ++i) {
    events += std::string(i ? ",\n" : "\n") + "        {\"name\": \"chunk " + std::to_string(i) +
              "\", \"attributes\": {\"data\": \"" + std::string(100, 'a' + i % 26) + "{\"}}";
  }
  events += "\n    ],";
  std::string huge = span_json(kTrace, kSpan);
  huge.replace(huge.find("\"events\": [],"), 13, events);
  ASSERT_GT(huge.size(), 500000u);
  {
    SpanHarness harness;
    harness.feed_lines(split(huge));
    ASSERT_EQ(harness.outputs().size(), 1u);
    EXPECT_EQ(harness.outputs()[0].line, minified(huge));
  }
  {
    Metrics metrics;
    SpanHarness harness("{max_object_bytes: 64KiB, malformed: keep}", &metrics);
    harness.feed_lines(split(huge));
    harness.feed_lines(split(span_json(kTrace, kSpan)));
    harness.feed(minified(huge));
    ASSERT_EQ(harness.outputs().size(), 1u) << "too large is dropped even with keep";
    EXPECT_EQ(harness.outputs()[0].metadata.at("span_id"), "e2e09b397a2b8738");
    EXPECT_EQ(counter(metrics, true, "too_large"), 2.0);
    EXPECT_EQ(harness.committed(), harness.offset());
  }
}

TEST(SpansStage, InterleavedDriverPrefixesAreFramedApart) {
  SpanHarness harness;
  const std::vector<std::string> a = split(span_json(kTrace, "0x1111111111111111"));
  const std::vector<std::string> b = split(span_json(kTrace, "0x2222222222222222"));
  std::vector<std::string> console;
  for (size_t i = 0; i < a.size(); ++i) {
    console.push_back("\x1b[36m(ProxyActor pid=4582)\x1b[0m " + a[i]);
    console.push_back("(ServeReplica:default:Model pid=4601, ip=10.0.0.5) " + b[i]);
  }
  harness.feed_lines(console);
  ASSERT_EQ(harness.outputs().size(), 2u);
  EXPECT_EQ(harness.outputs()[0].metadata.at("span_id"), "1111111111111111");
  EXPECT_EQ(harness.outputs()[1].metadata.at("span_id"), "2222222222222222");
  EXPECT_EQ(harness.outputs()[1].line, minified(span_json(kTrace, "0x2222222222222222")));
  EXPECT_EQ(harness.committed(), harness.offset());
}

TEST(SpansStage, OldSdkFlatResourceAndConfiguredLabels) {
  SpanHarness harness(
      "{labels: [span_name, service_name], structured_metadata: [trace_id, request_id]}");
  std::string span = span_json(kTrace, kSpan);
  // SDKs before 1.12 wrote the resource's attributes as a flat map.
  span.replace(span.find("\"resource\""), std::string::npos,
               "\"resource\": {\n        \"service.name\": \"unknown_service\"\n    }\n}");
  harness.feed_lines(split(span));
  ASSERT_EQ(harness.outputs().size(), 1u);
  const Output& out = harness.outputs()[0];
  EXPECT_EQ(out.labels.at("service_name"), "unknown_service");
  EXPECT_EQ(out.labels.count("span_kind"), 0u);
  EXPECT_EQ(out.metadata.count("span_id"), 0u);
  EXPECT_EQ(out.metadata.at("request_id"), "r-1");
}

TEST(SpansStage, ReleasedSpansRunThroughTheLaterStages) {
  std::vector<std::string> warnings;
  BuildContext ctx{&warnings, nullptr};
  config::ConfigNode list(YAML::Load("[{spans: {}}, {static_labels: {cluster: c1}}]"),
                          testing::test_config_file(), "pipeline_stages");
  auto chain = StageChain::build(&list, ctx);
  ASSERT_TRUE(chain) << chain.error().message;
  Arena arena;
  std::vector<std::string> delivered;
  for (const std::string& line : split(span_json(kTrace, kSpan))) {
    Entry entry;
    entry.line = arena.copy(line);
    chain->run(entry, arena, [&](Entry& out) {
      EXPECT_EQ(testing::label(out.labels, "cluster"), "c1");
      EXPECT_EQ(out.kind, EntryKind::kSpan);
      delivered.emplace_back(out.line);
    });
  }
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0], minified(span_json(kTrace, kSpan)));
}

TEST(SpansStage, ConfigErrorsNameTheKey) {
  EXPECT_NE(testing::build_error("spans: {malformed: maybe}").find("drop or keep"),
            std::string::npos);
  EXPECT_NE(testing::build_error("spans: {labels: [trace]}").find("\"trace\" is not a span value"),
            std::string::npos);
  EXPECT_NE(testing::build_error("spans: {max_object_bytes: 0}").find("positive"),
            std::string::npos);
  EXPECT_EQ(testing::build_error("spans: {}"), "");
  EXPECT_EQ(testing::build_error("spans:"), "");
}

}  // namespace
}  // namespace tailcast
