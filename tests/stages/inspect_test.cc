// -inspect through the real binary: a Ray Serve fixture line run with -dry-run -once, and stderr
// shows, stage by stage, what each one changed — without colours, since stderr is a file here.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "pipeline/stage_inspector.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tailcast {
namespace {

using testing::ChildProcess;
using testing::read_file;
using testing::TempDir;

std::string fixture_line() {
  std::ifstream in(std::string(TC_FIXTURES_DIR) +
                   "/ray/session_2026-11-20_09-00-00_690579_1652/logs/serve/"
                   "replica_default_Router_iovwnesr.log");
  std::string line;
  std::getline(in, line);
  return line;
}

// Runs tailcast over one file holding the fixture line; returns its stderr.
std::string run(const TempDir& dir, bool inspect) {
  const std::string line = fixture_line();
  EXPECT_EQ(line.rfind("INFO 2026-11-20 09:00:02,315 default_Router", 0), 0u) << line;
  dir.write("logs/router.log", line + "\n");
  dir.write("tailcast.yaml", R"(server: {disable: true}
positions: {filename: )" + (dir / "positions.yaml").string() + R"(}
sinks: [{stdout: {format: text}}]
scrape_configs:
  - job_name: ray
    static_configs:
      - labels: {job: ray, __path__: )" + (dir / "logs/*.log").string() + R"(}
    pipeline_stages:
      - regex:
          expression: '^(?P<level>[A-Z]+) (?P<time>\S+ \S+) \S+ \S+ (?P<request_id>\S+)'
      - labels:
          level:
      - timestamp:
          source: time
          format: '2006-01-02 15:04:05,000'
      - static_labels:
          job: ray
      - output:
          source: request_id
)");
  std::vector<std::string> argv{TC_BINARY, "-config.file=" + (dir / "tailcast.yaml").string(),
                                "-dry-run", "-once"};
  if (inspect) argv.push_back("-inspect");
  ChildProcess tailcast(argv, dir / "stdout", dir / "stderr");
  EXPECT_EQ(tailcast.wait(std::chrono::seconds(20)), 0);
  return read_file(dir / "stderr");
}

TEST(InspectFlag, PrintsWhatEachStageChanged) {
  TempDir dir;
  const std::string err = run(dir, true);
  EXPECT_NE(err.find("[inspect: regex stage]: \n"
                     "{stages.Entry}.Extracted[\"level\"]:\n\t+: INFO\n"
                     "{stages.Entry}.Extracted[\"request_id\"]:\n"
                     "\t+: ae49ed06-c89f-4f9c-8f87-d431bd581b7c\n"
                     "{stages.Entry}.Extracted[\"time\"]:\n\t+: 2026-11-20 09:00:02,315\n"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("[inspect: labels stage]: \n"
                     "{stages.Entry}.Entry.Labels[\"level\"]:\n\t+: INFO\n"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("{stages.Entry}.Entry.Entry.Timestamp:\n\t-: "), std::string::npos) << err;
  EXPECT_NE(err.find("\t+: 2026-11-20 09:00:02.315 +0000 UTC\n"), std::string::npos) << err;
  EXPECT_NE(err.find("[inspect: static_labels stage]: none\n"), std::string::npos)
      << "job was already ray: nothing changed\n" << err;
  EXPECT_NE(err.find("[inspect: output stage]: \n{stages.Entry}.Entry.Entry.Line:\n\t-: INFO "
                     "2026-11-20 09:00:02,315 default_Router"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("\t+: ae49ed06-c89f-4f9c-8f87-d431bd581b7c\n"), std::string::npos) << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << "no colours when stderr is not a terminal";
  EXPECT_NE(read_file(dir / "stdout").find("ae49ed06-c89f-4f9c-8f87-d431bd581b7c"),
            std::string::npos);
}

TEST(InspectFlag, SilentWithoutTheFlag) {
  TempDir dir;
  const std::string err = run(dir, false);
  EXPECT_EQ(err.find("[inspect:"), std::string::npos) << err;
}

// What an inspector writes for one stage, through a temporary file.
std::string inspect_once(bool colour, const Entry& before, const Entry& after, Verdict verdict) {
  std::FILE* out = std::tmpfile();
  StageInspector inspector(out, colour);
  inspector.before(before);
  inspector.after("regex", after, verdict);
  std::string text(static_cast<size_t>(std::ftell(out)), '\0');
  std::rewind(out);
  EXPECT_EQ(std::fread(text.data(), 1, text.size(), out), text.size());
  std::fclose(out);
  return text;
}

TEST(StageInspector, ColoursOnlyWhenAskedAndShowsRemovalsAndDrops) {
  Entry before;
  before.line = "a";
  before.labels.set("gone", "1");
  before.extracted.set("kept", "x");
  Entry after;
  after.line = "a";
  after.extracted.set("kept", "y");
  EXPECT_EQ(inspect_once(false, before, after, Verdict::kDrop),
            "[inspect: regex stage]: \n{stages.Entry}.Extracted[\"kept\"]:\n\t-: x\n\t+: y\n"
            "{stages.Entry}.Entry.Labels[\"gone\"]:\n\t-: 1\ndropped\n");
  const std::string coloured = inspect_once(true, before, after, Verdict::kPass);
  EXPECT_NE(coloured.find("\x1b[33m{stages.Entry}.Extracted[\"kept\"]:\x1b[0m"), std::string::npos)
      << "a change is yellow";
  EXPECT_NE(coloured.find("\x1b[32m\t+: y\x1b[0m"), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[31m{stages.Entry}.Entry.Labels[\"gone\"]:\x1b[0m"),
            std::string::npos)
      << "a removal is red";
  EXPECT_EQ(inspect_once(false, before, before, Verdict::kPass), "[inspect: regex stage]: none\n");
}

}  // namespace
}  // namespace tailcast
