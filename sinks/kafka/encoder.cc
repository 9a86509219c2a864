// The Kafka message value and headers of one batch entry.
#include "sinks/kafka/encoder.h"

#include <cstdio>
#include <ctime>
#include <span>

#include "sinks/stdout/sink.h"

namespace tailcast::sinks::kafka {
namespace {

void append_json_object(std::span<const Label> labels, std::string& out) {
  out.push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(labels[i].name, out);
    out.push_back(':');
    append_json_string(labels[i].value, out);
  }
  out.push_back('}');
}

}  // namespace

void append_rfc3339_nano(int64_t timestamp_ns, std::string& out) {
  int64_t seconds = timestamp_ns / 1'000'000'000;
  int64_t nanos = timestamp_ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  out.append(buffer, n);
  if (nanos != 0) {
    n = static_cast<size_t>(
        std::snprintf(buffer, sizeof buffer, ".%09lld", static_cast<long long>(nanos)));
    while (buffer[n - 1] == '0') --n;
    out.append(buffer, n);
  }
  out.push_back('Z');
}

MessageEncoder::MessageEncoder(const KafkaSinkConfig& config)
    : raw_(config.encoding == "raw"),
      all_metadata_(config.all_metadata_headers),
      header_labels_(config.header_labels),
      header_metadata_(config.header_metadata) {}

void MessageEncoder::encode(const Batch& batch, uint32_t index) noexcept {
  const BatchEntry& entry = batch.entries()[index];
  value_.clear();
  if (raw_) value_.append(entry.line);
  else encode_json(batch, entry);
  collect_headers(batch, entry);
}

void MessageEncoder::encode_json(const Batch& batch, const BatchEntry& entry) noexcept {
  value_ += "{\"timestamp\":\"";
  append_rfc3339_nano(entry.timestamp_ns, value_);
  value_ += "\",\"timestamp_ns\":";
  value_ += std::to_string(entry.timestamp_ns);
  value_ += ",\"line\":";
  append_json_string(entry.line, value_);
  value_ += ",\"labels\":";
  append_json_object(batch.streams()[entry.stream].labels, value_);
  value_ += ",\"structured_metadata\":";
  append_json_object(batch.metadata_of(entry), value_);
  if (!batch.tenant().empty()) {
    value_ += ",\"tenant\":";
    append_json_string(batch.tenant(), value_);
  }
  value_.push_back('}');
}

void MessageEncoder::collect_headers(const Batch& batch, const BatchEntry& entry) noexcept {
  names_.clear();
  headers_.clear();
  auto add = [&](std::string_view name, std::string_view value) {
    headers_.push_back(Header{names_.size(), value});
    names_.append(name);
    names_.push_back('\0');
  };
  for (const Label& pair : batch.metadata_of(entry)) {
    bool wanted = all_metadata_;
    for (const std::string& name : header_metadata_) wanted = wanted || name == pair.name;
    if (wanted) add(pair.name, pair.value);
  }
  for (const std::string& name : header_labels_) {
    for (const Label& label : batch.streams()[entry.stream].labels)
      if (label.name == name) add(label.name, label.value);
  }
}

}  // namespace tailcast::sinks::kafka
