// The `ray_serve` stage built from YAML: options, labels and metadata, timestamps, the hold /
// release / flush protocol of traceback folding with the chunks it retains, worker magic lines and
// the handling of lines it does not recognise.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "pipeline/metrics.h"
#include "tests/stages/ray_test_util.h"

namespace tailcast::testing {
namespace {

using namespace std::chrono_literals;

const std::string kReplicaLog = "/tmp/ray/session_1/logs/serve/replica_app_Model_abc12345.log";
const std::string kDriverLog = "/tmp/ray/session_1/logs/job-driver-raysubmit_1.log";
const std::string kWorkerLog = "/tmp/ray/session_1/logs/worker-ab12-02000000-77.out";

constexpr std::string_view kRecord =
    "ERROR 2026-11-20 09:00:01,630 app_Model abc12345 req-1 /predict model.py:57 - boom";

TEST(RayServeStage, NullBodyBuildsWithDefaults) {
  RayHarness harness;
  harness.feed(kReplicaLog, kRecord);
  harness.flush_all();
  ASSERT_EQ(harness.outputs().size(), 1u);
  const RayOutput& out = harness.outputs()[0];
  EXPECT_EQ(out.labels, (std::map<std::string, std::string>{{"application", "app"},
                                                            {"component", "replica"},
                                                            {"deployment", "Model"},
                                                            {"level", "ERROR"},
                                                            {"replica", "abc12345"}}));
  EXPECT_EQ(out.metadata, (std::map<std::string, std::string>{{"request_id", "req-1"}}));
  EXPECT_EQ(out.fields.at("message"), "boom");
  EXPECT_EQ(out.field_types.at("line"), FieldType::kNumber);
}

TEST(RayServeStage, LabelsAndMetadataFollowTheOptions) {
  RayHarness harness("{labels: [level, route], structured_metadata: [request_id, file]}");
  harness.feed(kReplicaLog, kRecord);
  harness.flush_all();
  ASSERT_EQ(harness.outputs().size(), 1u);
  EXPECT_EQ(harness.outputs()[0].labels,
            (std::map<std::string, std::string>{{"level", "ERROR"}, {"route", "/predict"}}));
  EXPECT_EQ(harness.outputs()[0].metadata,
            (std::map<std::string, std::string>{{"file", "model.py"}, {"request_id", "req-1"}}));
}

TEST(RayServeStage, InvalidOptionsAreConfigErrors) {
  EXPECT_NE(RayHarness::build_error("{labels: [\"bad-name\"]}").find("not a valid label name"),
            std::string::npos);
  EXPECT_NE(RayHarness::build_error("{fold_tracebacks: maybe}").find("true or false"),
            std::string::npos);
  EXPECT_NE(RayHarness::build_error("{max_wait: soon}").find("duration"), std::string::npos);
  EXPECT_NE(RayHarness::build_error("{location: Mars/Olympus}").find("unknown time zone"),
            std::string::npos);
  EXPECT_EQ(RayHarness::build_error("{location: Europe/Berlin, max_wait: 250ms}"), "");
}

TEST(RayServeStage, TimestampReadInTheConfiguredLocation) {
  RayHarness utc("{location: UTC}");
  utc.feed(kReplicaLog, kRecord);
  RayHarness berlin("{location: Europe/Berlin}");
  berlin.feed(kReplicaLog, kRecord);
  // A summer time: Berlin is UTC+2 then.
  berlin.feed(kReplicaLog, "INFO 2026-07-01 12:00:00,000 controller 1 -- summer");
  utc.flush_all();
  berlin.flush_all();
  // 2026-11-20 09:00:01.630 UTC.
  EXPECT_EQ(utc.outputs().at(0).timestamp_ns, 1795165201630000000);
  EXPECT_EQ(berlin.outputs().at(0).timestamp_ns, 1795165201630000000 - 3600 * 1'000'000'000LL);
  EXPECT_EQ(berlin.outputs().at(1).timestamp_ns, 1782907200000000000 - 7200 * 1'000'000'000LL);
}

TEST(RayServeStage, TimestampNsWinsAndTimestampFalseKeepsReadTime) {
  const std::string json =
      R"({"asctime": "2026-11-20 09:00:05,179", "levelname": "INFO", "message": "m", )"
      R"("deployment": "D", "replica": "r", "component_name": "replica", "timestamp_ns": 17})";
  RayHarness on("{location: UTC}");
  on.feed(kReplicaLog, json);
  on.flush_all();
  EXPECT_EQ(on.outputs().at(0).timestamp_ns, 17);
  RayHarness off("{timestamp: false}");
  off.feed(kReplicaLog, json);
  off.flush_all();
  EXPECT_EQ(off.outputs().at(0).timestamp_ns, RayHarness::kReadTime);
}

TEST(RayServeStage, TracebackFoldsAndRetainsEveryChunkUntilReleased) {
  RayHarness harness;
  EXPECT_EQ(harness.feed(kReplicaLog, kRecord), Verdict::kHold);
  EXPECT_EQ(harness.feed(kReplicaLog, "Traceback (most recent call last):"), Verdict::kHold);
  EXPECT_EQ(harness.feed(kReplicaLog, "  File \"m.py\", line 1, in f"), Verdict::kHold);
  EXPECT_EQ(harness.feed(kReplicaLog, "RuntimeError: x"), Verdict::kHold);
  EXPECT_TRUE(harness.outputs().empty());
  EXPECT_EQ(harness.committed_offset(kReplicaLog), 0u) << "held lines pin the position";

  const uint64_t record_end = harness.offset(kReplicaLog);
  EXPECT_EQ(harness.feed(kReplicaLog, "INFO 2026-11-20 09:00:02,000 app_Model abc12345 x.py:1 - next"),
            Verdict::kHold);
  ASSERT_EQ(harness.outputs().size(), 1u);
  const RayOutput& out = harness.outputs()[0];
  EXPECT_EQ(out.line, std::string(kRecord) +
                          "\nTraceback (most recent call last):\n  File \"m.py\", line 1, in f\n"
                          "RuntimeError: x");
  EXPECT_EQ(out.first_chunk, 0u);
  EXPECT_EQ(out.last_chunk, 3u);
  EXPECT_EQ(out.fields.at("message"), "boom");
  EXPECT_EQ(harness.committed_offset(kReplicaLog), record_end)
      << "the delivered record's chunks are given back; the next record still holds its own";

  harness.flush_all();
  EXPECT_EQ(harness.outputs().size(), 2u);
  EXPECT_GT(harness.offset(kReplicaLog), record_end);
  EXPECT_EQ(harness.committed_offset(kReplicaLog), harness.offset(kReplicaLog));
}

TEST(RayServeStage, FlushReleasesOnlyRecordsOlderThanMaxWait) {
  RayHarness harness("{max_wait: 5s}");
  harness.feed(kReplicaLog, kRecord);
  harness.flush(std::chrono::steady_clock::now(), false);
  EXPECT_TRUE(harness.outputs().empty());
  harness.flush(std::chrono::steady_clock::now() + 6s, false);
  EXPECT_EQ(harness.outputs().size(), 1u);
}

TEST(RayServeStage, FilesFoldIndependently) {
  const std::string other = "/tmp/ray/session_1/logs/serve/replica_app_Other_zzz.log";
  RayHarness harness;
  harness.feed(kReplicaLog, kRecord);
  harness.feed(other, "INFO 2026-11-20 09:00:02,000 app_Other zzz x.py:1 - other");
  harness.feed(kReplicaLog, "Traceback (most recent call last):");
  harness.feed(other, "  continuation of other");
  harness.flush_all();
  ASSERT_EQ(harness.outputs().size(), 2u);
  for (const RayOutput& out : harness.outputs()) {
    if (out.labels.at("deployment") == "Model") {
      EXPECT_EQ(out.line, std::string(kRecord) + "\nTraceback (most recent call last):");
    } else {
      EXPECT_EQ(out.line, "INFO 2026-11-20 09:00:02,000 app_Other zzz x.py:1 - other\n"
                          "  continuation of other");
    }
  }
}

TEST(RayServeStage, DriverLinesOfAnotherWorkerDoNotFold) {
  Metrics metrics;
  RayHarness harness("", &metrics);
  harness.feed(kDriverLog,
               "\x1b[36m(ServeReplica:a:B pid=1)\x1b[0m ERROR 2026-11-20 09:00:01,000 a_B r1 q / "
               "m.py:1 - boom");
  EXPECT_EQ(harness.feed(kDriverLog, "\x1b[36m(ServeReplica:a:C pid=2)\x1b[0m stray print"),
            Verdict::kPass);
  harness.feed(kDriverLog, "\x1b[36m(ServeReplica:a:B pid=1)\x1b[0m Traceback (most recent call last):");
  harness.flush_all();
  ASSERT_EQ(harness.outputs().size(), 2u);
  EXPECT_EQ(harness.outputs()[0].line, "\x1b[36m(ServeReplica:a:C pid=2)\x1b[0m stray print");
  EXPECT_EQ(harness.outputs()[1].line,
            "ERROR 2026-11-20 09:00:01,000 a_B r1 q / m.py:1 - boom\n"
            "Traceback (most recent call last):");
  EXPECT_NE(metrics.text().find("tailcast_stage_unparsed_total{reason=\"unknown_format\",stage="
                                "\"ray_serve\"} 1"),
            std::string::npos)
      << metrics.text();
}

TEST(RayServeStage, FoldingDisabledNeverHolds) {
  Metrics metrics;
  RayHarness harness("{fold_tracebacks: false}", &metrics);
  EXPECT_EQ(harness.feed(kDriverLog, "\x1b[36m(X pid=1)\x1b[0m INFO 2026-11-20 09:00:01,000 "
                                     "controller 9 -- hi \x1b[32m[repeated 2x across cluster]\x1b[0m"),
            Verdict::kPass);
  EXPECT_EQ(harness.feed(kDriverLog, "Traceback (most recent call last):"), Verdict::kPass);
  ASSERT_EQ(harness.outputs().size(), 2u);
  EXPECT_EQ(harness.outputs()[0].line,
            "INFO 2026-11-20 09:00:01,000 controller 9 -- hi [repeated 2x across cluster]");
  EXPECT_EQ(harness.outputs()[0].fields.at("repeated"), "2");
  EXPECT_EQ(harness.outputs()[1].line, "Traceback (most recent call last):");
  EXPECT_EQ(harness.committed_offset(kDriverLog), harness.offset(kDriverLog));
}

TEST(RayServeStage, UnknownLinesPassUnchangedAndAreCounted) {
  Metrics metrics;
  RayHarness harness("", &metrics);
  EXPECT_EQ(harness.feed(kReplicaLog, "some other text"), Verdict::kPass);
  EXPECT_EQ(harness.feed(kReplicaLog, R"({"msg": "not serve"})"), Verdict::kPass);
  ASSERT_EQ(harness.outputs().size(), 2u);
  EXPECT_EQ(harness.outputs()[0].line, "some other text");
  EXPECT_TRUE(harness.outputs()[0].labels.empty());
  EXPECT_TRUE(harness.outputs()[0].fields.empty());
  EXPECT_NE(metrics.text().find("stage=\"ray_serve\"} 2"), std::string::npos) << metrics.text();
}

TEST(RayServeStage, WorkerMagicLinesBecomeLabelsOfLaterLines) {
  RayHarness harness;
  EXPECT_EQ(harness.feed(kWorkerLog, "before"), Verdict::kPass);
  EXPECT_EQ(harness.feed(kWorkerLog, ":job_id:03000000"), Verdict::kDrop);
  EXPECT_EQ(harness.feed(kWorkerLog, ":actor_name:ServeReplica:app:Model"), Verdict::kDrop);
  EXPECT_EQ(harness.feed(kWorkerLog, "after"), Verdict::kPass);
  ASSERT_EQ(harness.outputs().size(), 2u);
  EXPECT_EQ(harness.outputs()[0].labels,
            (std::map<std::string, std::string>{{"job_id", "02000000"}, {"pid", "77"},
                                                {"worker_id", "ab12"}}));
  EXPECT_EQ(harness.outputs()[1].labels,
            (std::map<std::string, std::string>{{"actor_name", "ServeReplica:app:Model"},
                                                {"job_id", "03000000"},
                                                {"pid", "77"},
                                                {"worker_id", "ab12"}}));
  EXPECT_EQ(harness.outputs()[1].fields.at("message"), "after");
  EXPECT_EQ(harness.committed_offset(kWorkerLog), harness.offset(kWorkerLog));
}

TEST(RayServeStage, ServeRecordsInWorkerStderrFoldTheirTracebacks) {
  const std::string err = "/tmp/ray/session_1/logs/worker-ab12-02000000-77.err";
  RayHarness harness;
  harness.feed(err, ":actor_name:ServeReplica:app:Model");
  harness.feed(err, std::string(kRecord));
  harness.feed(err, "RuntimeError: x");
  harness.flush_all();
  ASSERT_EQ(harness.outputs().size(), 1u);
  EXPECT_EQ(harness.outputs()[0].labels.at("deployment"), "Model");
  EXPECT_EQ(harness.outputs()[0].labels.at("actor_name"), "ServeReplica:app:Model");
  EXPECT_EQ(harness.outputs()[0].line, std::string(kRecord) + "\nRuntimeError: x");
}

TEST(RayServeStage, JsonEscapesAreDecodedInFields) {
  RayHarness harness;
  harness.feed(kReplicaLog,
               R"({"asctime": "2026-11-20 09:00:05,179", "levelname": "INFO", "message": "a\tb \u00e9", )"
               R"("filename": "m.py", "lineno": 3, "deployment": "D", "replica": "r", )"
               R"("component_name": "replica", "application": "app"})");
  harness.flush_all();
  ASSERT_EQ(harness.outputs().size(), 1u);
  EXPECT_EQ(harness.outputs()[0].fields.at("message"), "a\tb \xC3\xA9");
  EXPECT_EQ(harness.outputs()[0].labels.at("application"), "app");
}

}  // namespace
}  // namespace tailcast::testing
