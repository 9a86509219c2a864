#include "sinks/loki/encoder.h"

#include <snappy.h>

#include "sinks/common/proto_writer.h"

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

size_t entry_size(const Batch& batch, const BatchEntry& entry) noexcept {
  size_t size = length_delimited_size(kEntryTimestamp, timestamp_size(split(entry.timestamp_ns)));
  size += string_field_size(kEntryLine, entry.line.size());
  for (const Label& pair : batch.metadata_of(entry))
    size += length_delimited_size(kEntryMetadata, pair_size(pair));
  return size;
}

size_t stream_size(const Batch& batch, const BatchStream& stream) noexcept {
  size_t size = string_field_size(kStreamLabels, stream.key.size());
  for (uint32_t index : stream.entries)
    size += length_delimited_size(kStreamEntries, entry_size(batch, batch.entries()[index]));
  return size;
}

void write_entry(const Batch& batch, const BatchEntry& entry, ProtoWriter& writer) {
  writer.begin_message(kStreamEntries, entry_size(batch, entry));
  SplitTime time = split(entry.timestamp_ns);
  writer.begin_message(kEntryTimestamp, timestamp_size(time));
  writer.int_field(kTimestampSeconds, time.seconds);
  writer.int_field(kTimestampNanos, time.nanos);
  writer.string_field(kEntryLine, entry.line);
  for (const Label& pair : batch.metadata_of(entry)) {
    writer.begin_message(kEntryMetadata, pair_size(pair));
    writer.string_field(kPairName, pair.name);
    writer.string_field(kPairValue, pair.value);
  }
}

}  // namespace

void encode_push_request(const Batch& batch, std::string& out) noexcept {
  out.clear();
  ProtoWriter writer(out);
  for (const BatchStream& stream : batch.streams()) {
    writer.begin_message(kRequestStreams, stream_size(batch, stream));
    writer.string_field(kStreamLabels, stream.key);
    for (uint32_t index : stream.entries) write_entry(batch, batch.entries()[index], writer);
  }
}

void compress_block(std::string_view input, std::string& out) noexcept {
  out.resize(snappy::MaxCompressedLength(input.size()));
  size_t written = 0;
  snappy::RawCompress(input.data(), input.size(), out.data(), &written);
  out.resize(written);
}

}  // namespace tailcast::sinks::loki
