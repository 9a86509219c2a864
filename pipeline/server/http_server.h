// HttpServer: the status surface an SRE looks at — /metrics (Prometheus text), /ready (200 once the
// pipeline runs), /config (the effective config, secrets redacted). Runs on its own thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "pipeline/metrics.h"
#include "pipeline/result.h"

namespace httplib {
class Server;
}

namespace tailcast::server {

class HttpServer {
 public:
  HttpServer(const Metrics& metrics, std::string redacted_config);
  ~HttpServer();

  // Binds (port 0 picks a free one) and starts serving; returns the bound port.
  Result<int> start(const std::string& address, int port);
  void set_ready(bool ready) noexcept { ready_ = ready; }
  void stop();

 private:
  const Metrics& metrics_;
  std::string config_text_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace tailcast::server
