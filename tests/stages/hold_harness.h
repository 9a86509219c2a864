// Runs one stage that holds entries (multiline, cri) as a scrape config's chain runs it: built
// from YAML through the registry, each line its own read chunk, release() drained after every
// call and flush, and the reader's chunk reference given back after each line, so that the file's
// committed offset shows exactly what the stage still retains.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/acks.h"
#include "tests/stages/stage_test_util.h"

namespace tailcast::testing {

// An entry as it left the stage, copied so that it outlives the stage's storage.
struct HeldOutput {
  std::string line;
  int64_t timestamp_ns = 0;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> fields;
  uint64_t first_chunk = 0;
  uint64_t last_chunk = 0;
};

class HoldHarness {
 public:
  explicit HoldHarness(std::string_view yaml, Metrics* metrics = nullptr) {
    BuildContext ctx{&warnings_, metrics};
    auto stage = build_stage(yaml, ctx);
    if (stage) {
      stage_ = std::move(*stage);
    } else {
      ADD_FAILURE() << "stage did not build: " << stage.error().message;
    }
  }

  // Feeds one line of `path` read at `read_time`, with the stream labels `labels`.
  Verdict feed(const std::string& path, std::string_view line, int64_t read_time = 1,
               const std::map<std::string, std::string>& labels = {}) {
    File& file = file_for(path);
    file.offset += line.size() + 1;
    const uint64_t chunk = file.acks->open_chunk(file.offset);
    arena_.reset();
    Entry entry;
    entry.line = arena_.copy(line);
    entry.timestamp_ns = read_time;
    entry.labels.set("filename", file.path);
    for (const auto& [name, value] : labels) entry.labels.set(name, value);
    entry.source = SourceRef{file.acks.get(), chunk, chunk};
    const Verdict verdict = stage_ ? stage_->process(entry, arena_) : Verdict::kDrop;
    if (verdict == Verdict::kPass) collect(entry);
    drain();
    file.acks->release(chunk);
    return verdict;
  }
  Verdict feed(std::string_view line, int64_t read_time = 1) {
    return feed("/var/log/a.log", line, read_time);
  }

  void flush(std::chrono::steady_clock::time_point now, bool everything) {
    if (!stage_) return;
    stage_->flush(now, everything);
    drain();
  }
  void flush_all() { flush(std::chrono::steady_clock::now(), true); }

  uint64_t committed(const std::string& path = "/var/log/a.log") {
    return file_for(path).acks->committed_offset();
  }
  uint64_t offset(const std::string& path = "/var/log/a.log") { return file_for(path).offset; }
  std::vector<HeldOutput>& outputs() noexcept { return outputs_; }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const HeldOutput& output : outputs_) out.push_back(output.line);
    return out;
  }
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  struct File {
    std::string path;
    std::shared_ptr<SourceAcks> acks;
    uint64_t offset = 0;
  };

  File& file_for(const std::string& path) {
    auto& file = files_[path];
    if (!file) {
      file = std::make_unique<File>();
      file->path = path;
      file->acks = std::make_shared<SourceAcks>(0);
    }
    return *file;
  }

  // Like a batcher, retains what an entry spans, and gives it back at once (delivered).
  void collect(const Entry& entry) {
    HeldOutput out;
    out.line = std::string(entry.line);
    out.timestamp_ns = entry.timestamp_ns;
    for (const Label& label : entry.labels)
      if (label.name != "filename") out.labels[std::string(label.name)] = std::string(label.value);
    for (const Field& field : entry.extracted)
      out.fields[std::string(field.name)] = std::string(field.text);
    out.first_chunk = entry.source.first_chunk;
    out.last_chunk = entry.source.last_chunk;
    outputs_.push_back(std::move(out));
  }

  void drain() {
    if (!stage_) return;
    while (Entry* released = stage_->release()) collect(*released);
  }

  std::vector<std::string> warnings_;
  StagePtr stage_;
  Arena arena_;
  std::map<std::string, std::unique_ptr<File>> files_;
  std::vector<HeldOutput> outputs_;
};

}  // namespace tailcast::testing
