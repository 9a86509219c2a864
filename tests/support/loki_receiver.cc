#include "tests/support/loki_receiver.h"

#include <httplib.h>
#include <snappy.h>

#include <cctype>

#include "loki_push.pb.h"

namespace tailcast::testing {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(uint32_t code, std::string& out) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  }
}

// Reads a Go double-quoted string (strconv.Unquote) starting at text[at] == '"'.
bool read_quoted(std::string_view text, size_t& at, std::string& out) {
  if (at >= text.size() || text[at] != '"') return false;
  ++at;
  while (at < text.size()) {
    char c = text[at++];
    if (c == '"') return true;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (at >= text.size()) return false;
    char escape = text[at++];
    switch (escape) {
      case 'a':
        out.push_back('\a');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '"':
        out.push_back('"');
        break;
      case '\'':
        out.push_back('\'');
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t digits = escape == 'x' ? 2 : escape == 'u' ? 4 : 8;
        if (at + digits > text.size()) return false;
        uint32_t code = 0;
        for (size_t i = 0; i < digits; ++i) {
          int digit = hex_value(text[at + i]);
          if (digit < 0) return false;
          code = code * 16 + static_cast<uint32_t>(digit);
        }
        at += digits;
        if (escape == 'x') {
          out.push_back(static_cast<char>(code));
        } else {
          append_utf8(code, out);
        }
        break;
      }
      default: {
        // Three octal digits: \ooo.
        if (escape < '0' || escape > '7' || at + 2 > text.size()) return false;
        uint32_t code = static_cast<uint32_t>(escape - '0');
        for (size_t i = 0; i < 2; ++i) {
          char digit = text[at + i];
          if (digit < '0' || digit > '7') return false;
          code = code * 8 + static_cast<uint32_t>(digit - '0');
        }
        if (code > 0xff) return false;
        at += 2;
        out.push_back(static_cast<char>(code));
      }
    }
  }
  return false;
}

void skip_spaces(std::string_view text, size_t& at) {
  while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
}

std::string lowered(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::optional<StringMap> parse_label_string(std::string_view text) {
  StringMap labels;
  size_t at = 0;
  skip_spaces(text, at);
  if (at >= text.size() || text[at++] != '{') return std::nullopt;
  skip_spaces(text, at);
  if (at < text.size() && text[at] == '}') {
    ++at;
  } else {
    for (;;) {
      skip_spaces(text, at);
      size_t name_begin = at;
      while (at < text.size() && (std::isalnum(static_cast<unsigned char>(text[at])) ||
                                  text[at] == '_' || text[at] == ':'))
        ++at;
      if (at == name_begin) return std::nullopt;
      std::string name(text.substr(name_begin, at - name_begin));
      skip_spaces(text, at);
      if (at >= text.size() || text[at++] != '=') return std::nullopt;
      skip_spaces(text, at);
      std::string value;
      if (!read_quoted(text, at, value)) return std::nullopt;
      if (!labels.emplace(std::move(name), std::move(value)).second) return std::nullopt;
      skip_spaces(text, at);
      if (at >= text.size()) return std::nullopt;
      char separator = text[at++];
      if (separator == '}') break;
      if (separator != ',') return std::nullopt;
    }
  }
  skip_spaces(text, at);
  if (at != text.size()) return std::nullopt;
  return labels;
}

LokiReceiver::LokiReceiver() : server_(std::make_unique<httplib::Server>()) {
  server_->Post("/loki/api/v1/push",
                [this](const httplib::Request& request, httplib::Response& response) {
                  handle(request, response);
                });
  port_ = server_->bind_to_any_port("127.0.0.1");
  // The socket listens from here on, so clients may connect before the accept loop runs.
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() only works on a running server.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::yield();
}

LokiReceiver::~LokiReceiver() {
  server_->stop();
  thread_.join();
}

std::string LokiReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/loki/api/v1/push";
}

