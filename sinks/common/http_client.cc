#include "sinks/common/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>

namespace tailcast::sinks {
namespace {

struct Capture {
  std::string* body;
  size_t max_body;
  std::string retry_after;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* capture = static_cast<Capture*>(user);
  size_t bytes = size * count;
  size_t room = capture->max_body - std::min(capture->max_body, capture->body->size());
  capture->body->append(data, std::min(bytes, room));
  return bytes;  // the rest is read and discarded, so the connection stays reusable
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* capture = static_cast<Capture*>(user);
  std::string_view line(data, size * count);
  // A new status line (after a redirect or a 100 Continue) starts a new set of headers.
  if (starts_with_nocase(line, "http/")) capture->retry_after.clear();
  constexpr std::string_view kRetryAfter = "retry-after:";
  if (starts_with_nocase(line, kRetryAfter))
    capture->retry_after = std::string(trim(line.substr(kRetryAfter.size())));
  return size * count;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const HttpClient*>(user)->aborted() ? 1 : 0;
}

// Prometheus' config reads secrets from files with surrounding whitespace trimmed.
Result<std::string> read_secret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::kIo, path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return std::string(trim(text.str()));
}

Result<void> check_readable(const std::string& path, std::string_view what) {
  if (path.empty()) return {};
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return make_error(Errc::kIo, std::string(what) + " " + path + ": cannot read");
  std::fclose(file);
  return {};
}

struct UrlParts {
  std::string host;  // IPv6 addresses in brackets
  std::string port;  // explicit, or the scheme's default when asked for
};

std::optional<UrlParts> split_url(const std::string& url, bool default_port) {
  CURLU* handle = curl_url();
  if (!handle) return std::nullopt;
  std::optional<UrlParts> parts;
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
      parts = UrlParts{host, ""};
      if (curl_url_get(handle, CURLUPART_PORT, &port, default_port ? CURLU_DEFAULT_PORT : 0) ==
          CURLUE_OK)
        parts->port = port;
    }
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(handle);
  return parts;
}

// With tls_config.server_name the request goes to that name (so SNI and certificate checks use
// it) while the connection still reaches the configured host, as Go's tls.Config.ServerName does.
std::optional<std::string> with_host(const std::string& url, const std::string& host) {
  CURLU* handle = curl_url();
  if (!handle) return std::nullopt;
  std::optional<std::string> out;
  char* text = nullptr;
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_set(handle, CURLUPART_HOST, host.c_str(), 0) == CURLUE_OK &&
      curl_url_get(handle, CURLUPART_URL, &text, 0) == CURLUE_OK)
    out = text;
  curl_free(text);
  curl_url_cleanup(handle);
  return out;
}

}  // namespace

std::string url_host_port(const std::string& url) {
  auto parts = split_url(url, false);
  if (!parts) return {};
  return parts->port.empty() ? parts->host : parts->host + ":" + parts->port;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size())
    return std::chrono::seconds(std::max<int64_t>(seconds, 0));
  std::string date(value);
  time_t when = curl_getdate(date.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  auto delta = std::chrono::system_clock::from_time_t(when) - now;
  auto whole = std::chrono::ceil<std::chrono::seconds>(delta);
  return std::max(whole, std::chrono::seconds(0));
}

Result<std::unique_ptr<HttpClient>> HttpClient::create(const HttpClientOptions& options) {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  int auth_kinds = (options.basic_auth ? 1 : 0) + (options.bearer_token.empty() ? 0 : 1) +
                   (options.bearer_token_file.empty() ? 0 : 1);
  if (auth_kinds > 1)
    return make_error(Errc::kInvalidConfig,
                      "at most one of basic_auth, bearer_token and bearer_token_file may be set");
  for (auto [path, what] : {std::pair{&options.tls.ca_file, "tls_config.ca_file"},
                            std::pair{&options.tls.cert_file, "tls_config.cert_file"},
                            std::pair{&options.tls.key_file, "tls_config.key_file"}}) {
    if (auto readable = check_readable(*path, what); !readable) return readable.error();
  }

  std::unique_ptr<HttpClient> client(new HttpClient());
  client->options_ = options;
  if (!options.bearer_token.empty()) {
    client->authorization_ = "Authorization: Bearer " + options.bearer_token;
  } else if (!options.bearer_token_file.empty()) {
    auto token = read_secret(options.bearer_token_file);
    if (!token) return make_error(Errc::kIo, "bearer_token_file " + token.error().message);
    client->authorization_ = "Authorization: Bearer " + *token;
  }
  if (options.basic_auth) {
    client->basic_password_ = options.basic_auth->password;
    if (!options.basic_auth->password_file.empty()) {
      auto password = read_secret(options.basic_auth->password_file);
      if (!password)
        return make_error(Errc::kIo, "basic_auth.password_file " + password.error().message);
      client->basic_password_ = *password;
    }
  }

  CURL* curl = curl_easy_init();
  if (!curl) return make_error(Errc::kInternal, "curl_easy_init failed");
  client->curl_ = curl;
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, client->error_buffer_);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, client.get());
  auto timeout_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout).count();
  if (timeout_ms > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  const config::TlsConfig& tls = options.tls;
  if (!tls.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.key_file.c_str());
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (options.basic_auth) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(curl, CURLOPT_USERNAME, client->options_.basic_auth->username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, client->basic_password_.c_str());
  }
  return client;
}

HttpClient::~HttpClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpResponse HttpClient::post(const std::string& url, const std::vector<std::string>& headers,
                              std::string_view body) noexcept {
  HttpResponse response;
  if (aborted()) {
    response.error = "aborted";
    return response;
  }
  CURL* curl = static_cast<CURL*>(curl_);
  std::string target = url;
  curl_slist* connect_to = nullptr;
  curl_slist* header_list = nullptr;
  if (!options_.tls.server_name.empty()) {
    auto parts = split_url(url, true);
    auto renamed = with_host(url, options_.tls.server_name);
    if (parts && renamed) {
      target = *renamed;
      connect_to = curl_slist_append(connect_to, ("::" + parts->host + ":" + parts->port).c_str());
      header_list = curl_slist_append(header_list, ("Host: " + url_host_port(url)).c_str());
    }
  }
  for (const std::string& header : headers)
    header_list = curl_slist_append(header_list, header.c_str());
  if (!authorization_.empty()) header_list = curl_slist_append(header_list, authorization_.c_str());
  // Loki answers at once; waiting for 100 Continue only adds a round trip to large pushes.
  header_list = curl_slist_append(header_list, "Expect:");

  Capture capture{&response.body, options_.max_body_bytes, {}};
  error_buffer_[0] = '\0';
  curl_easy_setopt(curl, CURLOPT_URL, target.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &capture);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &capture);

  CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    if (!capture.retry_after.empty())
      response.retry_after =
          parse_retry_after(capture.retry_after, std::chrono::system_clock::now());
  } else {
    response.status = -1;
    response.body.clear();
    response.error = error_buffer_[0] ? error_buffer_ : curl_easy_strerror(code);
  }
  // The lists die with this call; the handle must not point at them afterwards.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_CONNECT_TO, nullptr);
  curl_slist_free_all(header_list);
  curl_slist_free_all(connect_to);
  return response;
}

}  // namespace tailcast::sinks
