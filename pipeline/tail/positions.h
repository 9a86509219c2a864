// PositionsFile: where each tailed file is to be resumed after a restart. Read and written in
// Promtail's positions.yaml shape (`positions:` path → "offset"), plus tailcast's identity records
// under `files:` so that a renamed file keeps its place. Saved atomically; offsets come from
// acknowledged deliveries, never from reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "pipeline/result.h"
#include "pipeline/tail/file_identity.h"

namespace tailcast::tail {

struct PositionsOptions {
  std::string filename;
  // Promtail's flag: a file that cannot be understood is not an error; what can be read is kept.
  bool ignore_invalid_yaml = false;
  // Identity records of files not tailed (deleted, or no longer matched) for this long are pruned
  // when saving. Long enough to outlive a restart or an outage, short enough not to accumulate.
  std::chrono::seconds retention = std::chrono::hours(24);
};

// One file's saved place.
struct PositionRecord {
  std::string path;       // where it was last seen; an attribute, not the key
  FileIdentity identity;  // size unused
  uint64_t offset = 0;
  int64_t seen_unix = 0;    // last update, seconds since the epoch
  uint64_t update_seq = 0;  // order of updates, to pick one record per path in the Promtail view
};

// Owned by the runtime, used from the pipeline thread only (the tailer reads and updates it; sync
// saves it). Not thread-safe.
class PositionsFile {
 public:
  using Clock = std::chrono::system_clock;

  // Reads `options.filename` when it exists (a missing file is an empty store). An unreadable or
  // malformed file is an Error naming it, unless ignore_invalid_yaml: then the readable entries
  // are kept, the rest skipped and a warning logged.
  static Result<std::unique_ptr<PositionsFile>> open(PositionsOptions options);
  explicit PositionsFile(PositionsOptions options) : options_(std::move(options)) {}

  // Where to resume the open file `fd`, identified as `id` and found at `path`: the offset of the
  // identity record that matches (0 when the file is now shorter: truncated meanwhile); else of a
  // path-only (Promtail) entry, if the file is at least that long. nullopt: nothing known.
  std::optional<uint64_t> find(std::string_view path, int fd, const FileIdentity& id) const;

  // Records `offset` for the file; replaces a path-only entry for the same path.
  void update(std::string_view path, const FileIdentity& id, uint64_t offset,
              Clock::time_point now = Clock::now());
  // Forgets the file (it is gone and fully acknowledged).
  void forget(const FileIdentity& id);

  // Prunes records older than the retention and writes the file atomically: temporary file in the
  // same directory, fsync, rename, fsync of the directory; mode 0600.
  Result<void> save(Clock::time_point now = Clock::now());

  // The text save() writes.
  std::string render() const;

  const std::string& filename() const noexcept { return options_.filename; }
  size_t size() const noexcept { return records_.size() + paths_.size(); }
  // Lines of the file read at open that could not be understood and were skipped.
  size_t skipped_lines() const noexcept { return skipped_lines_; }
  const PositionRecord* record(const FileIdentity& id) const;

 private:
  using Key = std::pair<uint64_t, uint64_t>;  // dev, inode

  Result<void> parse(std::string_view text, Clock::time_point now);
  void prune(Clock::time_point now);

  PositionsOptions options_;
  std::map<Key, PositionRecord> records_;
  // Promtail's path → offset entries no identity record covers yet, with when they were read.
  std::map<std::string, std::pair<uint64_t, int64_t>, std::less<>> paths_;
  // Entries whose value is not an offset (Promtail's journal cursors): kept and written back.
  std::map<std::string, std::string, std::less<>> opaque_;
  uint64_t next_seq_ = 1;
  size_t skipped_lines_ = 0;
};

}  // namespace tailcast::tail
