// The real tailcast binary over real files, pushing over HTTP to a Loki receiver that decodes
// protobuf+snappy with libprotobuf: every line arrives, with the fixtures' labels, through 503s,
// a 400, kill -9 and SIGTERM restarts.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <simdjson.h>
#include <thread>

#include "tests/integration/ray_fixture_logs.h"
#include "tests/support/loki_receiver.h"
#include "tests/support/process.h"
#include "tests/support/reserved_port.h"
#include "tests/support/temp_dir.h"

namespace tailcast {
namespace {

namespace fs = std::filesystem;
using testing::ChildProcess;
using testing::LokiReceiver;
using testing::ReceivedEntry;
using testing::TempDir;
using testing::wait_until;

// A port free to listen on: reserved, then given back for tailcast to take.
int free_port() { return testing::ReservedPort().port(); }

std::string config_text(const std::string& url, const fs::path& logs, const fs::path& positions,
                        int http_port, bool ray_serve) {
  std::string text = "server:\n  http_listen_port: " + std::to_string(http_port) +
                     "\npositions:\n  filename: " + positions.string() +
                     "\n  sync_period: 100ms\nclients:\n  - url: " + url +
                     "\n    batchwait: 50ms\n    batchsize: 65536\n"
                     "    backoff_config: {min_period: 20ms, max_period: 200ms, max_retries: 0}\n"
                     // The fixtures' timestamps are fixed dates that age past Loki's limit.
                     "    loki_limits: {reject_old_samples: false}\n"
                     "scrape_configs:\n  - job_name: test\n    static_configs:\n"
                     "      - labels:\n          job: ray\n          __path__: " +
                     (logs / "**" / "*.{log,out}").string() + "\n";
  if (ray_serve) text += "    pipeline_stages:\n      - ray_serve:\n";
  return text;
}

using Record = testing::FixtureRecord;

struct TailcastRun {
  TempDir dir;
  LokiReceiver receiver;
  std::unique_ptr<ChildProcess> child;
  int http_port = free_port();

