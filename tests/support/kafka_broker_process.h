// MockBrokerProcess: tc_kafka_mock_broker as a child process, for tests that run the real tailcast
// binary against Kafka: its bootstrap address, and faults injected through its control file
// (brokers down and up, refused Produce requests) while tailcast runs.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace tailcast::testing {

class MockBrokerProcess {
 public:
  // Starts `brokers` brokers with `topics` ("name" or "name:partitions"); its files go below `dir`.
  // started() tells whether the bootstrap address showed up within a few seconds.
  MockBrokerProcess(const std::filesystem::path& dir, const std::vector<std::string>& topics,
                    int brokers = 1);

  bool started() const noexcept { return !bootstraps_.empty(); }
  const std::string& bootstraps() const noexcept { return bootstraps_; }
  // Sends one control command ("down all", "up 1", "produce-errors 5 NOT_LEADER_FOR_PARTITION")
  // and waits until the broker applied it; false if it failed or did not answer.
  bool command(const std::string& line,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::string log() const;

 private:
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> child_;
  std::string bootstraps_;
  size_t answered_ = 0;
};

}  // namespace tailcast::testing
