// LogEncoder and the JSON transcoder, checked by decoding their bytes with libprotobuf classes
// generated from the test's own OTLP .proto files.
#include "sinks/otlp/log_encoder.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <map>

#include "sinks/otlp/gzip.h"
#include "sinks/otlp/json_transcoder.h"
#include "tests/sinks/otlp/batch_builder.h"
#include "tests/support/otlp_receiver.h"

namespace tailcast::sinks::otlp {
namespace {

using tailcast::testing::any_value_text;
using tailcast::testing::hex_of;
using testing::add_entry;
namespace logs = opentelemetry::proto::logs::v1;

constexpr int64_t kObserved = 1'800'000'000'000'000'000;
constexpr std::string_view kTraceHex = "4bf92f3577b34da6a3ce929d0e0e4736";

std::map<std::string, std::string> attributes(
    const google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>& list) {
  std::map<std::string, std::string> out;
  for (const auto& kv : list) out[kv.key()] = any_value_text(kv.value());
  return out;
}

// Two replicas of one deployment and a controller; a span entry that logs must leave out.
std::unique_ptr<Batch> ray_batch() {
  auto batch = std::make_unique<Batch>("");
  add_entry(*batch, "INFO replica a", 1'000,
            {{"job", "ray"},
             {"application", "chat"},
             {"replica", "a1"},
             {"level", "INFO"},
             {"filename", "/logs/a.log"}},
            {{"request_id", "r-1"}, {"trace_id", kTraceHex}, {"span_id", "0x00f067aa0ba902b7"}});
  add_entry(*batch, "WARNING replica a", 2'000,
            {{"job", "ray"},
             {"application", "chat"},
             {"replica", "a1"},
             {"level", "WARNING"},
             {"filename", "/logs/a.log"}},
            {{"trace_id", "not-hex"}});
  add_entry(*batch, "ERROR replica b", 3'000,
            {{"job", "ray"},
             {"application", "chat"},
             {"replica", "b2"},
             {"level", "ERROR"},
             {"filename", "/logs/b.log"}});
  add_entry(*batch, "", 4'000, {{"job", "ray"}, {"component", "controller"}},
            {{"level", "critical"}});
  add_entry(*batch, R"({"name":"span"})", 5'000, {{"job", "ray"}}, {}, EntryKind::kSpan);
  return batch;
}

OtlpSinkConfig config_with_resource() {
  OtlpSinkConfig config;
  config.endpoint = "http://127.0.0.1:1";
  config.resource_attributes = {{"host.name", "node-1"}};
  return config;
}

logs::ExportLogsServiceRequest decode(const std::string& bytes) {
  logs::ExportLogsServiceRequest request;
  EXPECT_TRUE(request.ParseFromString(bytes));
  return request;
}

TEST(OtlpLogEncoder, RecordsAreGroupedByResourceWithTheirSeverityBodyAndAttributes) {
  LogEncoder encoder(config_with_resource());
  std::string bytes;
  auto batch = ray_batch();
  EXPECT_EQ(encoder.encode(*batch, kObserved, bytes), 4u) << "the span entry is not a log";
  auto request = decode(bytes);

  // Replica a1, replica b2, the controller: three emitters.
  ASSERT_EQ(request.resource_logs_size(), 3);
  std::map<std::string, const logs::ResourceLogs*> by_replica;
  for (const auto& resource_logs : request.resource_logs()) {
    auto resource = attributes(resource_logs.resource().attributes());
    EXPECT_EQ(resource["host.name"], "node-1");
    EXPECT_EQ(resource["job"], "ray");
    by_replica[resource.count("replica") ? resource["replica"] : "none"] = &resource_logs;
    ASSERT_EQ(resource_logs.scope_logs_size(), 1);
    EXPECT_EQ(resource_logs.scope_logs(0).scope().name(), "tailcast");
  }
  auto a1 = attributes(by_replica.at("a1")->resource().attributes());
  EXPECT_EQ(a1["service.name"], "chat") << "service.name comes from the application label";
  EXPECT_EQ(attributes(by_replica.at("none")->resource().attributes()).count("service.name"), 0u);

  const auto& records = by_replica.at("a1")->scope_logs(0).log_records();
  ASSERT_EQ(records.size(), 2);
  const logs::LogRecord& info = records[0];
  EXPECT_EQ(info.time_unix_nano(), 1'000u);
  EXPECT_EQ(info.observed_time_unix_nano(), static_cast<uint64_t>(kObserved));
  EXPECT_EQ(info.severity_number(), logs::SEVERITY_NUMBER_INFO);
  EXPECT_EQ(info.severity_text(), "INFO");
  EXPECT_EQ(info.body().string_value(), "INFO replica a");
  auto info_attributes = attributes(info.attributes());
  EXPECT_EQ(info_attributes, (std::map<std::string, std::string>{{"filename", "/logs/a.log"},
                                                                 {"request_id", "r-1"}}))
      << "resource labels, level and the trace context are not record attributes";
  EXPECT_EQ(hex_of(info.trace_id()), kTraceHex);
  EXPECT_EQ(hex_of(info.span_id()), "00f067aa0ba902b7");

  const logs::LogRecord& warning = records[1];
  EXPECT_EQ(warning.severity_number(), logs::SEVERITY_NUMBER_WARN);
  EXPECT_TRUE(warning.trace_id().empty());
  EXPECT_EQ(attributes(warning.attributes())["trace_id"], "not-hex")
      << "an id that is not hex stays an attribute";

  EXPECT_EQ(by_replica.at("b2")->scope_logs(0).log_records(0).severity_number(),
            logs::SEVERITY_NUMBER_ERROR);
  const auto& controller = by_replica.at("none")->scope_logs(0).log_records(0);
  EXPECT_EQ(controller.severity_number(), logs::SEVERITY_NUMBER_FATAL) << "level from metadata";
  EXPECT_EQ(controller.severity_text(), "critical");
  EXPECT_TRUE(controller.has_body()) << "an empty line is still a string body";
  EXPECT_EQ(controller.body().value_case(),
            opentelemetry::proto::common::v1::AnyValue::kStringValue);
}

TEST(OtlpLogEncoder, ABatchWithoutLogsEncodesNothing) {
  LogEncoder encoder(config_with_resource());
  Batch batch("");
  add_entry(batch, "{}", 1, {{"job", "ray"}}, {}, EntryKind::kSpan);
  std::string bytes = "stale";
  EXPECT_EQ(encoder.encode(batch, kObserved, bytes), 0u);
  EXPECT_TRUE(bytes.empty());
}

TEST(OtlpJsonTranscoder, JsonDecodesToTheSameRequestAsTheProtobuf) {
  LogEncoder encoder(config_with_resource());
  std::string bytes;
  auto batch = ray_batch();
  encoder.encode(*batch, kObserved, bytes);
  std::string json;
  ASSERT_TRUE(transcode_to_json(Signal::kLogs, bytes, json));
  // OTLP JSON's own rules, checked on the text.
  EXPECT_NE(json.find("\"resourceLogs\":["), std::string::npos) << json;
  EXPECT_NE(json.find("\"traceId\":\"" + std::string(kTraceHex) + "\""), std::string::npos);
  EXPECT_NE(json.find("\"severityNumber\":9"), std::string::npos) << "enums are integers";
  EXPECT_NE(json.find("\"timeUnixNano\":\"1000\""), std::string::npos) << "fixed64 as string";
  EXPECT_EQ(json.find("time_unix_nano"), std::string::npos) << "no snake_case keys";

  logs::ExportLogsServiceRequest from_json;
  google::protobuf::util::JsonParseOptions options;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  tailcast::testing::otlp_json_to_proto3_json(json), &from_json, options)
                  .ok())
      << json;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(from_json, decode(bytes)));
}

TEST(OtlpJsonTranscoder, MalformedProtobufIsRefused) {
  std::string json;
  EXPECT_FALSE(transcode_to_json(Signal::kLogs, std::string("\x0a\x05\x01", 3), json));
}

TEST(OtlpGzip, TheBodyInflatesBackToTheInput) {
  std::string input(10000, 'x');
  for (size_t i = 0; i < input.size(); i += 7) input[i] = static_cast<char>('a' + i % 26);
  std::string compressed;
  ASSERT_TRUE(gzip_compress(input, compressed));
  EXPECT_LT(compressed.size(), input.size());

  z_stream stream{};
  ASSERT_EQ(inflateInit2(&stream, 15 + 16), Z_OK) << "gzip framing, not zlib's";
  std::string inflated(input.size() + 16, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(inflated.data());
  stream.avail_out = static_cast<uInt>(inflated.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  inflated.resize(stream.total_out);
  inflateEnd(&stream);
  EXPECT_EQ(inflated, input);
}

}  // namespace
}  // namespace tailcast::sinks::otlp
