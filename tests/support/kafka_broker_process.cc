#include "tests/support/kafka_broker_process.h"

#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace tailcast::testing {
namespace {

std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::vector<std::string> out;
  std::istringstream in(read_file(file));
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool is_answer(const std::string& line) {
  return line.rfind("applied: ", 0) == 0 || line.rfind("failed: ", 0) == 0;
}

}  // namespace

MockBrokerProcess::MockBrokerProcess(const std::filesystem::path& dir,
                                     const std::vector<std::string>& topics, int brokers)
    : dir_(dir) {
  std::filesystem::create_directories(dir_);
  std::vector<std::string> argv{TC_KAFKA_MOCK_BROKER, "--brokers", std::to_string(brokers),
                                "--control", (dir_ / "broker.control").string()};
  for (const auto& topic : topics) {
    argv.push_back("--topic");
    argv.push_back(topic);
  }
  child_ = std::make_unique<ChildProcess>(argv, dir_ / "broker.stdout", dir_ / "broker.stderr");
  wait_until(
      [&] {
        auto lines = lines_of(dir_ / "broker.stdout");
        if (!lines.empty()) bootstraps_ = lines.front();
        return started() || !child_->running();
      },
      std::chrono::seconds(10));
}

bool MockBrokerProcess::command(const std::string& line, std::chrono::milliseconds timeout) {
  {
    std::ofstream control(dir_ / "broker.control", std::ios::app);
    control << line << "\n";
  }
  std::string answer;
  bool answered = wait_until(
      [&] {
        size_t seen = 0;
        for (const auto& out : lines_of(dir_ / "broker.stdout")) {
          if (!is_answer(out)) continue;
          if (++seen == answered_ + 1) answer = out;
        }
        return seen > answered_;
      },
      timeout);
  if (!answered) return false;
  ++answered_;
  return answer == "applied: " + line;
}

std::string MockBrokerProcess::log() const {
  return read_file(dir_ / "broker.stdout") + read_file(dir_ / "broker.stderr");
}

}  // namespace tailcast::testing
