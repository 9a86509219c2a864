// SpanEncoder: OpenTelemetry JSON spans (the shared fixtures' old and new Python SDK shapes, and
// hand-written ones for the rarer fields) decoded back with libprotobuf classes generated from
// the test's own OTLP .proto files.
#include "sinks/otlp/span_encoder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "tests/sinks/otlp/batch_builder.h"
#include "tests/support/otlp_receiver.h"
#include "tests/support/temp_dir.h"

namespace tailcast::sinks::otlp {
namespace {

namespace fs = std::filesystem;
namespace trace = opentelemetry::proto::trace::v1;
using tailcast::testing::any_value_text;
using tailcast::testing::hex_of;
using testing::add_entry;

const fs::path kSession = fs::path(TC_FIXTURES_DIR) / "ray" /
                          "session_2026-11-20_09-00-00_690579_1652" / "logs" / "serve" / "spans";
const fs::path kExpected = fs::path(TC_FIXTURES_DIR) / "expected" /
                           "session_2026-11-20_09-00-00_690579_1652" / "logs" / "serve" / "spans";

// The pretty-printed objects of a ConsoleSpanExporter file, each made compact as the spans
// stage emits them.
std::vector<std::string> compact_spans(const fs::path& file) {
  simdjson::dom::parser parser;
  simdjson::padded_string text = simdjson::padded_string::load(file.string()).value();
  std::vector<std::string> out;
  simdjson::dom::document_stream stream;
  EXPECT_EQ(parser.parse_many(text).get(stream), simdjson::SUCCESS);
  for (auto document : stream) out.push_back(simdjson::minify(document.value()));
  return out;
}

std::vector<trace::Span> decode_spans(const std::string& bytes,
                                      std::vector<std::map<std::string, std::string>>* resources) {
  trace::ExportTraceServiceRequest request;
  EXPECT_TRUE(request.ParseFromString(bytes));
  std::vector<trace::Span> out;
  for (const auto& resource_spans : request.resource_spans()) {
    std::map<std::string, std::string> resource;
    for (const auto& kv : resource_spans.resource().attributes())
      resource[kv.key()] = any_value_text(kv.value());
    for (const auto& scope_spans : resource_spans.scope_spans()) {
      EXPECT_EQ(scope_spans.scope().name(), "tailcast");
      for (const auto& span : scope_spans.spans()) {
        out.push_back(span);
        if (resources) resources->push_back(resource);
      }
    }
  }
  return out;
}

std::map<std::string, std::string> attributes_of(const trace::Span& span) {
  std::map<std::string, std::string> out;
  for (const auto& kv : span.attributes()) out[kv.key()] = any_value_text(kv.value());
  return out;
}

const char* kind_name(int kind) {
  constexpr const char* kNames[] = {"UNSPECIFIED", "INTERNAL", "SERVER",
                                    "CLIENT",      "PRODUCER", "CONSUMER"};
  return kNames[kind];
}

const char* status_name(int code) {
  constexpr const char* kNames[] = {"UNSET", "OK", "ERROR"};
  return kNames[code];
}

class OtlpSpanFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(OtlpSpanFixtures, EverySpanKeepsItsIdsParentKindStatusAndRequestId) {
  OtlpSinkConfig config;
  config.endpoint = "http://127.0.0.1:1";
  SpanEncoder encoder(config);
  Batch batch("");
  auto spans = compact_spans(kSession / GetParam());
  for (const std::string& span : spans)
    add_entry(batch, span, 1, {{"job", "ray"}}, {}, EntryKind::kSpan);
  std::string bytes;
  SpanCounts counts = encoder.encode(batch, bytes);
  EXPECT_EQ(counts.spans, spans.size());
  EXPECT_EQ(counts.invalid, 0u);
  std::vector<std::map<std::string, std::string>> resources;
  auto decoded = decode_spans(bytes, &resources);

