// ChildProcess: starts a program (the real tailcast binary, a writer) for multi-process tests,
// with its output in files; signals it and waits with a timeout. Killed on destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tailcast::testing {

class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, const std::filesystem::path& stdout_file,
               const std::filesystem::path& stderr_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  void signal(int signal_number);
  // The exit code (128 + signal when killed by a signal), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Waits until `predicate` holds, checking every few milliseconds; false on timeout.
template <class Predicate>
bool wait_until(Predicate predicate, std::chrono::milliseconds timeout);

}  // namespace tailcast::testing

#include <thread>

template <class Predicate>
bool tailcast::testing::wait_until(Predicate predicate, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}
