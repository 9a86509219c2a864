#include "sinks/loki/limits.h"

#include "pipeline/config/node.h"

namespace tailcast::sinks::loki {
namespace {

uint32_t count_or(config::ConfigReader& reader, const std::string& key, uint32_t fallback) {
  int64_t value = reader.integer_or(key, fallback);
  if (value < 1 || value > UINT32_MAX) {
    reader.fail(*reader.child(key), "must be a positive count");
    return fallback;
  }
  return static_cast<uint32_t>(value);
}

std::chrono::nanoseconds non_negative(config::ConfigReader& reader, const std::string& key,
                                      std::chrono::nanoseconds fallback) {
  auto value = reader.duration_or(key, fallback);
  if (value.count() < 0) reader.fail(*reader.child(key), "must not be negative");
  return value;
}

}  // namespace

Result<LokiLimits> read_loki_limits(const config::ConfigNode& node) {
  config::ConfigReader reader(node);
  LokiLimits limits;
  limits.enabled = reader.boolean_or("enabled", limits.enabled);
  limits.max_line_size = reader.bytes_or("max_line_size", limits.max_line_size);
  limits.max_line_size_truncate =
      reader.boolean_or("max_line_size_truncate", limits.max_line_size_truncate);
  limits.max_label_names_per_series =
      count_or(reader, "max_label_names_per_series", limits.max_label_names_per_series);
  limits.max_label_name_length =
      count_or(reader, "max_label_name_length", limits.max_label_name_length);
  limits.max_label_value_length =
      count_or(reader, "max_label_value_length", limits.max_label_value_length);
  limits.max_structured_metadata_size =
      reader.bytes_or("max_structured_metadata_size", limits.max_structured_metadata_size);
  limits.max_structured_metadata_entries_count = count_or(
      reader, "max_structured_metadata_entries_count", limits.max_structured_metadata_entries_count);
  limits.reject_old_samples = reader.boolean_or("reject_old_samples", limits.reject_old_samples);
  limits.reject_old_samples_max_age =
      non_negative(reader, "reject_old_samples_max_age", limits.reject_old_samples_max_age);
  limits.creation_grace_period =
      non_negative(reader, "creation_grace_period", limits.creation_grace_period);
  limits.out_of_order_window =
      non_negative(reader, "out_of_order_window", limits.out_of_order_window);
  if (auto done = reader.finish(); !done) return std::move(done).error();
  return limits;
}

}  // namespace tailcast::sinks::loki
