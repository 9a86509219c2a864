// MessageEncoder: one batch entry as the Kafka sink's message value (a JSON object or the raw line)
// and headers (structured metadata and chosen labels). Reuses its buffers from message to message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/batch.h"
#include "sinks/kafka/config.h"

namespace tailcast::sinks::kafka {

class MessageEncoder {
 public:
  explicit MessageEncoder(const KafkaSinkConfig& config);

  // Encodes entry `index` of `batch`; the views below stay valid until the next call.
  void encode(const Batch& batch, uint32_t index) noexcept;

  std::string_view value() const noexcept { return value_; }
  size_t header_count() const noexcept { return headers_.size(); }
  // NUL-terminated, as librdkafka wants header names.
  const char* header_name(size_t i) const noexcept {
    return names_.data() + headers_[i].name_offset;
  }
  std::string_view header_value(size_t i) const noexcept { return headers_[i].value; }

 private:
  struct Header {
    size_t name_offset;
    std::string_view value;
  };
  void encode_json(const Batch& batch, const BatchEntry& entry) noexcept;
  void collect_headers(const Batch& batch, const BatchEntry& entry) noexcept;

  bool raw_;
  bool all_metadata_;
  std::vector<std::string> header_labels_;
  std::vector<std::string> header_metadata_;
  std::string value_;
  std::string names_;
  std::vector<Header> headers_;
};

// Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros, none when zero.
void append_rfc3339_nano(int64_t timestamp_ns, std::string& out);

}  // namespace tailcast::sinks::kafka
