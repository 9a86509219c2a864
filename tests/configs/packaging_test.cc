// The systemd unit and the Debian package around it: hardening keys, `systemd-analyze verify`, the
// account sysusers creates, the node pipeline under the unit's environment, maintainer scripts.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/config/config.h"
#include "tests/configs/packaging_support.h"

namespace tailcast {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::source_path;

// section → key → values in file order (keys such as Environment= repeat).
using UnitFile = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

UnitFile parse_unit(const std::string& text) {
  UnitFile unit;
  std::string section;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    unit[section][line.substr(0, eq)].push_back(line.substr(eq + 1));
  }
  return unit;
}

const UnitFile& unit() {
  static const UnitFile parsed =
      parse_unit(read_file(source_path("packaging/systemd/tailcast.service")));
  return parsed;
}

std::vector<std::string> service(const std::string& key) {
  auto section = unit().find("Service");
  if (section == unit().end()) return {};
  auto values = section->second.find(key);
  return values == section->second.end() ? std::vector<std::string>{} : values->second;
}

// The last assignment wins, as in systemd; "" when unset.
std::string service_value(const std::string& key) {
  auto values = service(key);
  return values.empty() ? "" : values.back();
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

TEST(SystemdUnit, RunsTheInstalledBinaryOnTheEtcConfigWithEnvExpansion) {
  auto exec = words(service_value("ExecStart"));
  ASSERT_FALSE(exec.empty());
  EXPECT_EQ(exec[0], "/usr/bin/tailcast");
  std::set<std::string> flags(exec.begin() + 1, exec.end());
  EXPECT_TRUE(flags.count("-config.file=/etc/tailcast/config.yaml"));
  EXPECT_TRUE(flags.count("-config.expand-env=true"));
  EXPECT_EQ(unit().at("Install").at("WantedBy").back(), "multi-user.target");
}

TEST(SystemdUnit, HasTheHardeningKeys) {
  EXPECT_EQ(service_value("NoNewPrivileges"), "yes");
  EXPECT_EQ(service_value("ProtectSystem"), "strict");
  auto writable = words(service_value("ReadWritePaths"));
  EXPECT_NE(std::find(writable.begin(), writable.end(), "/var/lib/tailcast"), writable.end());
  for (const char* key : {"User", "Group"}) {
    EXPECT_FALSE(service_value(key).empty()) << key;
    EXPECT_NE(service_value(key), "root") << key;
    EXPECT_NE(service_value(key), "0") << key;
  }
  EXPECT_FALSE(words(service_value("SupplementaryGroups")).empty());
  EXPECT_EQ(service_value("CapabilityBoundingSet"), "");
  EXPECT_FALSE(service("CapabilityBoundingSet").empty()) << "set to empty: no capabilities";
  // Ray logs live under /tmp/ray: a private /tmp would hide them.
  EXPECT_NE(service_value("PrivateTmp"), "yes");
  EXPECT_NE(service_value("PrivateTmp"), "true");
}

TEST(SystemdUnit, NodePipelineUnderTheUnitsEnvironmentWritesOnlyToTheWritablePath) {
  const std::string text = read_file(source_path("configs/ray-serve-node.yaml"));
  std::map<std::string, std::optional<std::string>> env;
  for (const auto& name : testing::referenced_env_names(text)) env[name] = std::nullopt;
  for (const auto& assignment : service("Environment")) {
    size_t eq = assignment.find('=');
    ASSERT_NE(eq, std::string::npos) << assignment;
    std::string value = assignment.substr(eq + 1);
    if (value == "%H") value = "node-1";
    env[assignment.substr(0, eq)] = value;
  }
  testing::ScopedEnv scoped(env);
  auto config = config::parse_config(config::expand_env(text), "ray-serve-node.yaml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(fs::path(config->positions.filename).parent_path(), "/var/lib/tailcast");
  EXPECT_EQ("/var/lib/" + service_value("StateDirectory"), "/var/lib/tailcast");
  // Outside Kubernetes, /metrics stays on the host.
  EXPECT_EQ(config->server.http_listen_address, "127.0.0.1");
  ASSERT_EQ(config->clients.size(), 1u);
  EXPECT_EQ(config->clients[0].external_labels, (config::StringPairs{{"node", "node-1"}}));
}

TEST(SystemdUnit, SysusersCreatesTheUnitsUserAndGroups) {
  std::set<std::string> users, groups, memberships;
  std::istringstream in(read_file(source_path("packaging/systemd/tailcast.sysusers")));
  for (std::string line; std::getline(in, line);) {
    auto fields = words(line);
    if (fields.size() < 3 || fields[0][0] == '#') continue;
    if (fields[0] == "u") users.insert(fields[1]), groups.insert(fields[1]);
    if (fields[0] == "g") groups.insert(fields[1]);
    if (fields[0] == "m") memberships.insert(fields[1] + ":" + fields[2]), groups.insert(fields[2]);
  }
  const std::string user = service_value("User");
  EXPECT_TRUE(users.count(user)) << user;
  EXPECT_TRUE(groups.count(service_value("Group"))) << service_value("Group");
  for (const auto& group : words(service_value("SupplementaryGroups"))) {
    EXPECT_TRUE(groups.count(group)) << group;
    EXPECT_TRUE(memberships.count(user + ":" + group)) << user << " is not in " << group;
  }
}

// Verifies `unit_text` as /usr/lib/systemd/system/tailcast.service of a root holding this
// machine's units and an executable /usr/bin/tailcast; returns what systemd-analyze printed.
std::optional<testing::ToolRun> verify_unit(const std::string& unit_text) {
  std::string analyze = testing::find_program("systemd-analyze");
  fs::path units =
      fs::exists("/usr/lib/systemd/system") ? "/usr/lib/systemd/system" : "/lib/systemd/system";
  if (analyze.empty() || !fs::exists(units / "multi-user.target")) return std::nullopt;
  testing::TempDir root;
  fs::create_directories(root / "usr/lib/systemd");
  fs::copy(units, root / "usr/lib/systemd/system",
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  root.write("usr/lib/systemd/system/tailcast.service", unit_text);
  root.write("usr/bin/tailcast", "#!/bin/sh\n");
  fs::permissions(root / "usr/bin/tailcast", fs::perms::owner_all, fs::perm_options::add);
  return testing::run_tool(
      {analyze, "verify", "--root=" + root.path().string(), "tailcast.service"});
}

// systemd-analyze exits 0 on unknown keys or bad values; it only prints them.
bool mentions_unit(const std::string& output) {
  return output.find("tailcast.service") != std::string::npos;
}

TEST(SystemdUnit, PassesSystemdAnalyzeVerify) {
  auto run = verify_unit(read_file(source_path("packaging/systemd/tailcast.service")));
  if (!run) GTEST_SKIP() << "systemd-analyze or the system's units are not on this machine";
  EXPECT_EQ(run->exit_code, 0) << run->output;
  EXPECT_FALSE(mentions_unit(run->output)) << run->output;
}

TEST(SystemdUnit, SystemdAnalyzeVerifyReportsAMisspelledKey) {
  std::string text = read_file(source_path("packaging/systemd/tailcast.service"));
  size_t at = text.find("ProtectSystem=");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string("ProtectSystem").size(), "ProtectSystm");
  auto run = verify_unit(text);
  if (!run) GTEST_SKIP() << "systemd-analyze or the system's units are not on this machine";
  EXPECT_TRUE(mentions_unit(run->output) || run->exit_code != 0) << run->output;
}

TEST(DebPackage, MaintainerScriptsAreExecutableValidShell) {
  std::string sh = testing::find_program("sh");
  ASSERT_FALSE(sh.empty());
  for (const char* name : {"postinst", "prerm", "postrm"}) {
    fs::path script = source_path("packaging/deb") / name;
    std::string text = read_file(script);
    EXPECT_EQ(text.rfind("#!/bin/sh\n", 0), 0u) << name;
    EXPECT_NE(text.find("\nset -e\n"), std::string::npos) << name;
    EXPECT_NE(fs::status(script).permissions() & fs::perms::owner_exec, fs::perms::none) << name;
    auto run = testing::run_tool({sh, "-n", script.string()});
    EXPECT_EQ(run.exit_code, 0) << name << ": " << run.output;
  }
}

TEST(DebPackage, MaintainerScriptsPassShellcheckWhenInstalled) {
  std::string shellcheck = testing::find_program("shellcheck");
  if (shellcheck.empty()) GTEST_SKIP() << "shellcheck is not installed; sh -n still runs";
  std::vector<std::string> argv{shellcheck, "--shell=sh"};
  for (const char* name : {"postinst", "prerm", "postrm"})
    argv.push_back((source_path("packaging/deb") / name).string());
  auto run = testing::run_tool(argv);
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST(DebPackage, ConffilesHoldWhatTheUnitReadsFromEtc) {
  std::set<std::string> conffiles;
  std::istringstream in(read_file(source_path("packaging/deb/conffiles")));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) conffiles.insert(line);
  EXPECT_TRUE(conffiles.count("/etc/tailcast/config.yaml"));
  std::string environment_file = service_value("EnvironmentFile");
  if (!environment_file.empty() && environment_file[0] == '-') environment_file.erase(0, 1);
  EXPECT_TRUE(conffiles.count(environment_file)) << environment_file;
  for (const auto& path : conffiles) EXPECT_EQ(path.rfind("/etc/", 0), 0u) << path;
}

TEST(DebPackage, CpackComputesLibraryDependenciesAndInstallsTheUnit) {
  std::string cpack = read_file(source_path("packaging/deb/cpack.cmake"));
  EXPECT_NE(cpack.find("set(CPACK_DEBIAN_PACKAGE_NAME \"tailcast\")"), std::string::npos);
  EXPECT_NE(cpack.find("set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)"), std::string::npos);
  EXPECT_NE(cpack.find("DESTINATION lib/systemd/system"), std::string::npos);
  for (const char* script : {"postinst", "prerm", "postrm", "conffiles"})
    EXPECT_NE(cpack.find(std::string("${CMAKE_CURRENT_LIST_DIR}/") + script), std::string::npos)
        << script;
}

}  // namespace
}  // namespace tailcast
