#include "tests/support/otlp_receiver.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>
#include <zlib.h>

#include <cctype>

namespace tailcast::testing {
namespace {

std::string lowered(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string base64_of(const std::string& bytes) {
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

// Inflates a gzip body; false when it is not one.
bool gunzip(const std::string& in, std::string& out) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return false;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream.avail_in = static_cast<uInt>(in.size());
  char buffer[16384];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  return status == Z_STREAM_END;
}

std::map<std::string, std::string> attributes_of(
    const google::protobuf::RepeatedPtrField<otlp_common::KeyValue>& attributes) {
  std::map<std::string, std::string> out;
  for (const auto& kv : attributes) out[kv.key()] = any_value_text(kv.value());
  return out;
}

template <class Message>
bool decode(const std::string& body, bool json, Message& message) {
  if (!json) return message.ParseFromString(body);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // receivers must ignore unknown fields
  return google::protobuf::util::JsonStringToMessage(otlp_json_to_proto3_json(body), &message,
                                                     options)
      .ok();
}

template <class Response>
void answer(httplib::Response& response, bool json, const Response& message) {
  std::string body;
  if (json) {
    google::protobuf::util::JsonPrintOptions options;
    (void)google::protobuf::util::MessageToJsonString(message, &body, options);
    response.set_content(body, "application/json");
  } else {
    message.SerializeToString(&body);
    response.set_content(body, "application/x-protobuf");
  }
}

}  // namespace

std::string any_value_text(const otlp_common::AnyValue& value) {
  switch (value.value_case()) {
    case otlp_common::AnyValue::kStringValue:
      return value.string_value();
    case otlp_common::AnyValue::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case otlp_common::AnyValue::kIntValue:
      return std::to_string(value.int_value());
    case otlp_common::AnyValue::kDoubleValue:
      return std::to_string(value.double_value());
    default:
      return value.ShortDebugString();
  }
}

std::string hex_of(const std::string& bytes) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string otlp_json_to_proto3_json(const std::string& json) {
  std::string out;
  size_t at = 0;
  while (at < json.size()) {
    size_t key = std::string::npos;
    size_t key_end = 0;
    for (const char* name : {"\"traceId\"", "\"spanId\"", "\"parentSpanId\""}) {
      size_t found = json.find(name, at);
      if (found < key) {
        key = found;
        key_end = found + std::char_traits<char>::length(name);
      }
    }
    if (key == std::string::npos) break;
    size_t quote = json.find('"', key_end);
    size_t close = quote == std::string::npos ? quote : json.find('"', quote + 1);
    if (close == std::string::npos) break;
    std::string hex = json.substr(quote + 1, close - quote - 1);
    std::string bytes;
    bool valid = hex.size() % 2 == 0;
    for (size_t i = 0; valid && i < hex.size(); i += 2) {
      int high = hex_digit(hex[i]), low = hex_digit(hex[i + 1]);
      valid = high >= 0 && low >= 0;
      bytes.push_back(static_cast<char>(high * 16 + low));
    }
    out.append(json, at, quote + 1 - at);
    // Not hex: left as is, so the parser reports it.
    out += valid ? base64_of(bytes) : hex;
    out.push_back('"');
    at = close + 1;
  }
  out.append(json, at, std::string::npos);
  return out;
}

OtlpReceiver::OtlpReceiver() : server_(std::make_unique<httplib::Server>()) {
  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    handle(request, response);
  };
  server_->Post("/v1/logs", handler);
  server_->Post("/v1/traces", handler);
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::yield();
}

OtlpReceiver::~OtlpReceiver() {
  server_->stop();
  thread_.join();
}

std::string OtlpReceiver::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void OtlpReceiver::respond_with(std::initializer_list<int> statuses) {
  std::vector<OtlpAnswer> answers;
  for (int status : statuses) answers.push_back(OtlpAnswer{status, "", 0, ""});
  respond_with(std::move(answers));
}

void OtlpReceiver::respond_with(std::vector<OtlpAnswer> answers) {
  std::lock_guard lock(mutex_);
  for (auto& answer : answers) script_.push_back(std::move(answer));
}

std::vector<otlp_logs::ExportLogsServiceRequest> OtlpReceiver::logs_requests() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

std::vector<otlp_trace::ExportTraceServiceRequest> OtlpReceiver::trace_requests() const {
  std::lock_guard lock(mutex_);
  return traces_;
}

std::vector<ReceivedLogRecord> OtlpReceiver::log_records() const {
  std::vector<ReceivedLogRecord> out;
  for (const auto& request : logs_requests())
    for (const auto& resource_logs : request.resource_logs()) {
      auto resource = attributes_of(resource_logs.resource().attributes());
      for (const auto& scope_logs : resource_logs.scope_logs())
        for (const auto& record : scope_logs.log_records())
          out.push_back(ReceivedLogRecord{resource, record});
    }
  return out;
}

std::vector<ReceivedSpan> OtlpReceiver::spans() const {
  std::vector<ReceivedSpan> out;
  for (const auto& request : trace_requests())
    for (const auto& resource_spans : request.resource_spans()) {
      auto resource = attributes_of(resource_spans.resource().attributes());
      for (const auto& scope_spans : resource_spans.scope_spans())
        for (const auto& span : scope_spans.spans()) out.push_back(ReceivedSpan{resource, span});
    }
  return out;
}

std::vector<OtlpExport> OtlpReceiver::exports() const {
  std::lock_guard lock(mutex_);
  return exports_;
}

bool OtlpReceiver::wait_for_log_records(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return log_records_ >= count; });
}

