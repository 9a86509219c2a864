// Framing for the `spans` stage: OpenTelemetry's console exporter writes pretty-printed JSON
// objects one after another, and the tailer hands them over one line at a time. JsonObjectFramer
// finds where each object starts and ends across lines; it knows JSON strings and escapes, so
// braces inside strings do not count. Pure and allocation-free once its buffer has grown.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tailcast::stages::spans {

// A Ray driver prefix, `(ProxyActor pid=4582) ` or `(pid=123, ip=10.0.0.5) ` with optional
// colour codes, split from the text after it. `prefix` is empty when the line has none.
struct PrefixedLine {
  std::string_view prefix;  // `(… pid=N…)` without colour codes or the space after it
  std::string_view body;
};
PrefixedLine split_driver_prefix(std::string_view line) noexcept;

enum class FrameKind : unsigned char {
  kLineEnd,    // the line is consumed
  kStart,      // an object starts on this line
  kObject,     // an object ended: `text` is all of it (whitespace as written)
  kTruncated,  // the open object cannot be completed (resync, broken string, abandon()): `text`
               // is what was buffered of it
  kTooLarge,   // the open object passed max_bytes: it is skipped up to its end
  kGarbage,    // text outside any object: `text` is the run, trimmed of whitespace
};

struct FrameEvent {
  FrameKind kind = FrameKind::kLineEnd;
  std::string_view text;  // valid until the next call to next(), start_line() or abandon()
};

// Owned by one stream (a file, or one driver prefix within it); used by one thread.
//
// Rules, chosen so that a broken object costs only itself:
// - outside an object, an object starts at a `{` in column 0, or right after the end of the
//   previous object on the same line; any other text there is garbage up to the end of the line;
// - a `{` in column 0 while an object is open means the open one was truncated (pretty-printed
//   writers indent everything inside a top-level object);
// - a line that ends inside a string breaks the object: JSON strings hold no raw newline.
class JsonObjectFramer {
 public:
  explicit JsonObjectFramer(size_t max_bytes) noexcept : max_bytes_(max_bytes) {}

  // Begins one line (without its newline). Call next() until it returns kLineEnd.
  void start_line(std::string_view line) noexcept;
  FrameEvent next();

  // Inside an object (even one being skipped as too large).
  bool in_object() const noexcept { return depth_ > 0; }
  // Gives up the open object, as on an idle timeout or when its file went away.
  FrameEvent abandon();
  // The buffer behind the last kObject event. Its capacity leaves simdjson's padding after the
  // text, so it parses without a copy.
  const std::string& object_text() const noexcept { return buffer_; }

 private:
  void append(std::string_view text);
  void reset() noexcept;
  // Scans the open object from pos_; true when it ended on this line (pos_ is then past it).
  bool scan_inside() noexcept;

  size_t max_bytes_;
  std::string buffer_;
  std::string_view line_;
  size_t pos_ = 0;
  bool line_started_ = false;  // no event has been returned for this line yet
  bool at_boundary_ = false;   // an object may start here (column 0, or after an object's end)
  bool line_done_ = false;
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  bool skipping_ = false;  // too large: scanned to its end, not buffered
};

}  // namespace tailcast::stages::spans
