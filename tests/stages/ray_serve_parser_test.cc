// The Ray Serve line parser on its own: every text generation, both JSON encodings, driver
// prefixes, dedup suffixes, access-log messages, and Ray's file-name layout.
#include "stages/ray_serve_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "stages/ray_path.h"

namespace tailcast::stages::ray {
namespace {

TEST(RayServeParser, FormatAWithoutApplication) {
  const ParsedLine p = parse_line(
      "INFO 2023-04-10 15:59:45,403 SayHello SayHello#kTBlTj HzIYOzaEgN / monitoring.py:16 - "
      "Hello world!");
  ASSERT_EQ(p.kind, LineKind::kText);
  EXPECT_EQ(p.get(Slot::kLevel), "INFO");
  EXPECT_EQ(p.get(Slot::kTimestamp), "2023-04-10 15:59:45,403");
  EXPECT_EQ(p.get(Slot::kComponent), "replica");
  EXPECT_EQ(p.get(Slot::kDeployment), "SayHello");
  EXPECT_EQ(p.get(Slot::kApplication), "");
  EXPECT_EQ(p.get(Slot::kReplica), "SayHello#kTBlTj");
  EXPECT_EQ(p.get(Slot::kRequestId), "HzIYOzaEgN");
  EXPECT_EQ(p.get(Slot::kRoute), "/");
  EXPECT_EQ(p.get(Slot::kFile), "monitoring.py");
  EXPECT_EQ(p.get(Slot::kLine), "16");
  EXPECT_EQ(p.get(Slot::kMessage), "Hello world!");
}

TEST(RayServeParser, FormatBApplicationAfterRouteStripsThePrefix) {
  const ParsedLine p = parse_line(
      "INFO 2023-07-20 13:47:54,218 default_Model default_Model#yptKoo 123-234 / default "
      "replica.py:691 - __CALL__ OK 0.2ms");
  ASSERT_EQ(p.kind, LineKind::kText);
  EXPECT_EQ(p.get(Slot::kApplication), "default");
  EXPECT_EQ(p.get(Slot::kDeployment), "Model");
  EXPECT_EQ(p.get(Slot::kReplica), "default_Model#yptKoo");
  EXPECT_EQ(p.get(Slot::kMethod), "__CALL__");
  EXPECT_EQ(p.get(Slot::kStatus), "OK");
  EXPECT_EQ(p.get(Slot::kLatencyMs), "0.2");
  EXPECT_FALSE(slot_is_numeric(Slot::kStatus, p.get(Slot::kStatus)));
}

TEST(RayServeParser, FormatCSplitsComponentNameAtFirstUnderscore) {
  const ParsedLine p =
      parse_line("INFO 2024-02-27 16:05:11,244 default_Model 256v3hq4 replica.py:855 - Started.");
  ASSERT_EQ(p.kind, LineKind::kText);
  EXPECT_EQ(p.get(Slot::kApplication), "default");
  EXPECT_EQ(p.get(Slot::kDeployment), "Model");
  EXPECT_EQ(p.get(Slot::kReplica), "256v3hq4");
  EXPECT_EQ(p.get(Slot::kRequestId), "");
  EXPECT_EQ(p.get(Slot::kMessage), "Started.");
}

TEST(RayServeParser, FormatDReadsAccessLogWithRoute) {
  const ParsedLine p = parse_line(
      "INFO 2025-10-10 01:57:41,328 requests_Requests 9ag4tpqp 8a7ee04c-11 -- GET /output 200 3.0ms");
  ASSERT_EQ(p.kind, LineKind::kText);
  EXPECT_EQ(p.get(Slot::kRequestId), "8a7ee04c-11");
  EXPECT_EQ(p.get(Slot::kFile), "");
  EXPECT_EQ(p.get(Slot::kMessage), "GET /output 200 3.0ms");
  EXPECT_EQ(p.get(Slot::kMethod), "GET");
  EXPECT_EQ(p.get(Slot::kRoute), "/output");
  EXPECT_EQ(p.get(Slot::kStatus), "200");
  EXPECT_TRUE(slot_is_numeric(Slot::kStatus, "200"));
}

TEST(RayServeParser, ControllerAndProxyCarryComponentId) {
  const ParsedLine controller =
      parse_line("WARNING 2026-11-20 09:00:03,206 controller 2693 -- Adding 1 replica.");
  EXPECT_EQ(controller.get(Slot::kComponent), "controller");
  EXPECT_EQ(controller.get(Slot::kComponentId), "2693");
  EXPECT_EQ(controller.get(Slot::kDeployment), "");
  EXPECT_EQ(controller.get(Slot::kMessage), "Adding 1 replica.");
  const ParsedLine proxy = parse_line(
      "INFO 2023-04-10 15:59:45,403 http_proxy 10.0.0.1 abc / http_proxy.py:12 - GET / 200 3.5ms");
  EXPECT_EQ(proxy.get(Slot::kComponent), "proxy");
  EXPECT_EQ(proxy.get(Slot::kComponentId), "10.0.0.1");
  EXPECT_EQ(proxy.get(Slot::kRoute), "/");
  EXPECT_EQ(proxy.get(Slot::kStatus), "200");
}

TEST(RayServeParser, MessagesThatLookLikeAccessLogsOnlyPartly) {
  const ParsedLine p = parse_line(
      "INFO 2026-11-20 09:00:01,000 a_B x r / f.py:1 - Loaded model weights in 1.3s.");
  EXPECT_EQ(p.get(Slot::kMethod), "");
  const ParsedLine q = parse_line("INFO 2026-11-20 09:00:01,000 a_B x f.py:1 - took 12ms");
  EXPECT_EQ(q.get(Slot::kMethod), "");
}

TEST(RayServeParser, DriverPrefixAndDedupSuffixAreRemoved) {
  const ParsedLine raw = parse_line(
      "\x1b[36m(ServeReplica:default:Model pid=2676, ip=10.0.0.5)\x1b[0m ERROR 2026-11-20 "
      "09:00:06,106 default_Model 3i6lemef c4d8 /predict replica.py:373 - cache miss "
      "\x1b[32m[repeated 3x across cluster]\x1b[0m");
  EXPECT_EQ(raw.prefix, "(ServeReplica:default:Model pid=2676, ip=10.0.0.5)");
  EXPECT_TRUE(raw.needs_cleaning);
  std::string buffer(raw.body.size(), '\0');
  const ParsedLine p = parse_line({buffer.data(), strip_ansi(raw.body, buffer.data())});
  ASSERT_EQ(p.kind, LineKind::kText);
  EXPECT_EQ(p.get(Slot::kMessage), "cache miss");
  EXPECT_EQ(p.get(Slot::kRepeated), "3");
  EXPECT_TRUE(p.body.ends_with("cache miss [repeated 3x across cluster]"));
}

TEST(RayServeParser, DedupNoteAfterTheSuffixIsRemovedToo) {
  const ParsedLine p = parse_line(
      "INFO 2026-11-20 09:00:06,106 controller 1 -- hi [repeated 12x across cluster] (Ray "
      "deduplicates logs by default. Set RAY_DEDUP_LOGS=0 to disable log deduplication.)");
  EXPECT_EQ(p.get(Slot::kMessage), "hi");
  EXPECT_EQ(p.get(Slot::kRepeated), "12");
}

TEST(RayServeParser, TracebackAndPrefixedTracebackAreContinuations) {
  EXPECT_EQ(parse_line("Traceback (most recent call last):").kind, LineKind::kUnknown);
  const ParsedLine p = parse_line("\x1b[36m(ServeReplica:a:B pid=7)\x1b[0m   File \"x.py\", line 1");
  EXPECT_EQ(p.kind, LineKind::kUnknown);
  EXPECT_EQ(p.prefix, "(ServeReplica:a:B pid=7)");
  EXPECT_EQ(p.body, "  File \"x.py\", line 1");
  EXPECT_EQ(parse_line("(not a prefix) INFO").prefix, "");
}

TEST(RayServeParser, BadLevelOrTimestampIsNotARecord) {
  EXPECT_EQ(parse_line("NOTICE 2026-11-20 09:00:06,106 controller 1 -- x").kind, LineKind::kUnknown);
  EXPECT_EQ(parse_line("INFO 2026-11-20 09:00:06.106 controller 1 -- x").kind, LineKind::kUnknown);
  EXPECT_EQ(parse_line("INFO 2026-13-20 09:00:06,106 controller 1 -- x").kind, LineKind::kUnknown);
  EXPECT_EQ(parse_line("INFO").kind, LineKind::kUnknown);
  EXPECT_EQ(parse_line("").kind, LineKind::kUnknown);
}

TEST(RayServeParser, MagicLinesCarryTheirValue) {
  const ParsedLine p = parse_line(":actor_name:ServeReplica:default:Model");
  EXPECT_EQ(p.kind, LineKind::kMagic);
  EXPECT_EQ(p.magic, Magic::kActorName);
  EXPECT_EQ(p.magic_value, "ServeReplica:default:Model");
  EXPECT_EQ(parse_line(":job_id:01000000").magic, Magic::kJobId);
  EXPECT_EQ(parse_line(":task_name:f").magic, Magic::kTaskName);
  EXPECT_EQ(parse_line(":other:x").kind, LineKind::kUnknown);
}

TEST(RayServeParser, MidJsonSplitsFileLineAndApplicationPrefix) {
  const ParsedLine p = parse_line(
      R"({"levelname": "INFO", "asctime": "2026-11-20 09:00:04,493", "deployment": "chat_LLMServer", )"
      R"("replica": "xlz2i2ae", "component_name": "replica", "request_id": "b6", "route": "/", )"
      R"("application": "chat", "message": "replica.py:719 - GET 200 1.5ms"})");
  ASSERT_EQ(p.kind, LineKind::kJson);
  EXPECT_EQ(p.get(Slot::kApplication), "chat");
  EXPECT_EQ(p.get(Slot::kDeployment), "LLMServer");
  EXPECT_EQ(p.get(Slot::kFile), "replica.py");
  EXPECT_EQ(p.get(Slot::kLine), "719");
  EXPECT_EQ(p.get(Slot::kMessage), "GET 200 1.5ms");
  EXPECT_EQ(p.get(Slot::kStatus), "200");
}

TEST(RayServeParser, NewestJsonKeepsBareMessageAndSkipsNestedValues) {
  const ParsedLine p = parse_line(
      R"({"asctime": "2026-11-20 09:00:05,179", "levelname": "ERROR", "message": "say \"hi\"\n", )"
      R"("extra": {"a": [1, "}"]}, "filename": "model.py", "lineno": 57, "deployment": "my_dep", )"
      R"("replica": "w5", "component_name": "replica", "timestamp_ns": 1764000013276665646})");
  ASSERT_EQ(p.kind, LineKind::kJson);
  EXPECT_EQ(p.get(Slot::kFile), "model.py");
  EXPECT_EQ(p.get(Slot::kLine), "57");
  EXPECT_EQ(p.get(Slot::kDeployment), "my_dep");  // bare in this encoding: no split
  EXPECT_EQ(p.get(Slot::kApplication), "");
  EXPECT_EQ(p.get(Slot::kTimestampNs), "1764000013276665646");
  ASSERT_TRUE(p.is_escaped(Slot::kMessage));
  std::string buffer(p.get(Slot::kMessage).size(), '\0');
  EXPECT_EQ(std::string_view(buffer.data(), unescape_json(p.get(Slot::kMessage), buffer.data())),
            "say \"hi\"\n");
}

