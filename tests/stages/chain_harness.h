// ChainHarness: runs a whole pipeline_stages list the way the runtime does — one read chunk per
// line with its reference given back after the line, flushes that drain held entries — and keeps
// a copy of every entry that came out, so tests of holding stages can check order and positions.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/acks.h"
#include "pipeline/metrics.h"
#include "pipeline/stage_chain.h"

namespace tailcast::testing {

struct ChainOutput {
  std::string line;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> fields;
};

class ChainHarness {
 public:
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  explicit ChainHarness(std::string_view yaml_list, Metrics* metrics = nullptr) {
    static const auto kFile = std::make_shared<const std::string>("test.yaml");
    config::ConfigNode list(YAML::Load(std::string(yaml_list)), kFile, "pipeline_stages");
    BuildContext ctx{&warnings_, metrics};
    auto chain = StageChain::build(&list, ctx);
    if (chain) chain_ = std::move(*chain);
    else ADD_FAILURE() << "chain did not build: " << chain.error().message;
  }

  // Feeds one line as its own chunk; returns how many entries came out of the chain meanwhile.
  size_t feed(std::string_view line, Labels labels = {}) {
    const size_t before = outputs_.size();
    offset_ += line.size() + 1;
    const uint64_t chunk = acks_->open_chunk(offset_);
    arena_.reset();
    Entry entry;
    entry.line = arena_.copy(line);
    for (const auto& [name, value] : labels) entry.labels.set(name, value);
    entry.source = SourceRef{acks_.get(), chunk, chunk};
    chain_.run(entry, arena_, [this](Entry& out) { collect(out); });
    acks_->release(chunk);
    return outputs_.size() - before;
  }

  void flush(std::chrono::steady_clock::time_point now, bool everything) {
    chain_.flush(now, everything, arena_, [this](Entry& out) { collect(out); });
  }
  void flush_all() { flush(std::chrono::steady_clock::now(), true); }

  uint64_t committed_offset() const { return acks_->committed_offset(); }
  uint64_t offset() const noexcept { return offset_; }
  std::vector<ChainOutput>& outputs() noexcept { return outputs_; }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const ChainOutput& output : outputs_) out.push_back(output.line);
    return out;
  }
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  void collect(const Entry& entry) {
    ChainOutput out;
    out.line = std::string(entry.line);
    for (const Label& label : entry.labels)
      out.labels[std::string(label.name)] = std::string(label.value);
    for (const Field& field : entry.extracted)
      out.fields[std::string(field.name)] = std::string(field.text);
    outputs_.push_back(std::move(out));
  }

  std::vector<std::string> warnings_;
  StageChain chain_;
  Arena arena_;
  std::shared_ptr<SourceAcks> acks_ = std::make_shared<SourceAcks>(0);
  uint64_t offset_ = 0;
  std::vector<ChainOutput> outputs_;
};

// The error of a pipeline_stages list that must not build, or "" when it builds.
inline std::string chain_error(std::string_view yaml_list) {
  static const auto kFile = std::make_shared<const std::string>("test.yaml");
  config::ConfigNode list(YAML::Load(std::string(yaml_list)), kFile, "pipeline_stages");
  std::vector<std::string> warnings;
  BuildContext ctx{&warnings, nullptr};
  auto chain = StageChain::build(&list, ctx);
  return chain ? std::string() : chain.error().message;
}

}  // namespace tailcast::testing
