// MessageEncoder: the Kafka message value (JSON or raw) and headers of one entry.
#include "sinks/kafka/encoder.h"

#include <gtest/gtest.h>

#include "tests/sinks/kafka/harness.h"

namespace tailcast::sinks::kafka {
namespace {

using test::add_entry;

std::string rfc3339(int64_t ns) {
  std::string out;
  append_rfc3339_nano(ns, out);
  return out;
}

TEST(KafkaEncoder, TimestampIsRfc3339NanoWithoutTrailingZeros) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(1'700'000'000'120'000'000), "2023-11-14T22:13:20.12Z");
  EXPECT_EQ(rfc3339(1'700'000'000'000'000'001), "2023-11-14T22:13:20.000000001Z");
  EXPECT_EQ(rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(KafkaEncoder, JsonValueHoldsEveryFieldEscaped) {
  KafkaSinkConfig config;
  MessageEncoder encoder(config);
  Batch batch("team-a");
  add_entry(batch, {{"app", "w\"eb"}}, "a\tb", 1'000'000'001, {{"request_id", "r\n1"}});
  encoder.encode(batch, 0);
  EXPECT_EQ(encoder.value(),
            R"({"timestamp":"1970-01-01T00:00:01.000000001Z","timestamp_ns":1000000001,)"
            R"("line":"a\tb","labels":{"app":"w\"eb"},"structured_metadata":{"request_id":"r\n1"},)"
            R"("tenant":"team-a"})");
}

TEST(KafkaEncoder, RawValueIsTheLine) {
  KafkaSinkConfig config;
  config.encoding = "raw";
  MessageEncoder encoder(config);
  Batch batch("");
  add_entry(batch, {{"app", "web"}}, "plain line", 5);
  encoder.encode(batch, 0);
  EXPECT_EQ(encoder.value(), "plain line");
}

TEST(KafkaEncoder, HeadersAreMetadataThenListedLabels) {
  KafkaSinkConfig config;
  config.header_labels = {"app", "absent"};
  MessageEncoder encoder(config);
  Batch batch("");
  add_entry(batch, {{"app", "web"}, {"env", "prod"}}, "x", 5, {{"request_id", "r1"}, {"user", "u"}});
  encoder.encode(batch, 0);
  ASSERT_EQ(encoder.header_count(), 3u);
  EXPECT_STREQ(encoder.header_name(0), "request_id");
  EXPECT_EQ(encoder.header_value(0), "r1");
  EXPECT_STREQ(encoder.header_name(1), "user");
  EXPECT_EQ(encoder.header_value(1), "u");
  EXPECT_STREQ(encoder.header_name(2), "app");
  EXPECT_EQ(encoder.header_value(2), "web");
}

TEST(KafkaEncoder, OnlyListedMetadataWhenAllIsOff) {
  KafkaSinkConfig config;
  config.all_metadata_headers = false;
  config.header_metadata = {"user"};
  MessageEncoder encoder(config);
  Batch batch("");
  add_entry(batch, {{"app", "web"}}, "x", 5, {{"request_id", "r1"}, {"user", "u"}});
  add_entry(batch, {{"app", "web"}}, "y", 6);
  encoder.encode(batch, 0);
  ASSERT_EQ(encoder.header_count(), 1u);
  EXPECT_STREQ(encoder.header_name(0), "user");
  encoder.encode(batch, 1);
  EXPECT_EQ(encoder.header_count(), 0u);
  EXPECT_NE(encoder.value().find("\"line\":\"y\""), std::string_view::npos);
}

}  // namespace
}  // namespace tailcast::sinks::kafka
