// LineSplitter: turns the bytes of successive reads of one file into complete lines. A line split
// across reads is held until its newline arrives; over-long lines are truncated or dropped under a
// byte bound; invalid UTF-8 is repaired. First step of a line's life after the read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tailcast::tail {

struct SplitterOptions {
  uint64_t max_line_size = 0;  // 0: only hard_cap applies
  bool truncate = false;       // over max_line_size: keep the first max_line_size bytes, else drop
  // Most bytes one line may hold, configured limit or not, so a file without newlines cannot grow
  // the held line without bound. A line over it is truncated unless max_line_size says drop.
  uint64_t hard_cap = 8 * 1024 * 1024;
};

// Lines the splitter changed or refused, for tailcast_reader_lines_total{reason}.
struct SplitStats {
  uint64_t truncated = 0;
  uint64_t too_long = 0;      // dropped
  uint64_t invalid_utf8 = 0;  // repaired: each bad byte became U+FFFD
};

// One per open file, used by the reading thread only. Lines are emitted without their "\n" or
// "\r\n". Their views point into the bytes passed in or into buffers the splitter reuses; they are
// valid until the next call on the splitter. Allocates only when a carried or repaired line
// outgrows the buffers kept from earlier lines.
class LineSplitter {
 public:
  explicit LineSplitter(SplitterOptions options = {}) noexcept;

  // Appends the lines `bytes` completes to `lines` (which the caller clears).
  void feed(std::string_view bytes, std::vector<std::string_view>& lines) noexcept;
  // Emits the unfinished last line, if any, as a line: the file ended without a newline.
  void finish(std::vector<std::string_view>& lines) noexcept;
  // Forgets the unfinished line (the file was truncated under it).
  void reset() noexcept;

  // Bytes consumed since the last newline, held or skipped. The file offset where the next line
  // starts is the offset after the last byte fed minus this.
  uint64_t pending_bytes() const noexcept { return pending_; }
  // Returns the counts since the previous call and starts again from zero.
  SplitStats take_stats() noexcept;

 private:
  void hold(std::string_view part) noexcept;
  void emit(std::string_view line, bool overflowed, std::vector<std::string_view>& lines) noexcept;
  void begin_call() noexcept;
  void end_call(std::vector<std::string_view>& lines) noexcept;

  struct Repair {
    size_t index;   // in the caller's lines
    size_t offset;  // in repaired_
    size_t length;
  };

  uint64_t limit_;
  bool drop_;
  uint64_t pending_ = 0;
  bool overflowed_ = false;  // the held line lost bytes beyond limit_ + 1
  std::string held_;         // the unfinished line (at most limit_ + 1 bytes)
  std::string completed_;    // a held line once its newline arrived, during one call
  std::string repaired_;     // repaired lines of one call, back to back
  std::vector<Repair> repairs_;
  SplitStats stats_;
};

// Length of the valid UTF-8 prefix of `s` (s.size() when all of it is valid).
size_t valid_utf8_prefix(std::string_view s) noexcept;
// Appends `s` to `out` with every byte that is not part of a valid UTF-8 sequence replaced by
// U+FFFD (as Go's range loop decodes).
void append_repaired_utf8(std::string_view s, std::string& out) noexcept;

}  // namespace tailcast::tail
