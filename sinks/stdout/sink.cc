#include "sinks/stdout/sink.h"

#include <cerrno>
#include <cstring>
#include <ctime>

namespace tailcast::sinks {
namespace {

void append_rfc3339(int64_t timestamp_ns, std::string& out) {
  std::time_t seconds = static_cast<std::time_t>(timestamp_ns / 1'000'000'000);
  long nanos = static_cast<long>(timestamp_ns % 1'000'000'000);
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  n += static_cast<size_t>(std::snprintf(buffer + n, sizeof buffer - n, ".%09ldZ", nanos));
  out.append(buffer, n);
}

}  // namespace

void append_json_string(std::string_view text, std::string& out) {
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\u%04x", c);
          out += hex;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

Result<std::unique_ptr<OutputSink>> OutputSink::open(const config::OutputSinkConfig& config) {
  bool json = config.format == "json";
  if (config.path.empty() || config.path == "-")
    return std::unique_ptr<OutputSink>(new OutputSink(config.name, stdout, false, json));
  std::FILE* file = std::fopen(config.path.c_str(), "a");
  if (!file)
    return make_error(Errc::kIo, config.path + ": cannot open for writing: " + std::strerror(errno));
  return std::unique_ptr<OutputSink>(new OutputSink(config.name, file, true, json));
}

OutputSink::~OutputSink() {
  if (owned_) std::fclose(out_);
  else std::fflush(out_);
}

void OutputSink::write_text(const Batch& batch, const BatchEntry& entry) {
  append_rfc3339(entry.timestamp_ns, scratch_);
  scratch_.push_back(' ');
  scratch_ += batch.streams()[entry.stream].key;
  auto metadata = batch.metadata_of(entry);
  if (!metadata.empty()) {
    scratch_ += " [";
    for (size_t i = 0; i < metadata.size(); ++i) {
      if (i) scratch_.push_back(' ');
      scratch_ += metadata[i].name;
      scratch_.push_back('=');
      scratch_ += metadata[i].value;
    }
    scratch_.push_back(']');
  }
  scratch_.push_back(' ');
  scratch_ += entry.line;
  scratch_.push_back('\n');
}

void OutputSink::write_json(const Batch& batch, const BatchEntry& entry) {
  scratch_ += "{\"timestamp_ns\":\"";
  scratch_ += std::to_string(entry.timestamp_ns);
  scratch_ += "\",\"labels\":{";
  const auto& labels = batch.streams()[entry.stream].labels;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) scratch_.push_back(',');
    append_json_string(labels[i].name, scratch_);
    scratch_.push_back(':');
    append_json_string(labels[i].value, scratch_);
  }
  scratch_ += "},\"structured_metadata\":{";
  auto metadata = batch.metadata_of(entry);
  for (size_t i = 0; i < metadata.size(); ++i) {
    if (i) scratch_.push_back(',');
    append_json_string(metadata[i].name, scratch_);
    scratch_.push_back(':');
    append_json_string(metadata[i].value, scratch_);
  }
  if (!batch.tenant().empty()) {
    scratch_ += "},\"tenant\":";
    append_json_string(batch.tenant(), scratch_);
    scratch_ += ",\"line\":";
  } else {
    scratch_ += "},\"line\":";
  }
  append_json_string(entry.line, scratch_);
  scratch_ += "}\n";
}

void OutputSink::send(std::unique_ptr<Batch> batch, DoneFn done) noexcept {
  std::lock_guard lock(mutex_);
  scratch_.clear();
  for (const BatchEntry& entry : batch->entries()) {
    if (json_) write_json(*batch, entry);
    else write_text(*batch, entry);
  }
  bool written = std::fwrite(scratch_.data(), 1, scratch_.size(), out_) == scratch_.size() &&
                 std::fflush(out_) == 0;
  // A failed write is not delivered: the lines stay unacknowledged and are read again on restart.
  if (written) done(Delivery::kDelivered);
}

void OutputSink::drain(std::chrono::steady_clock::time_point) noexcept {
  std::lock_guard lock(mutex_);
  std::fflush(out_);
}

}  // namespace tailcast::sinks