  void start(bool ray_serve, bool once) {
    dir.write("tailcast.yaml", config_text(receiver.url(), dir / "logs", dir / "positions.yaml",
                                           http_port, ray_serve));
    std::vector<std::string> argv{TC_BINARY, "-config.file=" + (dir / "tailcast.yaml").string()};
    if (once) argv.push_back("-once");
    child = std::make_unique<ChildProcess>(argv, dir / "stdout", dir / "stderr");
  }
  std::string log() const { return testing::read_file(dir / "stderr"); }
};

TEST(LokiDelivery, EveryFixtureRecordArrivesOnceWithItsLabelsAndMetadata) {
  TailcastRun run;
  testing::copy_fixture_logs(run.dir / "logs");
  auto expected = testing::expected_fixture_records();
  run.start(true, true);
  ASSERT_EQ(run.child->wait(std::chrono::seconds(60)), 0) << run.log();

  std::map<std::string, std::multiset<Record>> received;
  for (const ReceivedEntry& entry : run.receiver.entries()) {
    EXPECT_EQ(entry.label_map.count("request_id"), 0u) << "request_id is never a stream label";
    Record record{entry.label_map, entry.metadata};
    std::string file = fs::path(record.first["filename"]).filename().string();
    EXPECT_EQ(record.first["job"], "ray");
    record.first.erase("filename");
    record.first.erase("job");
    received[file].insert(record);
  }
  EXPECT_EQ(testing::record_count(received), testing::record_count(expected));
  for (const auto& [file, records] : expected) EXPECT_EQ(received[file], records) << file;
}

TEST(LokiDelivery, NothingIsLostWhenTheFirstPushesGet503) {
  TailcastRun run;
  testing::copy_fixture_logs(run.dir / "logs");
  run.receiver.respond_with({503, 503, 503});
  run.start(true, true);
  ASSERT_EQ(run.child->wait(std::chrono::seconds(60)), 0) << run.log();
  std::set<std::pair<std::string, std::string>> unique;
  auto entries = run.receiver.entries();
  for (const auto& entry : entries) unique.emplace(entry.label_map.at("filename"), entry.line);
  EXPECT_EQ(entries.size(), testing::record_count(testing::expected_fixture_records()));
  EXPECT_EQ(unique.size(), entries.size()) << "no entry twice";
  size_t refused = 0;
  for (const auto& push : run.receiver.pushes()) refused += push.status == 503;
  EXPECT_EQ(refused, 3u);
}

TEST(LokiDelivery, APushAnswered400IsNotResentAndItsRejectionIsCounted) {
  TailcastRun run;
  testing::copy_fixture_logs(run.dir / "logs");
  const std::string marked = "0b2c0560-3272-49c9-9bd0-6f14c9cca546";  // one proxy record
  run.receiver.reject_entries_where(
      [&](const ReceivedEntry& entry) { return entry.line.find(marked) != std::string::npos; });
  run.start(true, false);
  const size_t total = testing::record_count(testing::expected_fixture_records());
  ASSERT_TRUE(run.receiver.wait_for_entries(total - 1, std::chrono::seconds(30))) << run.log();
  httplib::Client client("127.0.0.1", run.http_port);
  std::string metrics;
  bool counted = wait_until(
      [&] {
        auto res = client.Get("/metrics");
        if (!res) return false;
        metrics = res->body;
        return metrics.find("promtail_dropped_entries_total{") != std::string::npos;
      },
      std::chrono::seconds(10));
  EXPECT_TRUE(counted) << metrics;
  run.child->signal(SIGTERM);
  ASSERT_EQ(run.child->wait(std::chrono::seconds(30)), 0) << run.log();

  size_t rejected_pushes = 0;
  for (const auto& push : run.receiver.pushes()) rejected_pushes += push.status == 400;
  EXPECT_EQ(rejected_pushes, 1u) << "a 400 batch is never resent";
  auto entries = run.receiver.entries();
  EXPECT_EQ(entries.size(), total - 1);
  for (const auto& entry : entries) EXPECT_EQ(entry.line.find(marked), std::string::npos);
}

// Appends "line N" to one file at a steady pace until `total` lines are written.
void write_numbered(const fs::path& file, int total, std::atomic<int>& written) {
  std::ofstream out(file, std::ios::app);
  for (int i = 0; i < total; ++i) {
    out << "line " << i << "\n";
    if (i % 200 == 199) {
      out.flush();
      written = i + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  out.flush();
  written = total;
}

std::map<int, int> numbers_received(const LokiReceiver& receiver) {
  std::map<int, int> seen;
  for (const auto& entry : receiver.entries())
    if (entry.line.rfind("line ", 0) == 0) ++seen[std::stoi(entry.line.substr(5))];
  return seen;
}

void restart_mid_stream(int signal_number) {
  constexpr int kTotal = 20000;
  TailcastRun run;
  fs::create_directories(run.dir / "logs");
  std::atomic<int> written{0};
  std::thread writer(write_numbered, run.dir / "logs" / "app.log", kTotal, std::ref(written));
  run.start(false, false);
  {
    ASSERT_TRUE(wait_until([&] { return run.receiver.entries().size() > 2000; },
                           std::chrono::seconds(30)))
        << run.log();
  }
  run.child->signal(signal_number);
  auto code = run.child->wait(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value());
  if (signal_number == SIGTERM) {
    EXPECT_EQ(*code, 0) << run.log();
  }
  run.start(false, false);  // same positions file
  writer.join();
  {
    ASSERT_TRUE(wait_until([&] { return numbers_received(run.receiver).size() == size_t(kTotal); },
                           std::chrono::seconds(60)))
        << "received " << numbers_received(run.receiver).size() << "\n" << run.log();
  }
  run.child->signal(SIGTERM);
  EXPECT_EQ(run.child->wait(std::chrono::seconds(30)), 0);
  auto seen = numbers_received(run.receiver);
  ASSERT_EQ(seen.size(), size_t(kTotal));
  if (signal_number == SIGTERM) {
    for (const auto& [number, times] : seen) ASSERT_EQ(times, 1) << "line " << number << " twice";
  }
}

TEST(LokiDelivery, KillNineMidStreamLosesNoLine) { restart_mid_stream(SIGKILL); }

TEST(LokiDelivery, SigtermRestartLosesAndDuplicatesNoLine) { restart_mid_stream(SIGTERM); }

}  // namespace
}  // namespace tailcast
