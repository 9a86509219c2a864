// LokiReceiver: a Loki push endpoint for tests, on 127.0.0.1 and a free port. It decodes pushes
// with libprotobuf from its own .proto, records every entry, and answers from a script, so sink
// tests check the real wire format and the retry and rejection paths.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace tailcast::testing {

using StringMap = std::map<std::string, std::string>;

struct ReceivedEntry {
  std::string tenant;   // X-Scope-OrgID, empty when absent
  std::string labels;   // the stream's label string as sent
  StringMap label_map;  // the same, parsed
  int64_t timestamp_ns = 0;
  std::string line;
  StringMap metadata;  // structured metadata
};

struct ReceivedPush {
  StringMap headers;  // names lower-cased
  size_t entries = 0;
  int status = 0;  // what the receiver answered
  int remote_port = 0;  // the client's side of the connection: equal ports mean a reused one
};

struct ScriptedResponse {
  int status = 204;
  std::string body;
  std::string retry_after;  // sent as Retry-After when non-empty
};

class LokiReceiver {
 public:
  LokiReceiver();
  ~LokiReceiver();
  LokiReceiver(const LokiReceiver&) = delete;
  LokiReceiver& operator=(const LokiReceiver&) = delete;

  int port() const noexcept { return port_; }
  // http://127.0.0.1:<port>/loki/api/v1/push
  std::string url() const;

  // The next pushes get these answers, in order, and store nothing; later ones get 204.
  void respond_with(std::initializer_list<int> statuses);
  void respond_with(std::vector<ScriptedResponse> responses);
  // Like respond_with, for the pushes of one tenant (X-Scope-OrgID) only; checked first.
  void respond_to_tenant_with(const std::string& tenant, std::vector<ScriptedResponse> responses);
  // A push holding an entry that matches gets a Loki-style 400 naming each match, while its
  // other entries are stored, as Loki's distributor does.
  void reject_entries_where(std::function<bool(const ReceivedEntry&)> predicate);

  std::vector<ReceivedEntry> entries() const;
  std::vector<ReceivedPush> pushes() const;
  size_t push_count() const;
  // True once at least `count` entries are stored; false after `timeout`.
  bool wait_for_entries(size_t count, std::chrono::milliseconds timeout) const;
  bool wait_for_pushes(size_t count, std::chrono::milliseconds timeout) const;

 private:
  void handle(const httplib::Request& request, httplib::Response& response);

  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<ScriptedResponse> script_;
  std::map<std::string, std::deque<ScriptedResponse>> tenant_scripts_;
  std::function<bool(const ReceivedEntry&)> reject_;
  std::vector<ReceivedEntry> entries_;
  std::vector<ReceivedPush> pushes_;
};

// Parses Loki's stream selector `{a="b", c="d"}` with Go-quoted values; nullopt if malformed.
std::optional<StringMap> parse_label_string(std::string_view text);

}  // namespace tailcast::testing
