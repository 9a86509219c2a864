// What the packaging checks share: the repository's files, a process environment set for one
// check and restored after it, and external tools (systemd-analyze, hadolint, dpkg) run by path.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tailcast::testing {

inline std::filesystem::path source_path(std::string_view relative) {
  return std::filesystem::path(TC_SOURCE_DIR) / relative;
}

// Sets variables (or unsets those mapped to nullopt) until destruction, then restores them.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::map<std::string, std::optional<std::string>>& values) {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// The names a config refers to as ${NAME} or ${NAME:-default}.
inline std::vector<std::string> referenced_env_names(std::string_view text) {
  std::vector<std::string> names;
  for (size_t at = text.find("${"); at != std::string_view::npos; at = text.find("${", at + 2)) {
    size_t end = text.find_first_of(":}", at + 2);
    if (end == std::string_view::npos) break;
    names.emplace_back(text.substr(at + 2, end - at - 2));
  }
  return names;
}

// The program's absolute path from $PATH, or "" when it is not installed.
inline std::string find_program(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  while (!dirs.empty()) {
    size_t colon = dirs.find(':');
    std::filesystem::path candidate = std::filesystem::path(dirs.substr(0, colon)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return "";
}

struct ToolRun {
  int exit_code = -1;  // -1: did not finish in time
  std::string output;  // stdout then stderr
};

inline ToolRun run_tool(const std::vector<std::string>& argv) {
  TempDir dir;
  ChildProcess child(argv, dir / "stdout", dir / "stderr");
  auto code = child.wait(std::chrono::seconds(120));
  ToolRun run;
  run.exit_code = code ? *code : -1;
  std::error_code ignored;
  if (std::filesystem::exists(dir / "stdout", ignored)) run.output = read_file(dir / "stdout");
  if (std::filesystem::exists(dir / "stderr", ignored)) run.output += read_file(dir / "stderr");
  return run;
}

}  // namespace tailcast::testing
