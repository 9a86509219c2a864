// What the file-source integration tests share: the real tailcast binary tailing a temporary
// directory and pushing to a LokiReceiver, tc_log_writer processes writing numbered lines
// (`<prefix> seq=<n> <padding>`), and the tally that says which numbers arrived how often.
#pragma once

#include <dirent.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/loki_receiver.h"
#include "tests/support/process.h"
#include "tests/support/reserved_port.h"
#include "tests/support/temp_dir.h"

namespace tailcast::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline constexpr size_t kWriterPadding = 48;  // tc_log_writer's default

// One tailcast process at a time over `glob`, with one positions file kept across restarts.
class TailcastUnderTest {
 public:
  TailcastUnderTest(const TempDir& dir, std::string glob, std::string positions_extra = "")
      : dir_(dir), glob_(std::move(glob)), positions_extra_(std::move(positions_extra)) {}

  fs::path positions() const { return dir_ / "positions.yaml"; }
  LokiReceiver& receiver() { return receiver_; }
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  std::string log() const { return read_file(dir_ / "tailcast.stderr"); }

  void start() {
    http_port_ = ReservedPort().port();
    dir_.write("tailcast.yaml",
               "server:\n  http_listen_port: " + std::to_string(http_port_) +
                   "\npositions:\n  filename: " + positions().string() +
                   "\n  sync_period: 100ms\n" + positions_extra_ + "clients:\n  - url: " +
                   receiver_.url() +
                   "\n    batchwait: 50ms\n    batchsize: 262144\n"
                   "    backoff_config: {min_period: 20ms, max_period: 200ms, max_retries: 0}\n"
                   "scrape_configs:\n  - job_name: tail\n    static_configs:\n"
                   "      - labels:\n          job: tail\n          __path__: " +
                   glob_ + "\n");
    child_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{TC_BINARY, "-config.file=" + (dir_ / "tailcast.yaml").string()},
        dir_ / "tailcast.stdout", dir_ / "tailcast.stderr");
  }
  // True once /ready answers 200.
  bool wait_ready(std::chrono::milliseconds timeout = 20s) {
    httplib::Client client("127.0.0.1", http_port_);
    client.set_connection_timeout(1s);
    return wait_until(
        [&] {
          auto response = client.Get("/ready");
          return response && response->status == 200;
        },
        timeout);
  }
  void kill9() {
    child_->signal(SIGKILL);
    child_->wait(30s);
  }
  // SIGTERM; the exit code, or -1 on timeout.
  int stop() {
    child_->signal(SIGTERM);
    return child_->wait(30s).value_or(-1);
  }
  // True when the process holds a descriptor whose target contains `needle`.
  bool holds_open(const std::string& needle) const {
    std::string fds = "/proc/" + std::to_string(pid()) + "/fd";
    std::error_code error;
    for (const auto& item : fs::directory_iterator(fds, error)) {
      std::error_code link_error;
      fs::path target = fs::read_symlink(item.path(), link_error);
      if (!link_error && target.string().find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  const TempDir& dir_;
  std::string glob_;
  std::string positions_extra_;
  LokiReceiver receiver_;
  std::unique_ptr<ChildProcess> child_;
  int http_port_ = 0;
};

// A tc_log_writer process; its stdout holds the last sequence number once it has ended.
class LogWriter {
 public:
  LogWriter(const TempDir& dir, const std::string& name, const fs::path& file,
            std::vector<std::string> flags)
      : out_(dir / (name + ".stdout")) {
    std::vector<std::string> argv{TC_LOG_WRITER, "--path=" + file.string()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    child_ = std::make_unique<ChildProcess>(argv, out_, dir / (name + ".stderr"));
  }
  // Waits for the writer to end on its own; the last number written, or -2 on failure.
  long long finish(std::chrono::milliseconds timeout = 60s) {
    if (child_->wait(timeout) != 0) return -2;
    return std::stoll(read_file(out_));
  }
  long long stop() {
    child_->signal(SIGTERM);
    return finish();
  }

 private:
  fs::path out_;
  std::unique_ptr<ChildProcess> child_;
};

// How often each number arrived, per prefix (or per file and prefix); lines that are not exactly
// what the writer writes (a torn or doubled fragment) are counted apart.
struct Tally {
  std::map<std::string, std::map<long long, int>> seen;
  size_t malformed = 0;
};

inline Tally tally(const std::vector<ReceivedEntry>& entries, bool by_file = false) {
  Tally out;
  for (const ReceivedEntry& entry : entries) {
    const std::string& line = entry.line;
    size_t at = line.find(" seq=");
    size_t space = at == std::string::npos ? at : line.find(' ', at + 5);
    if (space == std::string::npos || line.size() - space - 1 != kWriterPadding ||
        line.find_first_not_of('x', space + 1) != std::string::npos) {
      ++out.malformed;
      continue;
    }
    std::string key = line.substr(0, at);
    if (by_file) key = fs::path(entry.label_map.at("filename")).filename().string() + "/" + key;
    ++out.seen[key][std::stoll(line.substr(at + 5, space - at - 5))];
  }
  return out;
}

struct Losses {
  long long missing = 0;     // numbers in 0..last that never arrived
  long long duplicates = 0;  // arrivals beyond the first
  std::string first_missing;
};

inline Losses count_losses(const std::map<long long, int>& seen, long long last) {
  Losses out;
  for (long long n = 0; n <= last; ++n) {
    auto it = seen.find(n);
    if (it == seen.end()) {
      if (out.missing++ < 5) out.first_missing += std::to_string(n) + " ";
    } else {
      out.duplicates += it->second - 1;
    }
  }
  for (const auto& [n, times] : seen) {
    if (n > last) out.duplicates += times;  // never written: must not appear
  }
  return out;
}

// Polls the receiver until every number 0..last of each prefix arrived; false on timeout.
inline bool wait_for_all(const LokiReceiver& receiver, const std::map<std::string, long long>& last,
                         std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Tally now = tally(receiver.entries());
    bool complete = true;
    for (const auto& [prefix, n] : last) {
      complete = complete && now.seen[prefix].size() >= static_cast<size_t>(n + 1);
    }
    if (complete) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(200ms);
  }
}

}  // namespace tailcast::testing
