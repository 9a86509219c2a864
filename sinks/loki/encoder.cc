#include "sinks/loki/encoder.h"

#include <snappy.h>

#include "sinks/common/proto_writer.h"
#include "sinks/loki/limit_checker.h"

namespace tailcast::sinks::loki {
namespace {

// Field numbers of logproto (pkg/push/push.proto) and google.protobuf.Timestamp.
constexpr uint32_t kRequestStreams = 1;
constexpr uint32_t kStreamLabels = 1;
constexpr uint32_t kStreamEntries = 2;
constexpr uint32_t kEntryTimestamp = 1;
constexpr uint32_t kEntryLine = 2;
constexpr uint32_t kEntryMetadata = 3;
constexpr uint32_t kPairName = 1;
constexpr uint32_t kPairValue = 2;
constexpr uint32_t kTimestampSeconds = 1;
constexpr uint32_t kTimestampNanos = 2;

constexpr int64_t kNanosPerSecond = 1'000'000'000;

struct SplitTime {
  int64_t seconds;
  int64_t nanos;  // always in [0, 1e9), as Timestamp requires, also before 1970
};

SplitTime split(int64_t timestamp_ns) noexcept {
  int64_t seconds = timestamp_ns / kNanosPerSecond;
  int64_t nanos = timestamp_ns % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --seconds;
  }
  return {seconds, nanos};
}

size_t timestamp_size(SplitTime time) noexcept {
  return int_field_size(kTimestampSeconds, time.seconds) +
         int_field_size(kTimestampNanos, time.nanos);
}

size_t pair_size(const Label& pair) noexcept {
  return string_field_size(kPairName, pair.name.size()) +
         string_field_size(kPairValue, pair.value.size());
}

// The batch as the plan sends it: every entry with its own line when there is no plan.
struct View {
  const Batch& batch;
  const PushPlan* plan;

  bool sends(uint32_t index) const noexcept { return !plan || plan->sends(index); }
  std::string_view line(uint32_t index) const noexcept {
    return plan ? plan->lines[index] : batch.entries()[index].line;
  }
  std::string_view key(uint32_t stream) const noexcept {
    if (plan && !plan->stream_keys[stream].empty()) return plan->stream_keys[stream];
    return batch.streams()[stream].key;
  }
};

size_t entry_size(const View& view, uint32_t index) noexcept {
  const Batch& batch = view.batch;
  const BatchEntry& entry = batch.entries()[index];
  size_t size = length_delimited_size(kEntryTimestamp, timestamp_size(split(entry.timestamp_ns)));
  size += string_field_size(kEntryLine, view.line(index).size());
  for (const Label& pair : batch.metadata_of(entry))
    size += length_delimited_size(kEntryMetadata, pair_size(pair));
  return size;
}

// 0 when the plan sends none of the stream's entries.
size_t stream_size(const View& view, uint32_t stream_index) noexcept {
  const BatchStream& stream = view.batch.streams()[stream_index];
  size_t size = 0;
  for (uint32_t index : stream.entries)
    if (view.sends(index)) size += length_delimited_size(kStreamEntries, entry_size(view, index));
  if (size == 0) return 0;
  return size + string_field_size(kStreamLabels, view.key(stream_index).size());
}

void write_entry(const View& view, uint32_t index, ProtoWriter& writer) {
  const Batch& batch = view.batch;
  const BatchEntry& entry = batch.entries()[index];
  writer.begin_message(kStreamEntries, entry_size(view, index));
  SplitTime time = split(entry.timestamp_ns);
  writer.begin_message(kEntryTimestamp, timestamp_size(time));
  writer.int_field(kTimestampSeconds, time.seconds);
  writer.int_field(kTimestampNanos, time.nanos);
  writer.string_field(kEntryLine, view.line(index));
  for (const Label& pair : batch.metadata_of(entry)) {
    writer.begin_message(kEntryMetadata, pair_size(pair));
    writer.string_field(kPairName, pair.name);
    writer.string_field(kPairValue, pair.value);
  }
}

}  // namespace

void encode_push_request(const Batch& batch, const PushPlan* plan, std::string& out) noexcept {
  out.clear();
  ProtoWriter writer(out);
  const View view{batch, plan};
  for (uint32_t s = 0; s < batch.streams().size(); ++s) {
    size_t size = stream_size(view, s);
    if (size == 0) continue;
    writer.begin_message(kRequestStreams, size);
    writer.string_field(kStreamLabels, view.key(s));
    for (uint32_t index : batch.streams()[s].entries)
      if (view.sends(index)) write_entry(view, index, writer);
  }
}

void compress_block(std::string_view input, std::string& out) noexcept {
  out.resize(snappy::MaxCompressedLength(input.size()));
  size_t written = 0;
  snappy::RawCompress(input.data(), input.size(), out.data(), &written);
  out.resize(written);
}

}  // namespace tailcast::sinks::loki