void LokiReceiver::respond_with(std::initializer_list<int> statuses) {
  std::vector<ScriptedResponse> responses;
  for (int status : statuses)
    responses.push_back(ScriptedResponse{status, "scripted failure\n", ""});
  respond_with(std::move(responses));
}

void LokiReceiver::respond_to_tenant_with(const std::string& tenant,
                                          std::vector<ScriptedResponse> responses) {
  std::lock_guard lock(mutex_);
  for (auto& response : responses) tenant_scripts_[tenant].push_back(std::move(response));
}

void LokiReceiver::respond_with(std::vector<ScriptedResponse> responses) {
  std::lock_guard lock(mutex_);
  for (auto& response : responses) script_.push_back(std::move(response));
}

void LokiReceiver::reject_entries_where(std::function<bool(const ReceivedEntry&)> predicate) {
  std::lock_guard lock(mutex_);
  reject_ = std::move(predicate);
}

std::vector<ReceivedEntry> LokiReceiver::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

std::vector<ReceivedPush> LokiReceiver::pushes() const {
  std::lock_guard lock(mutex_);
  return pushes_;
}

size_t LokiReceiver::push_count() const {
  std::lock_guard lock(mutex_);
  return pushes_.size();
}

bool LokiReceiver::wait_for_entries(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return entries_.size() >= count; });
}

bool LokiReceiver::wait_for_pushes(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return pushes_.size() >= count; });
}

void LokiReceiver::handle(const httplib::Request& request, httplib::Response& response) {
  ReceivedPush push;
  for (const auto& [name, value] : request.headers) push.headers[lowered(name)] = value;
  std::string tenant = request.get_header_value("X-Scope-OrgID");
  push.remote_port = request.remote_port;

  std::string decoded;
  tctest::loki::PushRequest message;
  std::vector<ReceivedEntry> received;
  bool parsed = snappy::Uncompress(request.body.data(), request.body.size(), &decoded) &&
                message.ParseFromString(decoded);
  if (parsed) {
    for (const auto& stream : message.streams()) {
      auto label_map = parse_label_string(stream.labels());
      if (!label_map) parsed = false;
      for (const auto& entry : stream.entries()) {
        ReceivedEntry out;
        out.tenant = tenant;
        out.labels = stream.labels();
        if (label_map) out.label_map = *label_map;
        out.timestamp_ns = entry.timestamp().seconds() * 1'000'000'000 + entry.timestamp().nanos();
        out.line = entry.line();
        for (const auto& pair : entry.structured_metadata())
          out.metadata[pair.name()] = pair.value();
        received.push_back(std::move(out));
      }
    }
  }
  push.entries = received.size();

  std::lock_guard lock(mutex_);
  if (!parsed) {
    push.status = 400;
    response.status = 400;
    response.set_content("error parsing push request\n", "text/plain");
  } else if (auto& script = tenant_scripts_[tenant].empty() ? script_ : tenant_scripts_[tenant];
             !script.empty()) {
    ScriptedResponse scripted = std::move(script.front());
    script.pop_front();
    push.status = scripted.status;
    response.status = scripted.status;
    if (!scripted.retry_after.empty()) response.set_header("Retry-After", scripted.retry_after);
    if (!scripted.body.empty()) response.set_content(scripted.body, "text/plain");
  } else {
    std::string refusals;
    for (auto& entry : received) {
      if (reject_ && reject_(entry)) {
        refusals += "entry for stream '" + entry.labels +
                    "' has timestamp too old: " + std::to_string(entry.timestamp_ns) +
                    ", oldest acceptable timestamp is: 0\n";
        continue;
      }
      entries_.push_back(std::move(entry));
    }
    push.status = refusals.empty() ? 204 : 400;
    response.status = push.status;
    if (!refusals.empty()) response.set_content(refusals, "text/plain");
  }
  pushes_.push_back(std::move(push));
  changed_.notify_all();
}

}  // namespace tailcast::testing
