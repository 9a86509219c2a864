// Idle-files benchmark: creates many small files matching one glob, starts the real tailcast
// binary on them (file sink and positions in a temporary directory), waits until every file was
// read, then measures for --seconds with no writes: CPU seconds (utime + stime from
// /proc/<pid>/stat), % of one core, peak RSS (VmHWM) and open descriptors. What an idle node with
// thousands of log files costs.
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  int files = 10000;
  double seconds = 60;
  std::string binary = TC_BINARY;
  std::string watch = "auto";
  long max_open_files = 0;  // 0: tailcast's default
  bool keep = false;
};

bool flag(std::string_view arg, std::string_view name, std::string& value) {
  if (arg.substr(0, name.size()) != name || arg.size() <= name.size() || arg[name.size()] != '=')
    return false;
  value = std::string(arg.substr(name.size() + 1));
  return true;
}

// utime + stime in seconds, from the 14th and 15th fields of /proc/<pid>/stat.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t after_name = text.rfind(')');
  if (after_name == std::string::npos) return -1;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A "VmHWM:   1234 kB" line of /proc/<pid>/status, in MiB.
double status_mib(pid_t pid, std::string_view key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size() + 1)) / 1024.0;
  }
  return -1;
}

size_t count_entries(const fs::path& dir) {
  std::error_code error;
  size_t count = 0;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) ++count;
  return count;
}

size_t count_lines(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  size_t lines = 0;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    lines += static_cast<size_t>(std::count(buffer, buffer + in.gcount(), '\n'));
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string value;
    std::string_view arg = argv[i];
    if (flag(arg, "--files", value)) options.files = std::stoi(value);
    else if (flag(arg, "--seconds", value)) options.seconds = std::stod(value);
    else if (flag(arg, "--binary", value)) options.binary = value;
    else if (flag(arg, "--watch", value)) options.watch = value;
    else if (flag(arg, "--max-open-files", value)) options.max_open_files = std::stol(value);
    else if (arg == "--keep") options.keep = true;
    else {
      std::cerr << "usage: " << argv[0]
                << " [--files=10000] [--seconds=60] [--binary=PATH] [--watch=auto|poll]"
                   " [--max-open-files=N] [--keep]\n";
      return 2;
    }
  }

  char pattern[] = "/tmp/tc-idle-files-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) return std::perror("mkdtemp"), 1;
  const fs::path root = pattern;
  fs::create_directories(root / "logs");
  fs::create_directories(root / "state");
  for (int i = 0; i < options.files; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "app-%05d.log", i);
    std::ofstream(root / "logs" / name) << "INFO 2026-11-23 12:00:00,000 replica.py:1 - file " << i
                                        << " is idle\n";
  }
  {
    std::ofstream config(root / "state/config.yaml");
    config << "server: {disable: true}\n"
           << "positions: {filename: " << (root / "state/positions.yaml").string() << "}\n"
           << "sinks: [{file: {path: " << (root / "state/out.log").string() << "}}]\n"
           << "target_config: {watch: " << options.watch;
    if (options.max_open_files > 0) config << ", max_open_files: " << options.max_open_files;
    config << "}\n"
           << "scrape_configs:\n  - job_name: idle\n    static_configs:\n"
           << "      - labels: {job: idle, __path__: " << (root / "logs/*.log").string() << "}\n";
  }

  rlimit nofile{};
  ::getrlimit(RLIMIT_NOFILE, &nofile);
  const auto started = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    std::string config_flag = "-config.file=" + (root / "state/config.yaml").string();
    std::freopen((root / "state/tailcast.log").c_str(), "w", stderr);
    ::execl(options.binary.c_str(), options.binary.c_str(), config_flag.c_str(),
            "-log.level=warn", static_cast<char*>(nullptr));
    std::perror("exec");
    ::_exit(127);
  }

  // Startup: every file opened and its line delivered.
  const auto give_up = started + std::chrono::minutes(5);
  size_t delivered = 0;
  while ((delivered = count_lines(root / "state/out.log")) < static_cast<size_t>(options.files)) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid || Clock::now() > give_up) {
      std::cerr << "tailcast exited or stalled after " << delivered << " lines; see "
                << (root / "state/tailcast.log") << "\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double startup =
      std::chrono::duration<double>(Clock::now() - started).count();
  const double startup_cpu = cpu_seconds(pid);

  // The idle window: nothing is written.
  const double cpu_before = cpu_seconds(pid);
  const auto window_start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
  const double cpu_after = cpu_seconds(pid);
  const double window = std::chrono::duration<double>(Clock::now() - window_start).count();
  const double hwm = status_mib(pid, "VmHWM:");
  const double rss = status_mib(pid, "VmRSS:");
  const size_t fds = count_entries("/proc/" + std::to_string(pid) + "/fd");

  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double cpu = cpu_after - cpu_before;
  std::printf(
      "files=%d watch=%s window_s=%.1f idle_cpu_s=%.3f idle_core_pct=%.3f vm_hwm_mib=%.1f "
      "vm_rss_mib=%.1f open_fds=%zu startup_s=%.2f startup_cpu_s=%.2f rlimit_nofile=%llu/%llu "
      "exit=%d\n",
      options.files, options.watch.c_str(), window, cpu, 100.0 * cpu / window, hwm, rss, fds,
      startup, startup_cpu, static_cast<unsigned long long>(nofile.rlim_cur),
      static_cast<unsigned long long>(nofile.rlim_max),
      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  if (!options.keep) fs::remove_all(root);
  else std::printf("kept %s\n", root.c_str());
  return 0;
}
