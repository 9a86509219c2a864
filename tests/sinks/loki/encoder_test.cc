// The Loki encoder's bytes, decoded by libprotobuf from the test's own logproto definition.
#include "sinks/loki/encoder.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include "loki_push.pb.h"

namespace tailcast::sinks::loki {
namespace {

struct Line {
  std::vector<std::pair<std::string, std::string>> labels;
  int64_t timestamp_ns;
  std::string line;
  std::vector<std::pair<std::string, std::string>> metadata;
};

void add(Batch& batch, const Line& line) {
  Entry entry;
  entry.line = line.line;
  entry.timestamp_ns = line.timestamp_ns;
  for (const auto& [name, value] : line.labels) entry.labels.set(name, value);
  for (const auto& [name, value] : line.metadata) entry.structured_metadata.set(name, value);
  std::string key;
  format_stream_key(entry.labels, key);
  batch.add(entry, key);
}

tctest::loki::PushRequest decode(const Batch& batch) {
  Encoder encoder;
  std::string_view body = encoder.encode(batch);
  std::string proto;
  EXPECT_TRUE(snappy::Uncompress(body.data(), body.size(), &proto));
  EXPECT_EQ(proto.size(), encoder.uncompressed_bytes());
  tctest::loki::PushRequest request;
  EXPECT_TRUE(request.ParseFromString(proto));
  return request;
}

TEST(LokiEncoder, StreamLabelsAreTheCanonicalKey) {
  Batch batch("");
  add(batch, {{{"job", "ray"}, {"app", "say \"hi\""}}, 1, "x", {}});
  auto request = decode(batch);
  ASSERT_EQ(request.streams_size(), 1);
  EXPECT_EQ(request.streams(0).labels(), R"({app="say \"hi\"", job="ray"})");
  EXPECT_EQ(request.streams(0).hash(), 0u);
  EXPECT_EQ(request.format(), "");
}

TEST(LokiEncoder, TimestampsKeepSecondsAndNanos) {
  Batch batch("");
  add(batch, {{{"job", "a"}}, 1'700'000'000'123'456'789, "first", {}});
  add(batch, {{{"job", "a"}}, 5, "tiny", {}});
  add(batch, {{{"job", "a"}}, 0, "epoch", {}});
  auto request = decode(batch);
  ASSERT_EQ(request.streams_size(), 1);
  const auto& entries = request.streams(0).entries();
  ASSERT_EQ(entries.size(), 3);
  EXPECT_EQ(entries[0].timestamp().seconds(), 1'700'000'000);
  EXPECT_EQ(entries[0].timestamp().nanos(), 123'456'789);
  EXPECT_EQ(entries[0].line(), "first");
  EXPECT_EQ(entries[1].timestamp().seconds(), 0);
  EXPECT_EQ(entries[1].timestamp().nanos(), 5);
  EXPECT_EQ(entries[2].timestamp().seconds(), 0);
  EXPECT_EQ(entries[2].timestamp().nanos(), 0);
}

TEST(LokiEncoder, TimestampsBefore1970KeepNanosPositive) {
  Batch batch("");
  add(batch, {{{"job", "a"}}, -1'500'000'000, "old", {}});
  auto request = decode(batch);
  const auto& timestamp = request.streams(0).entries(0).timestamp();
  EXPECT_EQ(timestamp.seconds(), -2);
  EXPECT_EQ(timestamp.nanos(), 500'000'000);
}

TEST(LokiEncoder, StructuredMetadataPairsKeepTheirOrder) {
  Batch batch("");
  add(batch, {{{"job", "a"}}, 1, "with", {{"trace_id", "abc"}, {"level", "info"}, {"empty", ""}}});
  add(batch, {{{"job", "a"}}, 2, "without", {}});
  auto request = decode(batch);
  const auto& entries = request.streams(0).entries();
  ASSERT_EQ(entries.size(), 2);
  ASSERT_EQ(entries[0].structured_metadata_size(), 3);
  EXPECT_EQ(entries[0].structured_metadata(0).name(), "trace_id");
  EXPECT_EQ(entries[0].structured_metadata(0).value(), "abc");
  EXPECT_EQ(entries[0].structured_metadata(1).name(), "level");
  EXPECT_EQ(entries[0].structured_metadata(1).value(), "info");
  EXPECT_EQ(entries[0].structured_metadata(2).name(), "empty");
  EXPECT_EQ(entries[0].structured_metadata(2).value(), "");
  EXPECT_EQ(entries[1].structured_metadata_size(), 0);
  EXPECT_EQ(entries[1].parsed_size(), 0);
}

TEST(LokiEncoder, ManyStreamsKeepEachStreamsEntriesInArrivalOrder) {
  Batch batch("");
  constexpr int kStreams = 150;
  constexpr int kPerStream = 20;
  for (int i = 0; i < kPerStream; ++i)
    for (int s = 0; s < kStreams; ++s)
      add(batch, {{{"job", "j"}, {"stream", std::to_string(s)}},
                  i,
                  std::to_string(s) + ":" + std::to_string(i),
                  {}});
  auto request = decode(batch);
  ASSERT_EQ(request.streams_size(), kStreams);
  for (int s = 0; s < kStreams; ++s) {
    const auto& stream = request.streams(s);
    EXPECT_EQ(stream.labels(), "{job=\"j\", stream=\"" + std::to_string(s) + "\"}");
    ASSERT_EQ(stream.entries_size(), kPerStream);
    for (int i = 0; i < kPerStream; ++i) {
      EXPECT_EQ(stream.entries(i).line(), std::to_string(s) + ":" + std::to_string(i));
      EXPECT_EQ(stream.entries(i).timestamp().nanos(), i);
    }
  }
}

TEST(LokiEncoder, LongLinesAndEmptyLinesRoundTrip) {
  Batch batch("");
  std::string long_line(300'000, 'x');
  long_line[12345] = '\n';
  add(batch, {{{"job", "a"}}, 1, long_line, {{"k", std::string(200, 'v')}}});
  add(batch, {{{"job", "a"}}, 2, "", {}});
  auto request = decode(batch);
  const auto& entries = request.streams(0).entries();
  ASSERT_EQ(entries.size(), 2);
  EXPECT_EQ(entries[0].line(), long_line);
  EXPECT_EQ(entries[0].structured_metadata(0).value(), std::string(200, 'v'));
  EXPECT_EQ(entries[1].line(), "");
}

TEST(LokiEncoder, MatchesLibprotobufsOwnSerialization) {
  Batch batch("");
  add(batch, {{{"job", "a"}}, 1'234'567'890'987'654'321, "one", {{"m", "1"}}});
  add(batch, {{{"job", "b"}}, 42, "", {{"empty", ""}}});
  add(batch, {{{"job", "b"}}, -3, "before 1970", {}});
  std::string ours;
  encode_push_request(batch, ours);
  tctest::loki::PushRequest request;
  ASSERT_TRUE(request.ParseFromString(ours));
  // Re-serializing gives canonical bytes; ours must already be canonical.
  EXPECT_EQ(request.SerializeAsString(), ours);
}

TEST(LokiEncoder, EncodingTheSameBatchAgainGivesIdenticalBytes) {
  Batch batch("");
  add(batch, {{{"job", "a"}}, 7, "same", {{"k", "v"}}});
  Encoder encoder;
  std::string first(encoder.encode(batch));
  Batch other("");
  add(other, {{{"job", "z"}}, 9, "different and longer line", {}});
  encoder.encode(other);
  EXPECT_EQ(std::string(encoder.encode(batch)), first);
}

TEST(LokiEncoder, BodyIsSnappyBlockFormatWithLengthPrefix) {
  Batch batch("");
  add(batch, {{{"job", "a"}}, 1, std::string(1000, 'a'), {}});
  std::string proto;
  encode_push_request(batch, proto);
  std::string body;
  compress_block(proto, body);
  size_t length = 0;
  ASSERT_TRUE(snappy::GetUncompressedLength(body.data(), body.size(), &length));
  EXPECT_EQ(length, proto.size());
  EXPECT_LT(body.size(), proto.size());
}

}  // namespace
}  // namespace tailcast::sinks::loki