bool OtlpReceiver::wait_for_spans(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return spans_ >= count; });
}

bool OtlpReceiver::wait_for_exports(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return exports_.size() >= count; });
}

void OtlpReceiver::handle(const httplib::Request& request, httplib::Response& response) {
  OtlpExport record;
  record.path = request.path;
  for (const auto& [name, value] : request.headers) record.headers[lowered(name)] = value;
  record.json = lowered(request.get_header_value("Content-Type")).rfind("application/json", 0) == 0;
  record.gzip = lowered(request.get_header_value("Content-Encoding")) == "gzip";
  // cpp-httplib inflates gzip bodies itself when built with zlib; a body still gzipped is
  // inflated here.
  std::string body = request.body;
  if (record.gzip && body.size() >= 2 && body[0] == '\x1f' && body[1] == '\x8b') {
    std::string inflated;
    if (gunzip(body, inflated)) body = std::move(inflated);
  }

  const bool logs = request.path == "/v1/logs";
  otlp_logs::ExportLogsServiceRequest logs_request;
  otlp_trace::ExportTraceServiceRequest trace_request;
  bool parsed =
      logs ? decode(body, record.json, logs_request) : decode(body, record.json, trace_request);
  if (parsed) {
    if (logs) {
      for (const auto& r : logs_request.resource_logs())
        for (const auto& s : r.scope_logs()) record.items += s.log_records_size();
    } else {
      for (const auto& r : trace_request.resource_spans())
        for (const auto& s : r.scope_spans()) record.items += s.spans_size();
    }
  }

  std::lock_guard lock(mutex_);
  OtlpAnswer scripted;
  if (!parsed) {
    scripted.status = 400;
  } else if (!script_.empty()) {
    scripted = std::move(script_.front());
    script_.pop_front();
  }
  record.status = scripted.status;
  response.status = scripted.status;
  if (!scripted.retry_after.empty()) response.set_header("Retry-After", scripted.retry_after);
  if (!parsed) response.set_content("request does not decode\n", "text/plain");
  if (parsed && scripted.status >= 200 && scripted.status < 300) {
    if (logs) {
      otlp_logs::ExportLogsServiceResponse answer_message;
      if (scripted.rejected > 0 || !scripted.message.empty()) {
        answer_message.mutable_partial_success()->set_rejected_log_records(scripted.rejected);
        answer_message.mutable_partial_success()->set_error_message(scripted.message);
      }
      answer(response, record.json, answer_message);
      logs_.push_back(std::move(logs_request));
      log_records_ += record.items;
    } else {
      otlp_trace::ExportTraceServiceResponse answer_message;
      if (scripted.rejected > 0 || !scripted.message.empty()) {
        answer_message.mutable_partial_success()->set_rejected_spans(scripted.rejected);
        answer_message.mutable_partial_success()->set_error_message(scripted.message);
      }
      answer(response, record.json, answer_message);
      traces_.push_back(std::move(trace_request));
      spans_ += record.items;
    }
  } else if (parsed) {
    response.set_content("scripted failure\n", "text/plain");
  }
  exports_.push_back(std::move(record));
  changed_.notify_all();
}

}  // namespace tailcast::testing