  std::multiset<std::string> got;
  for (size_t i = 0; i < decoded.size(); ++i) {
    const trace::Span& span = decoded[i];
    got.insert(hex_of(span.trace_id()) + " " + hex_of(span.span_id()) + " " +
               hex_of(span.parent_span_id()) + " " + span.name() + " " + kind_name(span.kind()) +
               " " + status_name(span.status().code()) + " " + attributes_of(span)["request_id"]);
    EXPECT_GT(span.end_time_unix_nano(), span.start_time_unix_nano());
    EXPECT_EQ(resources[i]["telemetry.sdk.language"], "python") << "the span's own resource";
    EXPECT_EQ(resources[i]["service.name"], "unknown_service");
  }
  std::multiset<std::string> expected;
  simdjson::dom::parser parser;
  std::ifstream in(kExpected / (GetParam() + ".spans.jsonl"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    simdjson::dom::element e = parser.parse(line);
    auto text = [&](const char* key) { return std::string(e[key].get_string().value()); };
    expected.insert(text("trace_id") + " " + text("span_id") + " " + text("parent_span_id") + " " +
                    text("name") + " " + text("kind") + " " + text("status") + " " +
                    text("request_id"));
  }
  EXPECT_EQ(got, expected);
}

INSTANTIATE_TEST_SUITE_P(Files, OtlpSpanFixtures,
                         ::testing::Values("proxy_10.0.0.5_tracing.json",
                                           "replica_default_Model_gsslcw9t_tracing.json"));

TEST(OtlpSpanEncoder, TimesTypedAttributesEventsLinksAndStatusAreKept) {
  OtlpSinkConfig config;
  config.endpoint = "http://127.0.0.1:1";
  config.resource_attributes = {{"service.name", "ray-serve"}, {"host.name", "node-1"}};
  SpanEncoder encoder(config);
  Batch batch("");
  add_entry(batch,
            R"({"name":"llm","context":{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",)"
            R"("span_id":"00f067aa0ba902b7","trace_state":"[{key=vendor, value=abc}]"},)"
            R"("kind":3,"parent_id":null,"start_time":"2025-11-24T16:00:00.217592Z",)"
            R"("end_time":1764000000300000000,"status":{"status_code":"ERROR",)"
            R"("description":"boom"},"attributes":{"s":"x","i":-7,"d":1.5,"b":false,)"
            R"("list":["a",2],"none":null},"events":[{"name":"exception",)"
            R"("timestamp":"2025-11-24T16:00:00.25Z","attributes":{"exception.type":"E"}}],)"
            R"("links":[{"context":{"trace_id":"0x0af7651916cd43dd8448eb211c80319c",)"
            R"("span_id":"0xb7ad6b7169203331"},"attributes":{"why":"retry"}}],)"
            R"("resource":{"attributes":{"service.name":"unknown_service","team":"ml"}}})",
            1, {{"job", "ray"}, {"application", "chat"}}, {}, EntryKind::kSpan);
  std::string bytes;
  ASSERT_EQ(encoder.encode(batch, bytes).spans, 1u);
  std::vector<std::map<std::string, std::string>> resources;
  auto spans = decode_spans(bytes, &resources);
  ASSERT_EQ(spans.size(), 1u);
  const trace::Span& span = spans[0];
  EXPECT_EQ(span.trace_state(), "vendor=abc");
  EXPECT_TRUE(span.parent_span_id().empty()) << "a null parent is a root";
  EXPECT_EQ(span.kind(), trace::Span::SPAN_KIND_CLIENT) << "a number is OTLP's";
  EXPECT_EQ(span.start_time_unix_nano(), 1764000000217592000u);
  EXPECT_EQ(span.end_time_unix_nano(), 1764000000300000000u);
  EXPECT_EQ(span.status().code(), trace::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(span.status().message(), "boom");
  EXPECT_EQ(span.flags() & 0xff, 1u) << "exported spans are sampled";

  std::map<std::string, opentelemetry::proto::common::v1::AnyValue> typed;
  for (const auto& kv : span.attributes()) typed[kv.key()] = kv.value();
  EXPECT_EQ(typed.count("none"), 0u);
  EXPECT_EQ(typed["s"].string_value(), "x");
  EXPECT_EQ(typed["i"].int_value(), -7);
  EXPECT_EQ(typed["d"].double_value(), 1.5);
  EXPECT_TRUE(typed["b"].has_bool_value());
  EXPECT_FALSE(typed["b"].bool_value());
  ASSERT_EQ(typed["list"].array_value().values_size(), 2);
  EXPECT_EQ(typed["list"].array_value().values(1).int_value(), 2);

  ASSERT_EQ(span.events_size(), 1);
  EXPECT_EQ(span.events(0).name(), "exception");
  EXPECT_EQ(span.events(0).time_unix_nano(), 1764000000250000000u);
  EXPECT_EQ(span.events(0).attributes(0).value().string_value(), "E");
  ASSERT_EQ(span.links_size(), 1);
  EXPECT_EQ(hex_of(span.links(0).trace_id()), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(hex_of(span.links(0).span_id()), "b7ad6b7169203331");

  EXPECT_EQ(resources[0]["service.name"], "ray-serve") << "configured over the placeholder";
  EXPECT_EQ(resources[0]["team"], "ml");
  EXPECT_EQ(resources[0]["host.name"], "node-1");
  EXPECT_EQ(resources[0]["application"], "chat");
}

TEST(OtlpSpanEncoder, LinesThatAreNotSpansAreCountedAndLeftOut) {
  OtlpSinkConfig config;
  config.endpoint = "http://127.0.0.1:1";
  SpanEncoder encoder(config);
  Batch batch("");
  add_entry(batch, "not json", 1, {{"job", "ray"}}, {}, EntryKind::kSpan);
  add_entry(batch, R"({"name":"no ids"})", 1, {{"job", "ray"}}, {}, EntryKind::kSpan);
  add_entry(batch,
            R"({"context":{"trace_id":"0x00000000000000000000000000000000",)"
            R"("span_id":"0x00f067aa0ba902b7"}})",
            1, {{"job", "ray"}}, {}, EntryKind::kSpan);
  add_entry(batch, "a log line", 1, {{"job", "ray"}});
  std::string bytes;
  SpanCounts counts = encoder.encode(batch, bytes);
  EXPECT_EQ(counts.spans, 0u);
  EXPECT_EQ(counts.invalid, 3u);
  EXPECT_TRUE(bytes.empty());
}

TEST(OtlpSpanEncoder, IsoTimesAndPythonTraceStatesParse) {
  EXPECT_EQ(parse_iso8601_ns("1970-01-01T00:00:01Z"), 1'000'000'000);
  EXPECT_EQ(parse_iso8601_ns("2025-11-24T16:00:00.217592Z"), 1764000000217592000);
  EXPECT_EQ(parse_iso8601_ns("2025-11-24T17:00:00.5+01:00"), 1764000000500000000);
  EXPECT_EQ(parse_iso8601_ns("2025-11-24T16:00:00.123456789Z"), 1764000000123456789);
  EXPECT_FALSE(parse_iso8601_ns("2025-13-24T16:00:00Z"));
  EXPECT_FALSE(parse_iso8601_ns("yesterday"));
  EXPECT_EQ(trace_state_of("[]"), "");
  EXPECT_EQ(trace_state_of("[{key=a, value=1}, {key=b, value=2}]"), "a=1,b=2");
  EXPECT_EQ(trace_state_of("a=1,b=2"), "a=1,b=2");
}

}  // namespace
}  // namespace tailcast::sinks::otlp
