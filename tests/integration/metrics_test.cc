// /metrics of the real binary: every metric name the promtail-mixin dashboards and alerts use is
// exposed with Promtail's type, and each one moves as lines are read, dropped, retried, rejected
// and sent.
#include <gtest/gtest.h>
#include <httplib.h>

#include <signal.h>

#include <map>
#include <sstream>
#include <string>

#include "tests/support/loki_receiver.h"
#include "tests/support/process.h"
#include "tests/support/reserved_port.h"
#include "tests/support/temp_dir.h"

namespace tailcast {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::LokiReceiver;
using testing::ReceivedEntry;
using testing::TempDir;

struct Family {
  std::string type;
  double sum = 0;  // of every sample of the family (histograms: of their _count)
  size_t samples = 0;
};

// Prometheus text format → family name → its TYPE and the sum of its samples.
std::map<std::string, Family> parse_exposition(const std::string& text) {
  std::map<std::string, Family> families;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream fields(line.substr(7));
      std::string name, type;
      fields >> name >> type;
      families[name].type = type;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::string name = line.substr(0, line.find_first_of("{ "));
    double value = std::stod(line.substr(line.rfind(' ') + 1));
    auto family = families.find(name);
    if (family == families.end() && name.size() > 6 &&
        name.compare(name.size() - 6, 6, "_count") == 0) {
      family = families.find(name.substr(0, name.size() - 6));
      if (family == families.end() || family->second.type != "histogram") continue;
    } else if (family == families.end() || family->second.type == "histogram") {
      continue;  // buckets and sums of a histogram, or a sample without TYPE
    }
    family->second.sum += value;
    ++family->second.samples;
  }
  return families;
}

TEST(Metrics, EveryPromtailMetricIsExposedWithItsTypeAndMoves) {
  TempDir dir;
  LokiReceiver receiver;
  receiver.respond_with({503});  // one retry
  receiver.reject_entries_where(
      [](const ReceivedEntry& entry) { return entry.line.find("REJECT") != std::string::npos; });
  std::string lines;
  for (int i = 0; i < 100; ++i) {
    lines += "line " + std::to_string(i);
    if (i % 10 == 0) lines += " DROPME";
    if (i == 55) lines += " REJECT";
    lines += "\n";
  }
  dir.write("logs/app.log", lines);
  const int port = testing::ReservedPort().port();
  dir.write("tailcast.yaml",
            "server:\n  http_listen_port: " + std::to_string(port) +
                "\npositions:\n  filename: " + (dir / "positions.yaml").string() +
                "\nclients:\n  - url: " + receiver.url() +
                "\n    batchwait: 50ms\n"
                "    backoff_config: {min_period: 20ms, max_period: 100ms, max_retries: 0}\n"
                "scrape_configs:\n  - job_name: metrics\n    static_configs:\n"
                "      - labels:\n          job: app\n          __path__: " +
                (dir / "logs" / "*.log").string() +
                "\n    pipeline_stages:\n      - drop:\n          expression: DROPME\n");
  ChildProcess child({TC_BINARY, "-config.file=" + (dir / "tailcast.yaml").string()},
                     dir / "stdout", dir / "stderr");
  // 100 lines, 10 dropped by the stage, 1 refused by Loki.
  ASSERT_TRUE(receiver.wait_for_entries(89, 20s)) << testing::read_file(dir / "stderr");
  // A batch answered 400 counts as rejected, not sent (as in Promtail): a later batch is sent.
  std::string more;
  for (int i = 100; i < 120; ++i) more += "line " + std::to_string(i) + "\n";
  dir.write("logs/app.log", more, true);
  lines += more;
  ASSERT_TRUE(receiver.wait_for_entries(109, 20s)) << testing::read_file(dir / "stderr");

  httplib::Client client("127.0.0.1", port);
  std::map<std::string, Family> families;
  // The rejection is counted when the 400 comes back, just after the entries are stored.
  ASSERT_TRUE(testing::wait_until([&] {
    auto response = client.Get("/metrics");
    if (!response || response->status != 200) return false;
    families = parse_exposition(response->body);
    return families["promtail_dropped_entries_total"].sum >= 1 &&
           families["promtail_sent_entries_total"].sum >= 20;
  }, 10s)) << testing::read_file(dir / "stderr");

  const std::map<std::string, std::string> promtail_types = {
      {"promtail_read_bytes_total", "gauge"},
      {"promtail_read_lines_total", "counter"},
      {"promtail_file_bytes_total", "gauge"},
      {"promtail_files_active_total", "gauge"},
      {"promtail_sent_entries_total", "counter"},
      {"promtail_sent_bytes_total", "counter"},
      {"promtail_encoded_bytes_total", "counter"},
      {"promtail_dropped_entries_total", "counter"},
      {"promtail_batch_retries_total", "counter"},
      {"promtail_request_duration_seconds", "histogram"},
      {"promtail_targets_active_total", "gauge"},
      {"logentry_dropped_lines_total", "counter"},
  };
  for (const auto& [name, type] : promtail_types) {
    ASSERT_TRUE(families.count(name)) << name << " is not exposed";
    EXPECT_EQ(families[name].type, type) << name;
    EXPECT_GT(families[name].sum, 0) << name << " did not move";
  }
  EXPECT_EQ(families["promtail_read_lines_total"].sum, 120);
  EXPECT_EQ(families["promtail_read_bytes_total"].sum, static_cast<double>(lines.size()));
  EXPECT_EQ(families["promtail_file_bytes_total"].sum, static_cast<double>(lines.size()));
  EXPECT_EQ(families["promtail_files_active_total"].sum, 1);
  EXPECT_EQ(families["promtail_targets_active_total"].sum, 1);
  EXPECT_EQ(families["logentry_dropped_lines_total"].sum, 10);
  EXPECT_EQ(families["promtail_batch_retries_total"].sum, 1);
  EXPECT_GE(families["promtail_request_duration_seconds"].sum, 2);  // the 503 and a success
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(10s), 0);
}

}  // namespace
}  // namespace tailcast
