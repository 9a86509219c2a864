// The limits a Loki tenant enforces on every pushed entry, as the client knows them. Loki refuses
// a violating entry with a 400 after storing the rest of the request, so the sink checks them
// before sending: entries it can fix are fixed, the others are dropped one by one and counted,
// and the rest of the batch is never held hostage by one bad line. Defaults are Loki's.
#pragma once

#include <chrono>
#include <cstdint>

#include "pipeline/result.h"

namespace tailcast::config {
class ConfigNode;
}

namespace tailcast::sinks::loki {

struct LokiLimits {
  bool enabled = true;
  uint64_t max_line_size = 256 * 1024;  // 0: no limit
  bool max_line_size_truncate = false;
  uint32_t max_label_names_per_series = 15;
  uint32_t max_label_name_length = 1024;
  uint32_t max_label_value_length = 2048;
  uint64_t max_structured_metadata_size = 64 * 1024;  // 0: no limit
  uint32_t max_structured_metadata_entries_count = 128;
  bool reject_old_samples = true;
  std::chrono::nanoseconds reject_old_samples_max_age = std::chrono::hours(24 * 7);
  std::chrono::nanoseconds creation_grace_period = std::chrono::minutes(10);
  // Loki accepts out-of-order entries unless they are older than the stream's newest entry by
  // more than max_chunk_age / 2 (1h by default).
  std::chrono::nanoseconds out_of_order_window = std::chrono::hours(1);
};

// Reads a client's `loki_limits:` block (keys named as in Loki's limits_config).
Result<LokiLimits> read_loki_limits(const config::ConfigNode& node);

}  // namespace tailcast::sinks::loki
