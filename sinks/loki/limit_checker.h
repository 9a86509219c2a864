// LimitChecker: applies LokiLimits to a batch before it is encoded. The result is a PushPlan —
// which entries go, with which (possibly truncated) line, under which (possibly sanitised) stream
// key — plus per-reason counts of what was dropped or fixed. The batch itself is not changed, so
// a retry encodes the same plan into the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pipeline/batch.h"
#include "sinks/loki/limits.h"

namespace tailcast::sinks::loki {

struct ReasonCount {
  std::string_view reason;  // Loki's identifier for the limit, e.g. "line_too_long"
  uint64_t entries = 0;
  uint64_t bytes = 0;  // line plus structured-metadata bytes, as Promtail counts
};

struct PushPlan {
  std::vector<uint8_t> keep;              // per batch entry
  std::vector<std::string_view> lines;    // per batch entry: what to send as the line
  std::vector<std::string> stream_keys;   // per batch stream: empty keeps the batch's key
  size_t kept = 0;
  std::vector<ReasonCount> dropped;
  std::vector<ReasonCount> fixed;

  bool sends(uint32_t entry) const noexcept { return keep[entry] != 0; }
};

class LimitChecker {
 public:
  explicit LimitChecker(const LokiLimits& limits) : limits_(limits) {}

  // Fills `plan` (cleared first) for `batch`; `now_ns` is the wall-clock time of the push.
  void check(const Batch& batch, int64_t now_ns, PushPlan& plan);

  // Streams whose newest timestamp is remembered for the out-of-order window.
  size_t tracked_streams() const noexcept { return newest_.size(); }

 private:
  // Sanitises the stream's labels into plan.stream_keys[stream]; the reason that forbids sending
  // the stream at all, or empty.
  std::string_view check_labels(const BatchStream& stream, uint32_t index, PushPlan& plan);
  void forget_old_streams(int64_t now_ns);

  LokiLimits limits_;
  std::unordered_map<std::string, int64_t> newest_;  // stream key → newest timestamp sent
};

}  // namespace tailcast::sinks::loki
