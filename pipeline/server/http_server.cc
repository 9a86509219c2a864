#include "pipeline/server/http_server.h"

#include <httplib.h>

namespace tailcast::server {

HttpServer::HttpServer(const Metrics& metrics, std::string redacted_config)
    : metrics_(metrics), config_text_(std::move(redacted_config)),
      server_(std::make_unique<httplib::Server>()) {
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.text(), "text/plain; version=0.0.4");
  });
  server_->Get("/ready", [this](const httplib::Request&, httplib::Response& res) {
    if (ready_) {
      res.set_content("Ready\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content("Not ready\n", "text/plain");
    }
  });
  server_->Get("/config", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(config_text_, "text/yaml");
  });
}

HttpServer::~HttpServer() { stop(); }

Result<int> HttpServer::start(const std::string& address, int port) {
  int bound = port;
  if (port == 0) {
    bound = server_->bind_to_any_port(address);
  } else if (!server_->bind_to_port(address, port)) {
    bound = -1;
  }
  if (bound < 0)
    return make_error(Errc::kIo, "cannot listen on " + address + ":" + std::to_string(port));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return bound;
}

void HttpServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tailcast::server
