// The real tailcast binary over a copy of the fixture Ray session, exporting over OTLP/HTTP to a
// receiver that decodes with libprotobuf: every log record arrives as a LogRecord with the
// fixtures' labels and request_id as attributes, a 503 outage loses nothing, and every span of the
// span files arrives with the parent links of the expected traces.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "tests/integration/ray_fixture_logs.h"
#include "tests/support/otlp_receiver.h"
#include "tests/support/process.h"
#include "tests/support/reserved_port.h"
#include "tests/support/temp_dir.h"

namespace tailcast {
namespace {

namespace fs = std::filesystem;
using testing::ChildProcess;
using testing::OtlpReceiver;
using testing::TempDir;

std::string config_text(const std::string& endpoint, const fs::path& dir, bool spans) {
  std::string text = "server:\n  http_listen_port: 0\npositions:\n  filename: " +
                     (dir / "positions.yaml").string() +
                     "\nsinks:\n  - otlp:\n      endpoint: " + endpoint +
                     "\n      batchwait: 50ms\n      batchsize: 65536\n"
                     "      backoff: {min_period: 20ms, max_period: 200ms, max_retries: 0}\n"
                     "      resource_attributes: {host.name: node-1}\n"
                     "scrape_configs:\n  - job_name: test\n    static_configs:\n"
                     "      - labels:\n          job: ray\n          __path__: ";
  if (spans) {
    text += (dir / "logs" / "**" / "*{tracing.json,spans*.log}").string() +
            "\n    pipeline_stages:\n      - spans:\n";
  } else {
    text += (dir / "logs" / "**" / "*.{log,out}").string() +
            "\n    pipeline_stages:\n      - ray_serve:\n";
  }
  return text;
}

using Record = testing::FixtureRecord;

// A LogRecord back as (labels, structured metadata): resource attributes and record attributes
// are the labels, severity_text the level, request_id the metadata.
std::pair<std::string, Record> as_record(const testing::ReceivedLogRecord& received) {
  Record record;
  for (const auto& [key, value] : received.resource)
    if (key != "service.name" && key != "host.name") record.first[key] = value;
  for (const auto& kv : received.record.attributes()) {
    std::string value = testing::any_value_text(kv.value());
    if (kv.key() == "request_id") {
      record.second[kv.key()] = value;
    } else {
      record.first[kv.key()] = value;
    }
  }
  if (!received.record.severity_text().empty())
    record.first["level"] = received.record.severity_text();
  std::string file = fs::path(record.first["filename"]).filename().string();
  record.first.erase("filename");
  record.first.erase("job");
  return {file, record};
}

struct TailcastRun {
  TempDir dir;
  OtlpReceiver receiver;
  std::unique_ptr<ChildProcess> child;

