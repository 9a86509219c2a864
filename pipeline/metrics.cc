#include "pipeline/metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace tailcast {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      read_bytes(BuildGauge()
                     .Name("promtail_read_bytes_total")
                     .Help("Number of bytes read.")
                     .Register(*registry_)),
      read_lines(BuildCounter()
                     .Name("promtail_read_lines_total")
                     .Help("Number of lines read.")
                     .Register(*registry_)),
      file_bytes(BuildGauge()
                     .Name("promtail_file_bytes_total")
                     .Help("Number of bytes total.")
                     .Register(*registry_)),
      files_active(BuildGauge()
                       .Name("promtail_files_active_total")
                       .Help("Number of active files.")
                       .Register(*registry_)
                       .Add({})),
      targets_active(BuildGauge()
                         .Name("promtail_targets_active_total")
                         .Help("Number of active total.")
                         .Register(*registry_)),
      lines_fixed(BuildCounter()
                      .Name("tailcast_reader_lines_total")
                      .Help("Lines the reader truncated, dropped or repaired, by reason.")
                      .Register(*registry_)),
      given_up_bytes(BuildCounter()
                         .Name("tailcast_reader_given_up_bytes_total")
                         .Help("Bytes of files closed before they were read to their end, by "
                               "reason.")
                         .Register(*registry_)),
      stage_dropped(BuildCounter()
                        .Name("logentry_dropped_lines_total")
                        .Help("A count of all log lines dropped as a result of a pipeline stage.")
                        .Register(*registry_)),
      stage_unparsed(BuildCounter()
                         .Name("tailcast_stage_unparsed_total")
                         .Help("Lines a stage could not parse and passed on unchanged, by reason.")
                         .Register(*registry_)),
      sent_entries(BuildCounter()
                       .Name("promtail_sent_entries_total")
                       .Help("Number of log entries sent to the ingester.")
                       .Register(*registry_)),
      sent_bytes(BuildCounter()
                     .Name("promtail_sent_bytes_total")
                     .Help("Number of bytes sent.")
                     .Register(*registry_)),
      encoded_bytes(BuildCounter()
                        .Name("promtail_encoded_bytes_total")
                        .Help("Number of bytes encoded and ready to send.")
                        .Register(*registry_)),
      dropped_entries(BuildCounter()
                          .Name("promtail_dropped_entries_total")
                          .Help("Number of log entries dropped because they failed to be sent to "
                                "the ingester after all retries, or were rejected.")
                          .Register(*registry_)),
      dropped_bytes(BuildCounter()
                        .Name("promtail_dropped_bytes_total")
                        .Help("Number of bytes dropped because they failed to be sent to the "
                              "ingester after all retries, or were rejected.")
                        .Register(*registry_)),
      batch_retries(BuildCounter()
                        .Name("promtail_batch_retries_total")
                        .Help("Number of times batches have had to be retried.")
                        .Register(*registry_)),
      request_duration(BuildHistogram()
                           .Name("promtail_request_duration_seconds")
                           .Help("Duration of send requests.")
                           .Register(*registry_)),
      sink_entries_fixed(BuildCounter()
                             .Name("tailcast_sink_entries_fixed_total")
                             .Help("Entries changed before sending to fit the remote's limits "
                                   "(truncated lines, sanitised label names and values).")
                             .Register(*registry_)) {}

std::string Metrics::text() const {
  prometheus::TextSerializer serializer;
  std::ostringstream out;
  serializer.Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace tailcast
