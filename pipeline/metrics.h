// Metrics: every counter tailcast keeps, in one prometheus-cpp registry. Names follow Promtail's
// where Promtail had the metric, so the promtail-mixin dashboards and alerts keep working; the rest
// are tailcast_<component>_<what>. Families are created once; per-label children are looked up
// when a file or sink is set up, never per line.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace tailcast {

class Metrics {
  // Declared first: the families below are built from it.
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  const std::shared_ptr<prometheus::Registry>& registry() const noexcept { return registry_; }
  // The registry in Prometheus' text exposition format.
  std::string text() const;

  // Files (label: path).
  prometheus::Family<prometheus::Gauge>& read_bytes;     // promtail_read_bytes_total (offset)
  prometheus::Family<prometheus::Counter>& read_lines;   // promtail_read_lines_total
  prometheus::Family<prometheus::Gauge>& file_bytes;     // promtail_file_bytes_total
  prometheus::Gauge& files_active;                        // promtail_files_active_total
  prometheus::Family<prometheus::Gauge>& targets_active; // promtail_targets_active_total
  // Lines the reader changed or refused (label: reason: truncated, too_long, invalid_utf8, binary).
  prometheus::Family<prometheus::Counter>& lines_fixed;  // tailcast_reader_lines_total
  // Bytes of files closed before they were read to their end (label: reason: deleted).
  prometheus::Family<prometheus::Counter>& given_up_bytes;  // tailcast_reader_given_up_bytes_total

  // Stages (labels: stage, reason).
  prometheus::Family<prometheus::Counter>& stage_dropped;   // logentry_dropped_lines_total
  prometheus::Family<prometheus::Counter>& stage_unparsed;  // tailcast_stage_unparsed_total

  // Sinks (label: host, plus reason / status_code).
  prometheus::Family<prometheus::Counter>& sent_entries;     // promtail_sent_entries_total
  prometheus::Family<prometheus::Counter>& sent_bytes;       // promtail_sent_bytes_total
  prometheus::Family<prometheus::Counter>& encoded_bytes;    // promtail_encoded_bytes_total
  prometheus::Family<prometheus::Counter>& dropped_entries;  // promtail_dropped_entries_total
  prometheus::Family<prometheus::Counter>& dropped_bytes;    // promtail_dropped_bytes_total
  prometheus::Family<prometheus::Counter>& batch_retries;    // promtail_batch_retries_total
  prometheus::Family<prometheus::Histogram>& request_duration;  // promtail_request_duration_seconds
  // Entries a sink changed to fit the remote's limits (label: host, reason).
  prometheus::Family<prometheus::Counter>& sink_entries_fixed;  // tailcast_sink_entries_fixed_total

};

}  // namespace tailcast
