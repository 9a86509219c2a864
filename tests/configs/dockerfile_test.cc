// packaging/container/Dockerfile, checked without Docker: a small lint (pinned bases, non-root
// USER before ENTRYPOINT, apt lists removed, no remote ADD), hadolint when installed, and the
// runtime stage's packages against the libraries the built binary links.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/configs/packaging_support.h"

namespace tailcast {
namespace {

using testing::read_file;
using testing::source_path;

struct Instruction {
  std::string keyword;  // upper case
  std::string args;     // continuation lines joined
  int line = 0;
};

std::vector<Instruction> parse_dockerfile(std::string_view text) {
  std::vector<Instruction> out;
  std::istringstream in{std::string(text)};
  std::string pending;
  int line_number = 0, start = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    if (pending.empty()) start = line_number;
    bool continues = !line.empty() && line.back() == '\\';
    pending += line.substr(first, line.size() - first - (continues ? 1 : 0)) + " ";
    if (continues) continue;
    size_t space = pending.find(' ');
    Instruction instruction{pending.substr(0, space), pending.substr(space + 1), start};
    std::transform(instruction.keyword.begin(), instruction.keyword.end(),
                   instruction.keyword.begin(), ::toupper);
    out.push_back(std::move(instruction));
    pending.clear();
  }
  return out;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string first_word(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string word;
  in >> word;
  return word;
}

// One message per rule broken, each naming the line.
std::vector<std::string> lint_dockerfile(std::string_view text) {
  std::vector<std::string> findings;
  auto add = [&](const Instruction& at, const std::string& message) {
    findings.push_back("line " + std::to_string(at.line) + ": " + message);
  };
  std::set<std::string> stages;
  std::string user;  // of the current stage
  bool entrypoint = false;
  for (const auto& instruction : parse_dockerfile(text)) {
    const std::string& args = instruction.args;
    if (instruction.keyword == "FROM") {
      std::istringstream in(args);
      std::string image, as, alias;
      in >> image >> as >> alias;
      if (!alias.empty()) stages.insert(alias);
      user.clear();
      entrypoint = false;
      if (stages.count(image) && image != alias) continue;
      size_t slash = image.rfind('/');
      size_t colon = image.find(':', slash == std::string::npos ? 0 : slash);
      bool digest = contains(image, "@sha256:");
      if (!digest && (colon == std::string::npos || image.substr(colon + 1) == "latest"))
        add(instruction, "base image " + image + " is not pinned to a tag");
    } else if (instruction.keyword == "USER") {
      user = first_word(args);
    } else if (instruction.keyword == "ENTRYPOINT") {
      entrypoint = true;
      std::string name = user.substr(0, user.find(':'));
      if (name.empty() || name == "root" || name == "0")
        add(instruction, "ENTRYPOINT runs as root: set a non-root USER before it");
    } else if (instruction.keyword == "RUN") {
      bool fetches = contains(args, "apt-get update") || contains(args, "install-deps.sh");
      if (fetches && !contains(args, "rm -rf /var/lib/apt/lists/*"))
        add(instruction, "apt lists are not removed in the RUN that fetched them");
      if (contains(args, "apt-get install") && !contains(args, "--no-install-recommends"))
        add(instruction, "apt-get install without --no-install-recommends");
    } else if (instruction.keyword == "ADD") {
      if (contains(args, "http://") || contains(args, "https://"))
        add(instruction, "ADD of a URL: download in a RUN and verify a checksum");
    }
  }
  if (!entrypoint) findings.push_back("the final stage has no ENTRYPOINT");
  return findings;
}

std::string dockerfile() { return read_file(source_path("packaging/container/Dockerfile")); }

TEST(DockerfileLint, ShippedDockerfilePassesEveryRule) {
  auto findings = lint_dockerfile(dockerfile());
  EXPECT_TRUE(findings.empty()) << ::testing::PrintToString(findings);
}

TEST(DockerfileLint, FlagsEachBrokenRule) {
  auto findings = lint_dockerfile(
      "FROM debian AS build\n"
      "RUN apt-get update && apt-get install -y g++\n"
      "ADD https://example.com/x.tar.gz /x\n"
      "FROM debian:latest\n"
      "USER root\n"
      "ENTRYPOINT [\"/usr/bin/tailcast\"]\n");
  EXPECT_EQ(findings.size(), 6u) << ::testing::PrintToString(findings);
  EXPECT_EQ(lint_dockerfile("FROM debian:12\nUSER 10001\n").size(), 1u) << "no ENTRYPOINT";
  EXPECT_EQ(lint_dockerfile("FROM debian:12\nENTRYPOINT [\"x\"]\n").size(), 1u) << "no USER";
}

TEST(DockerfileLint, BuildsOnDebianAndRunsOnSlimWithTheDefaultConfig) {
  std::vector<std::string> bases;
  std::string entrypoint, cmd;
  for (const auto& instruction : parse_dockerfile(dockerfile())) {
    if (instruction.keyword == "FROM") bases.push_back(first_word(instruction.args));
    if (instruction.keyword == "ENTRYPOINT") entrypoint = instruction.args;
    if (instruction.keyword == "CMD") cmd = instruction.args;
  }
  ASSERT_EQ(bases.size(), 2u);
  EXPECT_EQ(bases[0], "debian:12");
  EXPECT_EQ(bases[1], "debian:12-slim");
  EXPECT_EQ(first_word(entrypoint), "[\"/usr/bin/tailcast\"]");
  EXPECT_TRUE(contains(cmd, "\"-config.file=/etc/tailcast/config.yaml\"")) << cmd;
  EXPECT_TRUE(contains(cmd, "\"-config.expand-env=true\"")) << cmd;
  EXPECT_TRUE(contains(dockerfile(), "packaging/install-deps.sh"));
  EXPECT_TRUE(
      contains(dockerfile(), "COPY configs/ray-serve-sidecar.yaml /etc/tailcast/config.yaml"));
}

TEST(DockerfileLint, PassesHadolintWhenInstalled) {
  std::string hadolint = testing::find_program("hadolint");
  if (hadolint.empty()) GTEST_SKIP() << "hadolint is not installed; the built-in rules still run";
  auto run = testing::run_tool({hadolint, "--config",
                                source_path("packaging/container/.hadolint.yaml").string(),
                                source_path("packaging/container/Dockerfile").string()});
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

// For each path ldd printed, the Debian package that owns it. Both the /usr and the
// root spelling are asked, since dpkg records whichever the package shipped.
std::map<std::string, std::string> owning_packages(const std::string& dpkg,
                                                   const std::vector<std::string>& libraries) {
  std::vector<std::string> argv{dpkg, "-S"};
  for (const auto& path : libraries) {
    argv.push_back(path);
    argv.push_back(path.rfind("/usr/", 0) == 0 ? path.substr(4) : "/usr" + path);
  }
  std::map<std::string, std::string> owners;
  std::istringstream out(testing::run_tool(argv).output);
  for (std::string line; std::getline(out, line);) {
    size_t sep = line.find(": /");
    if (sep == std::string::npos) continue;
    std::string path = line.substr(sep + 2);
    if (path.rfind("/usr/", 0) == 0) path = path.substr(4);
    owners[path] = line.substr(0, line.find_first_of(":,"));
  }
  return owners;
}

TEST(DockerfileLint, RuntimeStageInstallsThePackageOfEveryLibraryTheBinaryLinks) {
  std::string objdump = testing::find_program("objdump"), ldd = testing::find_program("ldd");
  std::string dpkg = testing::find_program("dpkg");
  if (objdump.empty() || ldd.empty() || dpkg.empty())
    GTEST_SKIP() << "objdump, ldd or dpkg is missing: not a Debian build machine";
  std::set<std::string> needed;
  std::istringstream headers(testing::run_tool({objdump, "-p", TC_BINARY}).output);
  for (std::string line; std::getline(headers, line);) {
    std::istringstream fields(line);
    std::string tag, name;
    if (fields >> tag >> name && tag == "NEEDED") needed.insert(name);
  }
  ASSERT_FALSE(needed.empty());
  // debian:12-slim already holds the C and C++ runtimes; sanitizer runtimes are test-only.
  const std::set<std::string> in_base{"libc6", "libstdc++6", "libgcc-s1"};
  const std::string text = dockerfile();
  const std::string runtime = text.substr(text.rfind("\nFROM "));
  std::map<std::string, std::string> libraries;  // NEEDED name → resolved path
  std::istringstream resolved(testing::run_tool({ldd, TC_BINARY}).output);
  for (std::string line; std::getline(resolved, line);) {
    std::istringstream fields(line);
    std::string name, arrow, path;
    if (fields >> name >> arrow >> path && arrow == "=>" && needed.count(name))
      libraries[name] = path;
  }
  std::vector<std::string> paths;
  for (const auto& [name, path] : libraries) paths.push_back(path);
  auto owners = owning_packages(dpkg, paths);
  size_t checked = 0;
  for (const auto& [name, path] : libraries) {
    auto owner = owners.find(path.rfind("/usr/", 0) == 0 ? path.substr(4) : path);
    ASSERT_NE(owner, owners.end()) << name << " (" << path << ") belongs to no package";
    const std::string& package = owner->second;
    if (in_base.count(package) || package.starts_with("libasan") || package.starts_with("libubsan"))
      continue;
    EXPECT_TRUE(contains(runtime, " " + package + " ")) << name << " needs " << package;
    ++checked;
  }
  EXPECT_GE(checked, 3u);
}

}  // namespace
}  // namespace tailcast
