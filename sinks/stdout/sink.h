// OutputSink: writes each entry as one line to stdout or a file — the sink that needs no server,
// used by the demo, -dry-run and local debugging. Text shows the timestamp, stream labels,
// structured metadata and line; json writes one object per entry.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "pipeline/config/config.h"
#include "pipeline/sink.h"

namespace tailcast::sinks {

class OutputSink : public Sink {
 public:
  // Opens the file for appending (stdout when the path is empty or "-").
  static Result<std::unique_ptr<OutputSink>> open(const config::OutputSinkConfig& config);
  ~OutputSink() override;

  void send(std::unique_ptr<Batch> batch, DoneFn done) noexcept override;
  size_t free_bytes() const noexcept override { return 64 * 1024 * 1024; }
  void drain(std::chrono::steady_clock::time_point deadline) noexcept override;
  std::string_view name() const noexcept override { return name_; }

 private:
  OutputSink(std::string name, std::FILE* out, bool owned, bool json)
      : name_(std::move(name)), out_(out), owned_(owned), json_(json) {}
  void write_text(const Batch& batch, const BatchEntry& entry);
  void write_json(const Batch& batch, const BatchEntry& entry);

  std::string name_;
  std::FILE* out_;
  bool owned_;
  bool json_;
  std::string scratch_;
  std::mutex mutex_;
};

// Appends `text` to `out` as a JSON string, quotes included.
void append_json_string(std::string_view text, std::string& out);

}  // namespace tailcast::sinks
