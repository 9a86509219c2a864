// HttpClient: one libcurl easy handle, reused for every request so the connection to the remote
// stays open between batches. Owned and called by one thread (a sink's sender). TLS files, basic
// auth and bearer tokens are read once, when the client is created.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/result.h"

namespace tailcast::sinks {

struct HttpClientOptions {
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
  config::TlsConfig tls;
  std::optional<config::BasicAuth> basic_auth;
  std::string bearer_token;
  std::string bearer_token_file;
  size_t max_body_bytes = 1024;  // of a response body kept for logs and error parsing
};

struct HttpResponse {
  long status = -1;  // -1: no HTTP response (connection refused, timeout, TLS failure, aborted)
  std::string body;  // the first max_body_bytes of the response body
  std::optional<std::chrono::seconds> retry_after;
  std::string error;  // libcurl's description when status is -1
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> create(const HttpClientOptions& options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body`; `headers` are complete "Name: value" lines. Blocks for at most the timeout.
  HttpResponse post(const std::string& url, const std::vector<std::string>& headers,
                    std::string_view body) noexcept;

  // Makes a request in progress (and the next ones) fail at once with status -1. Any thread.
  void abort() noexcept { aborted_.store(true, std::memory_order_relaxed); }
  bool aborted() const noexcept { return aborted_.load(std::memory_order_relaxed); }

 private:
  HttpClient() = default;

  void* curl_ = nullptr;  // CURL*, kept opaque so that users need not include curl.h
  HttpClientOptions options_;
  std::string authorization_;  // "Authorization: Bearer …" or empty
  std::string basic_password_;
  std::atomic<bool> aborted_{false};
  char error_buffer_[256] = {};
};

// "host[:port]" of a URL as written in it (Promtail's URL.Host); empty when it does not parse.
std::string url_host_port(const std::string& url);

// Retry-After as delta-seconds or an HTTP-date; nullopt when it is neither.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

}  // namespace tailcast::sinks
