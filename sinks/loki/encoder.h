// Loki's push body: a Batch serialized as logproto.PushRequest (one StreamAdapter per stream, the
// entries in arrival order) and compressed in snappy's block format. Pure functions over reusable
// buffers; the sink's sender thread calls them once per batch, and retries resend the same bytes.
#pragma once

#include <string>
#include <string_view>

#include "pipeline/batch.h"

namespace tailcast::sinks::loki {

struct PushPlan;

// Serializes `batch` into `out` (cleared first; its capacity is reused) as `plan` says — which
// entries, lines and stream keys (see LimitChecker) — or, without a plan, all of it as it is.
void encode_push_request(const Batch& batch, const PushPlan* plan, std::string& out) noexcept;
inline void encode_push_request(const Batch& batch, std::string& out) noexcept {
  encode_push_request(batch, nullptr, out);
}

// Snappy block format (varint length prefix, no framing), which Loki's distributor decodes.
void compress_block(std::string_view input, std::string& out) noexcept;

// Both steps with buffers kept between batches. One owner thread.
class Encoder {
 public:
  // The compressed request body; valid until the next call.
  std::string_view encode(const Batch& batch, const PushPlan* plan = nullptr) noexcept {
    encode_push_request(batch, plan, proto_);
    compress_block(proto_, body_);
    return body_;
  }
  // Size of the last request before compression.
  size_t uncompressed_bytes() const noexcept { return proto_.size(); }

 private:
  std::string proto_;
  std::string body_;
};

}  // namespace tailcast::sinks::loki
