// Runtime with per-job sinks: each job's entries reach the sinks its `sinks:` names and no other,
// and a job without a list reaches every sink.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <string>

#include "pipeline/config/config.h"
#include "pipeline/runtime.h"
#include "tests/support/temp_dir.h"

namespace tailcast {
namespace {

using testing::TempDir;

std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

size_t count_containing(const std::vector<std::string>& lines, std::string_view text) {
  size_t n = 0;
  for (const auto& line : lines) n += line.find(text) != std::string::npos;
  return n;
}

TEST(RuntimeRouting, EachJobReachesOnlyItsSinks) {
  TempDir dir;
  dir.write("a/app.log", "alpha 1\nalpha 2\n");
  dir.write("b/app.log", "beta 1\nbeta 2\nbeta 3\n");
  dir.write("c/app.log", "gamma 1\n");
  std::string yaml = "positions:\n  filename: " + (dir / "positions.yaml").string() +
                     "\nsinks:\n"
                     "  - name: first\n    file: {path: " + (dir / "first.out").string() + "}\n"
                     "  - name: second\n    file: {path: " + (dir / "second.out").string() + "}\n"
                     "scrape_configs:\n"
                     "  - job_name: a\n    sinks: [first]\n    static_configs:\n"
                     "      - labels: {__path__: " + (dir / "a/*.log").string() + "}\n"
                     "  - job_name: b\n    sinks: [second]\n    static_configs:\n"
                     "      - labels: {__path__: " + (dir / "b/*.log").string() + "}\n"
                     "  - job_name: c\n    static_configs:\n"
                     "      - labels: {__path__: " + (dir / "c/*.log").string() + "}\n";
  auto config = config::parse_config(yaml, "routing.yaml");
  ASSERT_TRUE(config) << config.error().message;
  Metrics metrics;
  RuntimeOptions options;
  options.once = true;
  auto runtime = Runtime::create(*config, options, metrics);
  ASSERT_TRUE(runtime) << runtime.error().message;
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*runtime)->run(stop));
  runtime->reset();

  auto first = lines_of(dir / "first.out");
  auto second = lines_of(dir / "second.out");
  EXPECT_EQ(count_containing(first, "alpha"), 2u);
  EXPECT_EQ(count_containing(first, "beta"), 0u);
  EXPECT_EQ(count_containing(first, "gamma"), 1u);
  EXPECT_EQ(count_containing(second, "alpha"), 0u);
  EXPECT_EQ(count_containing(second, "beta"), 3u);
  EXPECT_EQ(count_containing(second, "gamma"), 1u);
  EXPECT_EQ(first.size(), 3u);
  EXPECT_EQ(second.size(), 4u);
}

TEST(RuntimeRouting, AFileThatJobsWithDifferentSinksMatchIsReadOnceByTheFirst) {
  TempDir dir;
  dir.write("logs/app.log", "shared 1\nshared 2\n");
  std::string yaml = "positions:\n  filename: " + (dir / "positions.yaml").string() +
                     "\nsinks:\n"
                     "  - name: first\n    file: {path: " + (dir / "first.out").string() + "}\n"
                     "  - name: second\n    file: {path: " + (dir / "second.out").string() + "}\n"
                     "scrape_configs:\n"
                     "  - job_name: a\n    sinks: [first]\n    static_configs:\n"
                     "      - labels: {__path__: " + (dir / "logs/app.log").string() + "}\n"
                     "  - job_name: b\n    sinks: [second]\n    static_configs:\n"
                     "      - labels: {__path__: " + (dir / "logs/*.log").string() + "}\n";
  auto config = config::parse_config(yaml, "routing.yaml");
  ASSERT_TRUE(config) << config.error().message;
  Metrics metrics;
  RuntimeOptions options;
  options.once = true;
  auto runtime = Runtime::create(*config, options, metrics);
  ASSERT_TRUE(runtime) << runtime.error().message;
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*runtime)->run(stop));
  runtime->reset();
  EXPECT_EQ(count_containing(lines_of(dir / "first.out"), "shared"), 2u);
  EXPECT_EQ(lines_of(dir / "second.out").size(), 0u);
}

}  // namespace
}  // namespace tailcast
