// OtlpReceiver: an OTLP/HTTP receiver for tests, on 127.0.0.1 and a free port. It accepts
// POST /v1/logs and /v1/traces in protobuf or JSON (by Content-Type), gzipped or not, decodes them
// with libprotobuf from its own .proto files (tests/support/proto/otlp_*.proto), keeps every
// request, and answers from a script (503s, 429 with Retry-After, partial success), so sink tests
// check the real wire format and the retry rules.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "otlp_logs.pb.h"
#include "otlp_trace.pb.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace tailcast::testing {

namespace otlp_logs = opentelemetry::proto::logs::v1;
namespace otlp_trace = opentelemetry::proto::trace::v1;
namespace otlp_common = opentelemetry::proto::common::v1;

struct OtlpExport {
  std::string path;                            // /v1/logs or /v1/traces
  std::map<std::string, std::string> headers;  // names lower-cased
  bool json = false;
  bool gzip = false;
  size_t items = 0;  // log records or spans decoded
  int status = 0;    // what the receiver answered
};

struct OtlpAnswer {
  int status = 200;
  std::string retry_after;  // sent as Retry-After when non-empty
  int64_t rejected = 0;     // with 200: a partial success rejecting this many items
  std::string message;      // partial success error_message
};

// A record or span with the Resource of its ResourceLogs/ResourceSpans, flattened.
struct ReceivedLogRecord {
  std::map<std::string, std::string> resource;  // string attributes
  otlp_logs::LogRecord record;
};

struct ReceivedSpan {
  std::map<std::string, std::string> resource;
  otlp_trace::Span span;
};

class OtlpReceiver {
 public:
  OtlpReceiver();
  ~OtlpReceiver();
  OtlpReceiver(const OtlpReceiver&) = delete;
  OtlpReceiver& operator=(const OtlpReceiver&) = delete;

  int port() const noexcept { return port_; }
  std::string endpoint() const;  // http://127.0.0.1:<port>

  // The next exports get these answers, in order; later ones get 200. A non-2xx answer stores
  // nothing; a 200 stores the whole request, also when it reports some items rejected.
  void respond_with(std::initializer_list<int> statuses);
  void respond_with(std::vector<OtlpAnswer> answers);

  std::vector<otlp_logs::ExportLogsServiceRequest> logs_requests() const;
  std::vector<otlp_trace::ExportTraceServiceRequest> trace_requests() const;
  std::vector<ReceivedLogRecord> log_records() const;
  std::vector<ReceivedSpan> spans() const;
  std::vector<OtlpExport> exports() const;
  bool wait_for_log_records(size_t count, std::chrono::milliseconds timeout) const;
  bool wait_for_spans(size_t count, std::chrono::milliseconds timeout) const;
  bool wait_for_exports(size_t count, std::chrono::milliseconds timeout) const;

 private:
  void handle(const httplib::Request& request, httplib::Response& response);

  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<OtlpAnswer> script_;
  std::vector<otlp_logs::ExportLogsServiceRequest> logs_;
  std::vector<otlp_trace::ExportTraceServiceRequest> traces_;
  std::vector<OtlpExport> exports_;
  size_t log_records_ = 0;
  size_t spans_ = 0;
};

// The string form of an AnyValue: strings as they are, other scalars printed.
std::string any_value_text(const otlp_common::AnyValue& value);
// Lower-case hex of id bytes.
std::string hex_of(const std::string& bytes);
// OTLP JSON's hex trace/span ids rewritten as proto3 JSON's base64, so that libprotobuf's JSON
// parser reads an OTLP JSON body.
std::string otlp_json_to_proto3_json(const std::string& json);

}  // namespace tailcast::testing
