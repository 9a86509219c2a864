// Every pipeline in configs/ passes -check-syntax, and the demo ships the sample logs it promises.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tailcast {
namespace {

namespace fs = std::filesystem;
using testing::ChildProcess;
using testing::TempDir;

int run_tailcast(const std::vector<std::string>& args, const TempDir& dir) {
  std::vector<std::string> argv{TC_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess child(argv, dir / "stdout", dir / "stderr");
  auto code = child.wait(std::chrono::seconds(60));
  return code ? *code : -1;
}

TEST(Configs, EveryShippedPipelinePassesCheckSyntax) {
  size_t checked = 0;
  for (const auto& item : fs::directory_iterator(fs::path(TC_SOURCE_DIR) / "configs")) {
    if (item.path().extension() != ".yaml") continue;
    TempDir dir;
    int code = run_tailcast({"-config.file=" + item.path().string(), "-config.expand-env=true",
                             "-check-syntax"},
                            dir);
    EXPECT_EQ(code, 0) << item.path() << ": " << testing::read_file(dir / "stderr");
    ++checked;
  }
  EXPECT_GE(checked, 2u);
}

TEST(Configs, CheckSyntaxFailsWithFileLineAndKey) {
  TempDir dir;
  dir.write("bad.yaml",
            "clients:\n  - url: http://localhost:3100/loki/api/v1/push\nscrape_configs:\n"
            "  - job_name: a\n    static_configs:\n      - labels: {__path__: /x/*.log}\n"
            "    pipeline_stages:\n      - regx: {expression: a}\n");
  int code = run_tailcast({"-config.file=" + (dir / "bad.yaml").string(), "-check-syntax"}, dir);
  EXPECT_EQ(code, 1);
  std::string err = testing::read_file(dir / "stderr");
  EXPECT_NE(err.find("bad.yaml:8:9: scrape_configs[0].pipeline_stages[0].regx: unknown stage "
                     "\"regx\" (did you mean \"regex\"?)"),
            std::string::npos)
      << err;
}

TEST(Configs, DemoShipsEveryRecordOfTheSampleSessionWithItsLabels) {
  TempDir dir;
  ::setenv("TAILCAST_DEMO_POSITIONS", (dir / "positions.yaml").c_str(), 1);
  std::vector<std::string> argv{TC_BINARY, "-config.file=configs/demo.yaml", "-config.expand-env=true",
                                "-once"};
  auto cwd = fs::current_path();
  fs::current_path(TC_SOURCE_DIR);
  ChildProcess child(argv, dir / "stdout", dir / "stderr");
  auto code = child.wait(std::chrono::seconds(60));
  fs::current_path(cwd);
  ASSERT_EQ(code, 0) << testing::read_file(dir / "stderr");

  // One output line per record, as the fixture expectations count them.
  size_t expected = 0;
  const fs::path expected_dir = fs::path(TC_FIXTURES_DIR) / "expected";
  for (const auto& item : fs::recursive_directory_iterator(expected_dir)) {
    std::string name = item.path().filename().string();
    if (!item.is_regular_file() || name.find(".spans.") != std::string::npos) continue;
    if (name.rfind("job-driver-spans", 0) == 0) continue;
    std::ifstream in(item.path());
    for (std::string line; std::getline(in, line);) expected += !line.empty();
  }
  std::ifstream out(dir / "stdout");
  size_t shipped = 0;
  bool saw_request_id_as_metadata = false;
  for (std::string line; std::getline(out, line);) {
    if (line.empty() || line[0] != '2') continue;  // entries start with their RFC 3339 timestamp
    ++shipped;
    EXPECT_EQ(line.find("request_id=\""), std::string::npos) << "request_id must not be a label";
    saw_request_id_as_metadata |= line.find("[request_id=") != std::string::npos;
  }
  EXPECT_EQ(shipped, expected);
  EXPECT_TRUE(saw_request_id_as_metadata);
  EXPECT_TRUE(fs::exists(dir / "positions.yaml"));
}

}  // namespace
}  // namespace tailcast
