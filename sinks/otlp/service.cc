#include "sinks/otlp/service.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "pipeline/config/config.h"
#include "sinks/otlp/wire.h"

namespace tailcast::sinks::otlp {
namespace {

// A partial-success response is small; a failure body is only logged.
constexpr size_t kKeptBodyBytes = 64 * 1024;
constexpr size_t kMessageBytes = 1024;

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string first_line(std::string_view text) {
  text = text.substr(0, std::min(text.find('\n'), kMessageBytes));
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return std::string(text);
}

bool read_varint(std::string_view& in, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// Calls `fn(number, varint, bytes)` for each varint and length-delimited field; false when the
// protobuf is malformed or holds other wire types.
template <class Fn>
bool for_each_field(std::string_view in, Fn&& fn) {
  while (!in.empty()) {
    uint64_t tag = 0, value = 0;
    if (!read_varint(in, tag) || !read_varint(in, value)) return false;
    auto number = static_cast<uint32_t>(tag >> 3);
    if ((tag & 7) == 0) {
      fn(number, value, std::string_view());
    } else if ((tag & 7) == 2 && value <= in.size()) {
      fn(number, 0, in.substr(0, value));
      in.remove_prefix(value);
    } else {
      return false;
    }
  }
  return true;
}

PartialSuccess parse_proto(std::string_view body) {
  PartialSuccess out;
  for_each_field(body, [&](uint32_t number, uint64_t, std::string_view partial) {
    if (number != kResponsePartialSuccess) return;
    for_each_field(partial, [&](uint32_t field, uint64_t value, std::string_view text) {
      if (field == kPartialRejected) out.rejected = static_cast<int64_t>(value);
      if (field == kPartialMessage) out.message = std::string(text);
    });
  });
  return out;
}

PartialSuccess parse_json(std::string_view body) {
  PartialSuccess out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object partial;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS ||
      doc["partialSuccess"].get_object().get(partial) != simdjson::SUCCESS)
    return out;
  for (auto [key, value] : partial) {
    if (key == "errorMessage") {
      std::string_view text;
      if (value.get_string().get(text) == simdjson::SUCCESS) out.message = std::string(text);
    } else if (key == "rejectedLogRecords" || key == "rejectedSpans") {
      // int64 in OTLP JSON is a decimal string; numbers are accepted too.
      std::string_view text;
      int64_t number = 0;
      if (value.get_int64().get(number) == simdjson::SUCCESS) {
        out.rejected = number;
      } else if (value.get_string().get(text) == simdjson::SUCCESS) {
        std::from_chars(text.data(), text.data() + text.size(), out.rejected);
      }
    }
  }
  return out;
}

}  // namespace

ExportOutcome classify_status(long status) noexcept {
  if (status >= 200 && status < 300) return ExportOutcome::kDelivered;
  if (status < 0 || status == 429 || status == 502 || status == 503 || status == 504)
    return ExportOutcome::kRetry;
  return ExportOutcome::kRejected;
}

PartialSuccess parse_partial_success(std::string_view body, bool json) {
  // A server answers in the request's encoding; a JSON body is recognisable either way.
  size_t start = body.find_first_not_of(" \t\r\n");
  if (json || (start != std::string_view::npos && body[start] == '{')) return parse_json(body);
  return parse_proto(body);
}

Result<std::unique_ptr<OtlpService>> OtlpService::create(const OtlpSinkConfig& config) {
  if (url_host_port(config.endpoint).empty())
    return make_error(Errc::kInvalidConfig, "otlp endpoint " + config.endpoint + " does not parse");
  HttpClientOptions options;
  options.timeout = config.timeout;
  options.tls = config::TlsConfig{config.tls.ca_file, config.tls.cert_file, config.tls.key_file,
                                  config.tls.server_name, config.tls.insecure_skip_verify};
  options.max_body_bytes = kKeptBodyBytes;
  auto client = HttpClient::create(options);
  if (!client) return std::move(client).error();

  std::unique_ptr<OtlpService> service(new OtlpService());
  service->client_ = std::move(*client);
  service->logs_url_ = config.endpoint + "/v1/logs";
  service->traces_url_ = config.endpoint + "/v1/traces";
  service->json_ = config.encoding == Encoding::kJson;
  auto configured = [&](std::string_view name) {
    return std::any_of(config.headers.begin(), config.headers.end(),
                       [&](const auto& header) { return same_name(header.first, name); });
  };
  service->fixed_headers_.push_back(service->json_ ? "Content-Type: application/json"
                                                   : "Content-Type: application/x-protobuf");
  if (config.gzip) service->fixed_headers_.push_back("Content-Encoding: gzip");
  if (!configured("User-Agent"))
    service->fixed_headers_.push_back(std::string("User-Agent: tailcast/") + TC_VERSION);
  for (const auto& [name, value] : config.headers) {
    // The body's type and encoding are the sink's to say.
    if (same_name(name, "Content-Type") || same_name(name, "Content-Encoding")) continue;
    service->fixed_headers_.push_back(name + ": " + value);
  }
  return service;
}

ExportResult OtlpService::send(Signal signal, std::string_view tenant,
                               std::string_view body) noexcept {
  headers_ = fixed_headers_;
  if (!tenant.empty()) headers_.push_back("X-Scope-OrgID: " + std::string(tenant));
  auto start = std::chrono::steady_clock::now();
  HttpResponse response = client_->post(url(signal), headers_, body);
  ExportResult result;
  result.duration = std::chrono::steady_clock::now() - start;
  result.status = response.status;
  result.retry_after = response.retry_after;
  result.outcome = classify_status(response.status);
  if (result.outcome == ExportOutcome::kDelivered) {
    result.partial = parse_partial_success(response.body, json_);
    result.message = result.partial.message;
  } else {
    result.message = response.status < 0 ? response.error : first_line(response.body);
  }
  return result;
}

}  // namespace tailcast::sinks::otlp
