// Drives one pipeline stage from libFuzzer input the way the runtime does: the input's lines in
// read chunks, release() drained after every line and flush, the chunk's reference given back and
// the arena reset after each read. A fresh stage per input keeps crashes reproducible. Aborts when
// a line stays retained after the final flush: that would pin a file's position for ever.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/acks.h"
#include "pipeline/stage.h"
#include "pipeline/stage_registry.h"

namespace tailcast::fuzz {

// Reads every byte a stage left visible, so that the sanitizers see dangling views.
inline size_t touch(const Entry& entry) {
  size_t sum = entry.line.size() + entry.tenant.size();
  for (const Label& label : entry.labels) sum += label.name.size() + label.value.size();
  for (const Label& pair : entry.structured_metadata) sum += pair.name.size() + pair.value.size();
  for (const Field& field : entry.extracted) sum += field.name.size() + field.text.size();
  for (char c : entry.line) sum += static_cast<unsigned char>(c);
  return sum;
}

template <class Check>
void run_stage(const std::string& yaml, std::string_view data, std::string_view source_field,
               Check&& check) {
  static const auto kFile = std::make_shared<const std::string>("fuzz.yaml");
  config::ConfigNode item(YAML::Load(yaml), kFile, "pipeline_stages[0]");
  const std::string name = item.yaml().begin()->first.Scalar();
  std::vector<std::string> warnings;
  BuildContext ctx{&warnings, nullptr};
  const StageFactory factory = StageRegistry::find(name);
  auto built = factory ? factory(item.child(name), ctx) : Result<StagePtr>(Error{});
  if (!built) {
    std::fprintf(stderr, "stage does not build: %s\n", built.error().message.c_str());
    std::abort();
  }
  Stage& stage = **built;
  auto acks = std::make_shared<SourceAcks>(0);
  Arena arena;
  volatile size_t sink = 0;
  auto deliver = [&](const Entry& entry) {
    sink = sink + touch(entry);
    check(entry);
  };
  auto drain = [&] {
    while (Entry* released = stage.release()) deliver(*released);
  };

  // Lines of the input; a 0x01 byte ends a read, so the fuzzer also chooses chunk boundaries.
  uint64_t offset = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find('\x01', pos);
    if (end == std::string_view::npos) end = data.size();
    const std::string_view read = data.substr(pos, end - pos);
    offset += read.size() + 1;
    const uint64_t chunk = acks->open_chunk(offset);
    size_t start = 0;
    while (start <= read.size()) {
      size_t stop = read.find('\n', start);
      if (stop == std::string_view::npos) stop = read.size();
      Entry entry;
      entry.line = read.substr(start, stop - start);
      entry.labels.set("filename", "/tmp/ray/session_latest/logs/serve/replica_app_Dep_abc.log");
      if (!source_field.empty()) entry.extracted.set(source_field, entry.line);
      entry.source = SourceRef{acks.get(), chunk, chunk};
      if (stage.process(entry, arena) == Verdict::kPass) deliver(entry);
      drain();
      start = stop + 1;
    }
    acks->release(chunk);
    arena.reset();
    stage.flush(std::chrono::steady_clock::now(), false);
    drain();
    pos = end + 1;
  }
  stage.flush(std::chrono::steady_clock::now(), true);
  drain();
  // The last drained entry is given back on the stage's next call: make one, as the runtime does.
  stage.release();
  if (acks->committed_offset() != offset) {
    std::fprintf(stderr, "lines still retained after the final flush: committed %llu of %llu\n",
                 static_cast<unsigned long long>(acks->committed_offset()),
                 static_cast<unsigned long long>(offset));
    std::abort();
  }
}

}  // namespace tailcast::fuzz