  void start_once(bool spans) {
    dir.write("tailcast.yaml", config_text(receiver.endpoint(), dir.path(), spans));
    child = std::make_unique<ChildProcess>(
        std::vector<std::string>{TC_BINARY, "-config.file=" + (dir / "tailcast.yaml").string(),
                                 "-once"},
        dir / "stdout", dir / "stderr");
  }
  std::string log() const { return testing::read_file(dir / "stderr"); }
};

TEST(OtlpDelivery, EveryFixtureRecordArrivesAsALogRecordWithItsAttributes) {
  TailcastRun run;
  testing::copy_fixture_logs(run.dir / "logs");
  run.start_once(false);
  ASSERT_EQ(run.child->wait(std::chrono::seconds(60)), 0) << run.log();

  auto expected = testing::expected_fixture_records();
  std::map<std::string, std::multiset<Record>> received;
  for (const auto& record : run.receiver.log_records()) {
    EXPECT_EQ(record.resource.at("host.name"), "node-1");
    EXPECT_EQ(record.resource.at("job"), "ray");
    EXPECT_GT(record.record.time_unix_nano(), 0u);
    EXPECT_GT(record.record.observed_time_unix_nano(), 0u);
    if (auto application = record.resource.find("application");
        application != record.resource.end()) {
      EXPECT_EQ(record.resource.at("service.name"), application->second);
    }
    auto [file, as_expected] = as_record(record);
    received[file].insert(as_expected);
  }
  EXPECT_EQ(testing::record_count(received), testing::record_count(expected));
  for (const auto& [file, records] : expected) EXPECT_EQ(received[file], records) << file;
}

TEST(OtlpDelivery, NothingIsLostWhenTheFirstExportsGet503) {
  TailcastRun run;
  testing::copy_fixture_logs(run.dir / "logs");
  run.receiver.respond_with({503, 503, 503});
  run.start_once(false);
  ASSERT_EQ(run.child->wait(std::chrono::seconds(60)), 0) << run.log();
  auto records = run.receiver.log_records();
  std::set<std::pair<std::string, std::string>> unique;
  for (const auto& record : records) {
    std::string file;
    for (const auto& kv : record.record.attributes())
      if (kv.key() == "filename") file = kv.value().string_value();
    unique.emplace(file, record.record.body().string_value());
  }
  EXPECT_EQ(records.size(), testing::record_count(testing::expected_fixture_records()));
  EXPECT_EQ(unique.size(), records.size()) << "no record twice";
  size_t refused = 0;
  for (const auto& e : run.receiver.exports()) refused += e.status == 503;
  EXPECT_EQ(refused, 3u);
}

struct ExpectedSpan {
  std::string parent;
  std::string name;
  std::string kind;
};

TEST(OtlpDelivery, EverySpanArrivesAndItsParentsFormTheExpectedTrees) {
  TailcastRun run;
  testing::copy_fixture_logs(run.dir / "logs", true);
  run.start_once(true);
  ASSERT_EQ(run.child->wait(std::chrono::seconds(60)), 0) << run.log();

  // (trace_id, span_id) → parent and name, from every .spans.jsonl.
  std::map<std::pair<std::string, std::string>, ExpectedSpan> expected;
  size_t expected_count = 0;
  simdjson::dom::parser parser;
  for (const auto& item : fs::recursive_directory_iterator(testing::kFixtureExpected)) {
    if (item.path().string().find(".spans.jsonl") == std::string::npos) continue;
    std::ifstream in(item.path());
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      simdjson::dom::element e = parser.parse(line);
      auto text = [&](const char* key) { return std::string(e[key].get_string().value()); };
      expected[{text("trace_id"), text("span_id")}] =
          ExpectedSpan{text("parent_span_id"), text("name"), text("kind")};
      ++expected_count;
    }
  }
  auto spans = run.receiver.spans();
  EXPECT_EQ(spans.size(), expected_count);
  std::map<std::pair<std::string, std::string>, ExpectedSpan> got;
  constexpr const char* kKinds[] = {"UNSPECIFIED", "INTERNAL", "SERVER",
                                    "CLIENT",      "PRODUCER", "CONSUMER"};
  for (const auto& received : spans) {
    const auto& span = received.span;
    got[{testing::hex_of(span.trace_id()), testing::hex_of(span.span_id())}] =
        ExpectedSpan{testing::hex_of(span.parent_span_id()), span.name(), kKinds[span.kind()]};
  }
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [ids, want] : expected) {
    auto found = got.find(ids);
    ASSERT_NE(found, got.end()) << ids.first << "/" << ids.second;
    EXPECT_EQ(found->second.parent, want.parent) << ids.second;
    EXPECT_EQ(found->second.name, want.name) << ids.second;
    EXPECT_EQ(found->second.kind, want.kind) << ids.second;
    // Every parent is a span of the same trace that arrived too: the trees are whole.
    if (!want.parent.empty()) {
      EXPECT_TRUE(got.count({ids.first, want.parent})) << ids.second;
    }
  }
}

}  // namespace
}  // namespace tailcast
