// LokiService: one push to Loki's /loki/api/v1/push and what its answer means for the batch —
// delivered, retry later, or rejected for good (with the reasons Loki gave). Knows nothing of
// entries or batches: it sends bytes. Owned and called by the sink's sender thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/result.h"
#include "sinks/common/http_client.h"

namespace tailcast::sinks::loki {

enum class PushOutcome : uint8_t {
  kDelivered,  // 2xx, including 260 (Loki blocked ingestion on purpose: resending cannot help)
  kRetry,      // 429, 5xx, no response: nothing or an unknown part was stored
  kRejected,   // any other status: Loki stored what was valid and refuses the rest for good
};

// Promtail's rule: retry on 429, 5xx and connection errors (status -1), never on other codes.
PushOutcome classify_status(long status) noexcept;

struct Rejection {
  std::string reason;  // Loki's reason identifier, e.g. "line_too_long"
  uint64_t count = 0;  // entries refused for it; 0 when the body does not say
};

// Reasons and entry counts named in a 400 body. Counts are lower bounds when the body was cut
// short; a body with no known reason gives one {"rejected", 0}.
std::vector<Rejection> parse_rejections(std::string_view body);

struct PushResult {
  PushOutcome outcome = PushOutcome::kRetry;
  long status = -1;
  std::optional<std::chrono::seconds> retry_after;
  std::vector<Rejection> rejections;  // filled for kRejected
  std::string message;                // first line of the body (≤ 1 KiB) or the transport error
  std::chrono::nanoseconds duration{0};
};

class LokiService {
 public:
  static Result<std::unique_ptr<LokiService>> create(const config::ClientConfig& config);

  // Sends one snappy-compressed PushRequest; `tenant` empty sends no X-Scope-OrgID.
  PushResult push(std::string_view tenant, std::string_view body) noexcept;
  // Makes the push in progress, and every later one, give up at once. Any thread.
  void abort() noexcept { client_->abort(); }
  const std::string& url() const noexcept { return url_; }

 private:
  LokiService() = default;

  std::unique_ptr<HttpClient> client_;
  std::string url_;
  std::vector<std::string> fixed_headers_;
  std::vector<std::string> headers_;  // per push: fixed headers plus the tenant
  bool tenant_configured_ = false;    // `headers` names X-Scope-OrgID itself
};

}  // namespace tailcast::sinks::loki
