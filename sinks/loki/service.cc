#include "sinks/loki/service.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tailcast::sinks::loki {
namespace {

// Enough of a 400 body to count the reasons of a large batch; only the first line is logged.
constexpr size_t kKeptBodyBytes = 16 * 1024;
constexpr size_t kMessageBytes = 1024;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool same_name(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

uint64_t occurrences(std::string_view text, std::string_view phrase) {
  uint64_t count = 0;
  for (size_t at = text.find(phrase); at != std::string_view::npos;
       at = text.find(phrase, at + phrase.size()))
    ++count;
  return count;
}

// Sum of N over every "total ignored: N out of M" (the ingester's summary per stream).
uint64_t total_ignored(std::string_view text) {
  constexpr std::string_view kPhrase = "total ignored: ";
  uint64_t total = 0;
  for (size_t at = text.find(kPhrase); at != std::string_view::npos;
       at = text.find(kPhrase, at + 1)) {
    const char* begin = text.data() + at + kPhrase.size();
    uint64_t count = 0;
    if (std::from_chars(begin, text.data() + text.size(), count).ec == std::errc()) total += count;
  }
  return total;
}

struct ReasonPhrases {
  std::string_view reason;
  std::string_view phrases[3];  // Loki's identifier and the wordings of its messages
};

// Distributor validation messages (pkg/validation/validate.go) and ingester ones (stream.go).
constexpr ReasonPhrases kReasons[] = {
    {"line_too_long", {"line_too_long", "max entry size", ""}},
    {"greater_than_max_sample_age", {"greater_than_max_sample_age", "timestamp too old", ""}},
    {"too_far_in_future", {"too_far_in_future", "timestamp too new", ""}},
    {"too_far_behind", {"too_far_behind", "too far behind", ""}},
    {"out_of_order", {"out_of_order", "out of order", ""}},
    {"structured_metadata_too_large",
     {"structured_metadata_too_large", "structured metadata too large", ""}},
    {"structured_metadata_too_many",
     {"structured_metadata_too_many", "too many structured metadata", ""}},
    {"invalid_labels", {"invalid_labels", "error parsing labels", ""}},
    {"missing_labels", {"missing_labels", "at least one label", ""}},
    {"max_label_names_per_series", {"max_label_names_per_series", "label names; limit", ""}},
};

std::string first_line(std::string_view text) {
  text = text.substr(0, std::min(text.find('\n'), kMessageBytes));
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

PushOutcome classify_status(long status) noexcept {
  if (status >= 200 && status < 300) return PushOutcome::kDelivered;
  if (status == 429 || status < 0 || (status >= 500 && status < 600)) return PushOutcome::kRetry;
  return PushOutcome::kRejected;
}

std::vector<Rejection> parse_rejections(std::string_view body) {
  std::string text = lower(body);
  std::vector<Rejection> out;
  uint64_t ignored = total_ignored(text);
  for (const ReasonPhrases& entry : kReasons) {
    uint64_t count = 0;
    // One reason may be worded several ways in one body; the largest count avoids counting an
    // entry twice.
    for (std::string_view phrase : entry.phrases)
      if (!phrase.empty()) count = std::max(count, occurrences(text, phrase));
    if (count == 0) continue;
    out.push_back(Rejection{std::string(entry.reason), count});
  }
  if (ignored > 0) {
    // The ingester's summary counts entries whose own lines may have been cut off the body.
    auto ingester = std::find_if(out.begin(), out.end(), [](const Rejection& r) {
      return r.reason == "too_far_behind" || r.reason == "out_of_order";
    });
    if (ingester != out.end()) {
      ingester->count = std::max(ingester->count, ignored);
    } else {
      out.push_back(Rejection{"ignored", ignored});
    }
  }
  if (out.empty()) out.push_back(Rejection{"rejected", 0});
  return out;
}

Result<std::unique_ptr<LokiService>> LokiService::create(const config::ClientConfig& config) {
  if (config.url.empty()) return make_error(Errc::kInvalidConfig, "client url is empty");
  if (url_host_port(config.url).empty())
    return make_error(Errc::kInvalidConfig, "client url " + config.url + " does not parse");
  HttpClientOptions options;
  options.timeout = config.timeout;
  options.tls = config.tls;
  options.basic_auth = config.basic_auth;
  options.bearer_token = config.bearer_token;
  options.bearer_token_file = config.bearer_token_file;
  options.max_body_bytes = kKeptBodyBytes;
  auto client = HttpClient::create(options);
  if (!client) return std::move(client).error();

  std::unique_ptr<LokiService> service(new LokiService());
  service->client_ = std::move(*client);
  service->url_ = config.url;
  // Configured headers replace the defaults of the same name.
  auto configured = [&](std::string_view name) {
    return std::any_of(config.headers.begin(), config.headers.end(),
                       [&](const auto& header) { return same_name(header.first, name); });
  };
  if (!configured("Content-Type"))
    service->fixed_headers_.push_back("Content-Type: application/x-protobuf");
  if (!configured("User-Agent"))
    service->fixed_headers_.push_back(std::string("User-Agent: tailcast/") + TC_VERSION);
  for (const auto& [name, value] : config.headers)
    service->fixed_headers_.push_back(name + ": " + value);
  service->tenant_configured_ = configured("X-Scope-OrgID");
  return service;
}

PushResult LokiService::push(std::string_view tenant, std::string_view body) noexcept {
  headers_ = fixed_headers_;
  if (!tenant.empty() && !tenant_configured_)
    headers_.push_back("X-Scope-OrgID: " + std::string(tenant));

  auto start = std::chrono::steady_clock::now();
  HttpResponse response = client_->post(url_, headers_, body);
  PushResult result;
  result.duration = std::chrono::steady_clock::now() - start;
  result.status = response.status;
  result.retry_after = response.retry_after;
  result.outcome = classify_status(response.status);
  result.message = response.status < 0 ? response.error : first_line(response.body);
  if (result.outcome == PushOutcome::kRejected) result.rejections = parse_rejections(response.body);
  return result;
}

}  // namespace tailcast::sinks::loki
