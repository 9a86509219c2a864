// Line framing for the reader: memchr for '\n', a held buffer for the line a read cut in two, and
// the byte bounds and UTF-8 repair that keep one bad file from costing memory or rejected batches.
#include "pipeline/tail/line_splitter.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace tailcast::tail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
constexpr uint64_t kUnbounded = uint64_t{1} << 62;  // leaves room for limit_ + 1

// Length of the valid UTF-8 sequence starting at p[0], or 0 when it is not one.
size_t sequence_length(const unsigned char* p, size_t remaining) noexcept {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t length = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (remaining < length) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < length; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

size_t valid_utf8_prefix(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Log lines are mostly ASCII: check eight bytes at a time while they are.
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    size_t length = sequence_length(p + i, n - i);
    if (length == 0) return i;
    i += length;
  }
  return n;
}

void append_repaired_utf8(std::string_view s, std::string& out) noexcept {
  size_t i = 0;
  while (i < s.size()) {
    size_t good = valid_utf8_prefix(s.substr(i));
    out.append(s.substr(i, good));
    i += good;
    if (i < s.size()) {
      out.append(kReplacement);
      ++i;
    }
  }
}

LineSplitter::LineSplitter(SplitterOptions options) noexcept
    : drop_(options.max_line_size != 0 && !options.truncate) {
  // A cap of 0 would make every line empty; read it as "no cap" (bounded only by memory).
  uint64_t cap = options.hard_cap != 0 ? std::min(options.hard_cap, kUnbounded) : kUnbounded;
  limit_ = options.max_line_size != 0 ? std::min(options.max_line_size, cap) : cap;
}

void LineSplitter::begin_call() noexcept {
  repaired_.clear();
  repairs_.clear();
}

void LineSplitter::end_call(std::vector<std::string_view>& lines) noexcept {
  // repaired_ may have moved while it grew, so views into it are made only now.
  for (const Repair& r : repairs_) {
    lines[r.index] = std::string_view(repaired_).substr(r.offset, r.length);
  }
}

void LineSplitter::hold(std::string_view part) noexcept {
  pending_ += part.size();
  // One byte over the limit is kept so that a final '\r' can still be told apart from overflow.
  size_t room = limit_ + 1 > held_.size() ? limit_ + 1 - held_.size() : 0;
  size_t take = std::min(room, part.size());
  held_.append(part.data(), take);
  if (take < part.size()) overflowed_ = true;
}

void LineSplitter::emit(std::string_view line, bool overflowed,
                        std::vector<std::string_view>& lines) noexcept {
  if (!overflowed && !line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (overflowed || line.size() > limit_) {
    if (drop_) {
      ++stats_.too_long;
      return;
    }
    // Cut before a multi-byte character rather than through it.
    size_t cut = limit_;
    for (int back = 0; back < 3 && cut > 0 && cut < line.size() &&
                       (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80;
         ++back) {
      --cut;
    }
    line = line.substr(0, cut);
    ++stats_.truncated;
  }
  if (valid_utf8_prefix(line) == line.size()) {
    lines.push_back(line);
    return;
  }
  ++stats_.invalid_utf8;
  size_t offset = repaired_.size();
  append_repaired_utf8(line, repaired_);
  repairs_.push_back(Repair{lines.size(), offset, repaired_.size() - offset});
  lines.emplace_back();
}

void LineSplitter::feed(std::string_view bytes, std::vector<std::string_view>& lines) noexcept {
  begin_call();
  size_t pos = 0;
  while (pos < bytes.size()) {
    const void* found = std::memchr(bytes.data() + pos, '\n', bytes.size() - pos);
    if (found == nullptr) {
      hold(bytes.substr(pos));
      break;
    }
    size_t newline = static_cast<size_t>(static_cast<const char*>(found) - bytes.data());
    std::string_view segment = bytes.substr(pos, newline - pos);
    if (pending_ == 0) {
      emit(segment, false, lines);
    } else {
      hold(segment);
      // Only the first line of a call can be a held one, so one spare buffer suffices.
      std::swap(held_, completed_);
      held_.clear();
      bool overflowed = std::exchange(overflowed_, false);
      emit(completed_, overflowed, lines);
    }
    pending_ = 0;
    pos = newline + 1;
  }
  end_call(lines);
}

void LineSplitter::finish(std::vector<std::string_view>& lines) noexcept {
  begin_call();
  if (pending_ != 0) {
    std::swap(held_, completed_);
    held_.clear();
    bool overflowed = std::exchange(overflowed_, false);
    pending_ = 0;
    emit(completed_, overflowed, lines);
  }
  end_call(lines);
}

void LineSplitter::reset() noexcept {
  held_.clear();
  pending_ = 0;
  overflowed_ = false;
}

SplitStats LineSplitter::take_stats() noexcept { return std::exchange(stats_, SplitStats{}); }

}  // namespace tailcast::tail
