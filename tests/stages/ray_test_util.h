// Runs the `ray_serve` stage the way a scrape config's chain does: built from YAML through the
// registry, one read chunk per line, release() drained after every hold and flush, and the
// reader's chunk reference given back after each line, so positions show what the stage retains.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/acks.h"
#include "pipeline/metrics.h"
#include "pipeline/stage.h"
#include "pipeline/stage_registry.h"

namespace tailcast::testing {

// An entry as it left the stage, copied so that it outlives the stage's storage.
struct RayOutput {
  std::string line;
  int64_t timestamp_ns = 0;
  std::map<std::string, std::string> labels;  // without the reader's `filename`
  std::map<std::string, std::string> metadata;
  std::map<std::string, std::string> fields;
  std::map<std::string, FieldType> field_types;
  uint64_t first_chunk = 0;
  uint64_t last_chunk = 0;
};

class RayHarness {
 public:
  static constexpr int64_t kReadTime = 42;

  // `options` is the stage's YAML body ("" for `- ray_serve:` with no value).
  explicit RayHarness(std::string_view options = "", Metrics* metrics = nullptr) {
    const std::string yaml = "ray_serve:" + (options.empty() ? std::string() : " " + std::string(options));
    auto stage = build(yaml, metrics, &error_);
    if (stage) {
      stage_ = std::move(*stage);
    } else {
      ADD_FAILURE() << "ray_serve did not build: " << error_;
    }
  }

  // The build error for `options`, or "" when the stage builds.
  static std::string build_error(std::string_view options) {
    std::string error;
    auto stage = build("ray_serve: " + std::string(options), nullptr, &error);
    return stage ? std::string() : error;
  }

  // Feeds one physical line of `path` (without its newline) as its own chunk.
  Verdict feed(const std::string& path, std::string_view line) {
    File& file = file_for(path);
    file.offset += line.size() + 1;
    const uint64_t chunk = file.acks->open_chunk(file.offset);
    arena_.reset();
    Entry entry;
    entry.line = arena_.copy(line);
    entry.timestamp_ns = kReadTime;
    entry.labels.set("filename", file.path);
    entry.source = SourceRef{file.acks.get(), chunk, chunk};
    const Verdict verdict = stage_ ? stage_->process(entry, arena_) : Verdict::kPass;
    if (verdict == Verdict::kPass) collect(entry);
    if (verdict == Verdict::kDrop) ++dropped_;
    drain();
    file.acks->release(chunk);
    return verdict;
  }

  void flush(std::chrono::steady_clock::time_point now, bool everything) {
    if (!stage_) return;
    stage_->flush(now, everything);
    drain();
  }
  void flush_all() { flush(std::chrono::steady_clock::now(), true); }

  uint64_t committed_offset(const std::string& path) { return file_for(path).acks->committed_offset(); }
  uint64_t offset(const std::string& path) { return file_for(path).offset; }

  std::vector<RayOutput>& outputs() noexcept { return outputs_; }
  size_t dropped() const noexcept { return dropped_; }

 private:
  struct File {
    std::string path;
    std::shared_ptr<SourceAcks> acks;
    uint64_t offset = 0;
  };

  static Result<StagePtr> build(const std::string& yaml, Metrics* metrics, std::string* error) {
    static const auto kFile = std::make_shared<const std::string>("test.yaml");
    config::ConfigNode item(YAML::Load(yaml), kFile, "pipeline_stages[0]");
    std::vector<std::string> warnings;
    BuildContext ctx{&warnings, metrics};
    StageFactory factory = StageRegistry::find("ray_serve");
    if (!factory) return make_error(Errc::kInternal, "ray_serve is not registered");
    auto stage = factory(item.child("ray_serve"), ctx);
    if (!stage) *error = stage.error().message;
    return stage;
  }

  File& file_for(const std::string& path) {
    auto& file = files_[path];
    if (!file) {
      file = std::make_unique<File>();
      file->path = path;
      file->acks = std::make_shared<SourceAcks>(0);
    }
    return *file;
  }

  void drain() {
    if (!stage_) return;
    while (Entry* released = stage_->release()) collect(*released);
  }

  void collect(const Entry& entry) {
    RayOutput out;
    out.line = std::string(entry.line);
    out.timestamp_ns = entry.timestamp_ns;
    for (const Label& label : entry.labels)
      if (label.name != "filename") out.labels[std::string(label.name)] = std::string(label.value);
    for (const Label& pair : entry.structured_metadata)
      out.metadata[std::string(pair.name)] = std::string(pair.value);
    for (const Field& field : entry.extracted) {
      out.fields[std::string(field.name)] = std::string(field.text);
      out.field_types[std::string(field.name)] = field.type;
    }
    out.first_chunk = entry.source.first_chunk;
    out.last_chunk = entry.source.last_chunk;
    outputs_.push_back(std::move(out));
  }

  StagePtr stage_;
  std::string error_;
  Arena arena_;
  std::map<std::string, std::unique_ptr<File>> files_;
  std::vector<RayOutput> outputs_;
  size_t dropped_ = 0;
};

}  // namespace tailcast::testing