TEST(RayServeParser, JsonWithoutServeKeysOrMalformedIsUnknown) {
  EXPECT_EQ(parse_line(R"({"msg": "hello", "level": "info"})").kind, LineKind::kUnknown);
  EXPECT_EQ(parse_line(R"({"levelname": "INFO", "asctime": "x")").kind, LineKind::kUnknown);
}

TEST(RayServeParser, UnescapeDecodesSurrogatePairs) {
  const std::string_view in = R"(\u00e9\ud83d\ude00\/\q)";
  std::string out(in.size(), '\0');
  out.resize(unescape_json(in, out.data()));
  EXPECT_EQ(out, "\xC3\xA9\xF0\x9F\x98\x80/\\q");
}

TEST(RayServeParser, AsctimeToCivilTime) {
  CivilTime civil;
  ASSERT_TRUE(parse_asctime("2026-11-20 09:00:06,019", civil));
  EXPECT_EQ(civil.year, 2026);
  EXPECT_EQ(civil.millis, 19);
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
}

TEST(RayPath, ServeFileNames) {
  RayPath p = parse_ray_path("/tmp/ray/session_x/logs/serve/replica_default_Model_vKGXNm.log");
  EXPECT_EQ(p.kind, FileKind::kServeReplica);
  EXPECT_EQ(p.application, "default");
  EXPECT_EQ(p.deployment, "Model");
  EXPECT_EQ(p.replica, "vKGXNm");
  p = parse_ray_path("logs/serve/deployment_chat_Tokenizer_chat_Tokenizer#ysioxg.log.2");
  EXPECT_EQ(p.kind, FileKind::kServeDeployment);
  EXPECT_EQ(p.application, "chat");
  EXPECT_EQ(p.deployment, "Tokenizer");
  EXPECT_EQ(p.replica, "chat_Tokenizer#ysioxg");
  p = parse_ray_path("logs/serve/deployment_LLMServer_LLMServer#HqsCbS.log");
  EXPECT_EQ(p.application, "");
  EXPECT_EQ(p.deployment, "LLMServer");
  EXPECT_EQ(parse_ray_path("logs/serve/controller_2693.log").component_id, "2693");
  EXPECT_EQ(parse_ray_path("logs/serve/proxy_10.0.0.5.log").component_id, "10.0.0.5");
  EXPECT_EQ(parse_ray_path("logs/serve/http_proxy_10.0.0.5.log").kind, FileKind::kServeProxy);
  EXPECT_EQ(parse_ray_path("logs/serve/http_proxy_10.0.0.5.log").component_id, "10.0.0.5");
  EXPECT_EQ(parse_ray_path("/var/log/controller_1.log").kind, FileKind::kOther);
}

TEST(RayPath, WorkerAndDriverFileNames) {
  RayPath p = parse_ray_path("logs/worker-4718aa-01000000-2700.err");
  EXPECT_EQ(p.kind, FileKind::kWorker);
  EXPECT_EQ(p.worker_id, "4718aa");
  EXPECT_EQ(p.job_id, "01000000");
  EXPECT_EQ(p.pid, "2700");
  EXPECT_EQ(parse_ray_path("logs/worker-xyz-01-2.out").kind, FileKind::kOther);
  p = parse_ray_path("logs/python-core-worker-ab12_77.log");
  EXPECT_EQ(p.kind, FileKind::kCoreWorker);
  EXPECT_EQ(p.pid, "77");
  p = parse_ray_path("logs/job-driver-raysubmit_ngvqevuf.log");
  EXPECT_EQ(p.kind, FileKind::kJobDriver);
  EXPECT_EQ(p.submission_id, "raysubmit_ngvqevuf");
}

}  // namespace
}  // namespace tailcast::stages::ray
