// OtlpService: one OTLP/HTTP export (POST /v1/logs or /v1/traces) and what its answer means for
// the batch — delivered (perhaps partially, with the count the receiver rejected), retry later,
// or rejected for good. Knows nothing of entries: it sends bytes. Owned and called by the sink's
// sender thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/result.h"
#include "sinks/common/http_client.h"
#include "sinks/otlp/config.h"
#include "sinks/otlp/json_transcoder.h"

namespace tailcast::sinks::otlp {

enum class ExportOutcome : uint8_t {
  kDelivered,  // 2xx; partial_success may still name rejected items, which MUST NOT be resent
  kRetry,      // 429, 502, 503, 504 or no response (the OTLP specification's retryable set)
  kRejected,   // any other status: the specification forbids retrying it
};

ExportOutcome classify_status(long status) noexcept;

struct PartialSuccess {
  int64_t rejected = 0;  // rejected_log_records or rejected_spans
  std::string message;
};

// The partial_success of an Export{Logs,Trace}ServiceResponse in protobuf or OTLP JSON; zero and
// empty when the body has none (full success) or does not parse.
PartialSuccess parse_partial_success(std::string_view body, bool json);

struct ExportResult {
  ExportOutcome outcome = ExportOutcome::kRetry;
  long status = -1;
  std::optional<std::chrono::seconds> retry_after;
  PartialSuccess partial;  // for kDelivered
  std::string message;     // first line of a failure body (≤ 1 KiB) or the transport error
  std::chrono::nanoseconds duration{0};
};

class OtlpService {
 public:
  static Result<std::unique_ptr<OtlpService>> create(const OtlpSinkConfig& config);

  // Sends one encoded (and, as configured, gzipped) request; `tenant` non-empty adds
  // X-Scope-OrgID, which Loki's OTLP endpoint reads.
  ExportResult send(Signal signal, std::string_view tenant, std::string_view body) noexcept;
  // Makes the export in progress, and every later one, give up at once. Any thread.
  void abort() noexcept { client_->abort(); }
  const std::string& url(Signal signal) const noexcept {
    return signal == Signal::kLogs ? logs_url_ : traces_url_;
  }

 private:
  OtlpService() = default;

  std::unique_ptr<HttpClient> client_;
  std::string logs_url_;
  std::string traces_url_;
  bool json_ = false;
  std::vector<std::string> fixed_headers_;
  std::vector<std::string> headers_;  // per export: fixed headers plus the tenant
};

}  // namespace tailcast::sinks::otlp
