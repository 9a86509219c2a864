// LogEncoder: the kLog entries of a Batch as an OTLP ExportLogsServiceRequest (protobuf), written
// by hand with ProtoEmit. One ResourceLogs per distinct Resource (see resource.h), one ScopeLogs
// ("tailcast"), one LogRecord per entry: timestamp, observed time, severity from `level`, the line
// as body, the other labels and the structured metadata as attributes, and trace_id/span_id
// metadata as the record's trace context when they are valid hex. One owner thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/batch.h"
#include "sinks/otlp/config.h"
#include "sinks/otlp/resource.h"

namespace tailcast::sinks::otlp {

class LogEncoder {
 public:
  explicit LogEncoder(const OtlpSinkConfig& config) : resource_(config) {}

  // Serializes the batch's log entries into `out` (cleared first; its capacity is reused) and
  // returns how many there were. `observed_ns` is the records' observed time.
  size_t encode(const Batch& batch, int64_t observed_ns, std::string& out);

 private:
  struct Group {
    std::vector<Attribute> resource;
    std::vector<uint32_t> streams;
  };

  ResourceRule resource_;
  std::vector<Group> groups_;
  std::vector<Attribute> scratch_;
};

}  // namespace tailcast::sinks::otlp
