// HeldEntry: an Entry a stage keeps after the chunk it came from was released — `match` around a
// multiline stage, `limit` waiting for tokens. It owns a copy of every view and a reference on
// every chunk the entry spans, so the file's position cannot move past it while it waits.
#pragma once

#include <vector>

#include "pipeline/acks.h"
#include "pipeline/arena.h"
#include "pipeline/entry.h"

namespace tailcast::stages {

struct HeldEntry {
  Entry entry;
  Arena arena{1024};
  std::vector<AckHold> holds;

  // Copies `from` (which may still point into a read buffer) and retains its chunks.
  void take(const Entry& from) {
    entry.clear();
    arena.reset();
    entry.line = arena.copy(from.line);
    entry.kind = from.kind;
    entry.timestamp_ns = from.timestamp_ns;
    for (const Label& label : from.labels)
      entry.labels.set(arena.copy(label.name), arena.copy(label.value));
    for (const Label& label : from.structured_metadata)
      entry.structured_metadata.set(arena.copy(label.name), arena.copy(label.value));
    for (const Field& field : from.extracted)
      entry.extracted.set(arena.copy(field.name), arena.copy(field.text), field.type);
    entry.tenant = arena.copy(from.tenant);
    entry.source = from.source;
    holds.clear();
    if (from.source.acks) {
      for (uint64_t chunk = from.source.first_chunk; chunk <= from.source.last_chunk; ++chunk)
        holds.emplace_back(from.source.acks->shared_from_this(), chunk);
    }
  }

  // After the chain handed the entry on (the batchers retained what they need).
  void release() {
    for (AckHold& hold : holds) hold.release();
    holds.clear();
  }
};

}  // namespace tailcast::stages
