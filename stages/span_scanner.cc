// Framing of concatenated JSON objects for the `spans` stage; see span_scanner.h.
#include "stages/span_scanner.h"

#include <simdjson.h>

#include <algorithm>

#include "stages/ray_serve_scan.h"

namespace tailcast::stages::spans {
namespace {

// Ray's prefixes are an actor or task name, a pid and sometimes an ip: far below this.
constexpr size_t kMaxPrefixBytes = 256;

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

PrefixedLine split_driver_prefix(std::string_view line) noexcept {
  const size_t open = ray::skip_ansi(line, 0);
  if (open >= line.size() || line[open] != '(') return {{}, line};
  const size_t close = line.find(')', open);
  if (close == std::string_view::npos || close - open > kMaxPrefixBytes) return {{}, line};
  const std::string_view inner = line.substr(open + 1, close - open - 1);
  const size_t pid = inner.find("pid=");
  if (inner.find('(') != std::string_view::npos || pid == std::string_view::npos ||
      pid + 4 >= inner.size() || inner[pid + 4] < '0' || inner[pid + 4] > '9')
    return {{}, line};
  size_t body = ray::skip_ansi(line, close + 1);
  if (body < line.size() && line[body] == ' ') ++body;
  return {line.substr(open, close - open + 1), line.substr(body)};
}

void JsonObjectFramer::start_line(std::string_view line) noexcept {
  line_ = line;
  pos_ = 0;
  line_started_ = true;
  at_boundary_ = false;
  line_done_ = false;
}

FrameEvent JsonObjectFramer::next() {
  if (line_done_) return {};
  if (line_started_) {
    line_started_ = false;
    // A new top-level object while one is open: the open one will never be completed.
    if (depth_ > 0 && !line_.empty() && line_.front() == '{') {
      const FrameEvent truncated = abandon();
      if (truncated.kind != FrameKind::kLineEnd) return truncated;
    }
  }
  for (;;) {
    if (depth_ > 0) {
      const size_t begin = pos_;
      const bool ended = scan_inside();
      const std::string_view piece = line_.substr(begin, pos_ - begin);
      if (ended) {
        at_boundary_ = true;
        if (skipping_) {
          reset();
          continue;
        }
        if (buffer_.size() + piece.size() > max_bytes_) {
          reset();
          buffer_.clear();
          return {FrameKind::kTooLarge, {}};
        }
        append(piece);
        reset();
        return {FrameKind::kObject, buffer_};
      }
      line_done_ = true;
      if (in_string_) {
        // JSON strings hold no raw newline: this object is broken (a line cut by the reader's
        // max_line_size, or a writer that died mid-line).
        if (skipping_) {
          reset();
          return {};
        }
        append(piece);
        reset();
        return {FrameKind::kTruncated, buffer_};
      }
      if (skipping_) return {};
      if (buffer_.size() + piece.size() + 1 > max_bytes_) {
        skipping_ = true;
        buffer_.clear();
        return {FrameKind::kTooLarge, {}};
      }
      append(piece);
      append("\n");
      return {};
    }
    while (pos_ < line_.size() && is_space(line_[pos_])) ++pos_;
    if (pos_ >= line_.size()) {
      line_done_ = true;
      return {};
    }
    if (line_[pos_] == '{' && (pos_ == 0 || at_boundary_)) {
      buffer_.clear();
      append("{");
      ++pos_;
      depth_ = 1;
      return {FrameKind::kStart, {}};
    }
    line_done_ = true;
    return {FrameKind::kGarbage, trim(line_.substr(pos_))};
  }
}

FrameEvent JsonObjectFramer::abandon() {
  if (depth_ == 0) return {};
  const bool reported = skipping_;
  reset();
  if (reported) return {};
  return {FrameKind::kTruncated, buffer_};
}

void JsonObjectFramer::append(std::string_view text) {
  const size_t needed = buffer_.size() + text.size() + simdjson::SIMDJSON_PADDING;
  if (buffer_.capacity() < needed) buffer_.reserve(std::max(needed, 2 * buffer_.capacity()));
  buffer_.append(text);
}

void JsonObjectFramer::reset() noexcept {
  depth_ = 0;
  in_string_ = false;
  escaped_ = false;
  skipping_ = false;
}

bool JsonObjectFramer::scan_inside() noexcept {
  for (; pos_ < line_.size(); ++pos_) {
    const char c = line_[pos_];
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if ((c == '}' || c == ']') && --depth_ == 0) {
      ++pos_;
      return true;
    }
  }
  return false;
}

}  // namespace tailcast::stages::spans
