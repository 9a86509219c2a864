// KafkaSink end to end against librdkafka's mock cluster: what each message carries (key, value,
// headers, topic) and that every entry arrives once, in order per stream.
#include "sinks/kafka/sink.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>

#include "pipeline/metrics.h"
#include "tests/sinks/kafka/harness.h"

namespace tailcast::sinks::kafka::test {
namespace {

const std::string kWebKey = R"({app="web", env="test"})";
const std::string kApiKey = R"({app="api", env="test"})";

TEST_F(KafkaSinkTest, EveryEntryArrivesOnceKeyedByItsStreamLabels) {
  config_.encoding = "raw";
  Metrics metrics;
  auto sink = make_sink(&metrics);
  ASSERT_TRUE(sink);
  Reports reports;
  sink->send(numbered_batch({"web", "api"}, 0, 10), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kDelivered});

  auto reader = consumer();
  ASSERT_TRUE(reader);
  const auto& messages = reader->consume(20, kWait);
  ASSERT_EQ(messages.size(), 20u);
  std::set<std::string> lines;
  for (const auto& message : messages) {
    lines.insert(message.value);
    const std::string& expected_key = message.value.starts_with("web-") ? kWebKey : kApiKey;
    EXPECT_EQ(message.key, expected_key) << message.value;
  }
  EXPECT_EQ(lines.size(), 20u);
  EXPECT_EQ(metrics.sent_entries.Add({{"host", "kafka-test"}}).Value(), 20);
  EXPECT_GT(metrics.sent_bytes.Add({{"host", "kafka-test"}}).Value(), 0);
}

TEST_F(KafkaSinkTest, TwoStreamsKeepTheirOrderPerKey) {
  config_.encoding = "raw";
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  constexpr int kBatches = 5, kPerBatch = 40;
  for (int b = 0; b < kBatches; ++b)
    sink->send(numbered_batch({"web", "api"}, b * kPerBatch, kPerBatch), reports.callback());
  ASSERT_TRUE(reports.wait_for(kBatches));

  auto reader = consumer();
  ASSERT_TRUE(reader);
  const auto& messages = reader->consume(2 * kBatches * kPerBatch, kWait);
  ASSERT_EQ(messages.size(), size_t{2 * kBatches * kPerBatch});
  auto by_key = lines_by_key(messages);
  ASSERT_EQ(by_key.size(), 2u);
  for (const auto& [key, lines] : by_key) {
    const std::string app = key == kWebKey ? "web" : "api";
    ASSERT_EQ(lines.size(), size_t{kBatches * kPerBatch}) << key;
    for (size_t i = 0; i < lines.size(); ++i)
      ASSERT_EQ(lines[i], app + "-" + std::to_string(i)) << key;
  }
}

TEST_F(KafkaSinkTest, KeyTemplateRendersStreamLabels) {
  config_.encoding = "raw";
  config_.key = "{{ .app }}/{{.env}}/{{ .absent }}";
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  sink->send(numbered_batch({"web"}, 0, 3), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  auto reader = consumer();
  ASSERT_TRUE(reader);
  const auto& messages = reader->consume(3, kWait);
  ASSERT_EQ(messages.size(), 3u);
  for (const auto& message : messages) EXPECT_EQ(message.key, "web/test/");
}

TEST_F(KafkaSinkTest, TopicTemplateRoutesStreamsToTheirTopics) {
  ASSERT_TRUE(cluster_->create_topic("logs-web", 2, 1));
  ASSERT_TRUE(cluster_->create_topic("logs-api", 2, 1));
  config_.encoding = "raw";
  config_.topic = "logs-{{ .app }}";
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  sink->send(numbered_batch({"web", "api"}, 0, 4), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kDelivered});
  for (const std::string app : {"web", "api"}) {
    auto reader = consumer("logs-" + app);
    ASSERT_TRUE(reader);
    const auto& messages = reader->consume(4, kWait);
    ASSERT_EQ(messages.size(), 4u) << app;
    for (const auto& message : messages) EXPECT_TRUE(message.value.starts_with(app + "-"));
  }
}

TEST_F(KafkaSinkTest, StructuredMetadataAndListedLabelsBecomeHeadersNotKey) {
  config_.header_labels = {"app", "missing"};
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  auto batch = std::make_unique<Batch>("");
  add_entry(*batch, {{"app", "web"}}, "GET /", 1, {{"request_id", "abc123"}, {"trace", "t1"}});
  sink->send(std::move(batch), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  auto reader = consumer();
  ASSERT_TRUE(reader);
  const auto& messages = reader->consume(1, kWait);
  ASSERT_EQ(messages.size(), 1u);
  const auto& message = messages[0];
  ASSERT_NE(message.header("request_id"), nullptr);
  EXPECT_EQ(*message.header("request_id"), "abc123");
  ASSERT_NE(message.header("trace"), nullptr);
  EXPECT_EQ(*message.header("trace"), "t1");
  ASSERT_NE(message.header("app"), nullptr);
  EXPECT_EQ(*message.header("app"), "web");
  EXPECT_EQ(message.header("missing"), nullptr);
  EXPECT_EQ(message.key, R"({app="web"})");
}

TEST_F(KafkaSinkTest, ListedMetadataLimitsTheHeaders) {
  config_.all_metadata_headers = false;
  config_.header_metadata = {"request_id"};
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  auto batch = std::make_unique<Batch>("");
  add_entry(*batch, {{"app", "web"}}, "GET /", 1, {{"request_id", "abc123"}, {"trace", "t1"}});
  sink->send(std::move(batch), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  auto reader = consumer();
  ASSERT_TRUE(reader);
  const auto& messages = reader->consume(1, kWait);
  ASSERT_EQ(messages.size(), 1u);
  ASSERT_EQ(messages[0].headers.size(), 1u);
  EXPECT_EQ(messages[0].headers[0].first, "request_id");
  EXPECT_EQ(messages[0].headers[0].second, "abc123");
}

TEST_F(KafkaSinkTest, JsonValueCarriesTimestampLineLabelsAndMetadata) {
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  auto batch = std::make_unique<Batch>("");
  const int64_t ts = 1'700'000'000'123'456'789;
  add_entry(*batch, {{"app", "web"}, {"env", "prod"}}, "say \"hi\"\n", ts, {{"request_id", "r-1"}});
  sink->send(std::move(batch), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  auto reader = consumer();
  ASSERT_TRUE(reader);
  const auto& messages = reader->consume(1, kWait);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].timestamp_ms, ts / 1'000'000);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(messages[0].value).get(doc), simdjson::SUCCESS) << messages[0].value;
  std::string_view text;
  int64_t number = 0;
  ASSERT_EQ(doc["timestamp"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "2023-11-14T22:13:20.123456789Z");
  ASSERT_EQ(doc["timestamp_ns"].get(number), simdjson::SUCCESS);
  EXPECT_EQ(number, ts);
  ASSERT_EQ(doc["line"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "say \"hi\"\n");
  ASSERT_EQ(doc["labels"]["app"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "web");
  ASSERT_EQ(doc["labels"]["env"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "prod");
  ASSERT_EQ(doc["structured_metadata"]["request_id"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "r-1");
}

TEST_F(KafkaSinkTest, RawEncodingSendsTheLineAsIs) {
  config_.encoding = "raw";
  config_.compression = "gzip";
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  auto batch = std::make_unique<Batch>("");
  add_entry(*batch, {{"app", "web"}}, "{\"already\":\"json\"}", 1);
  sink->send(std::move(batch), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  auto reader = consumer();
  ASSERT_TRUE(reader);
  const auto& messages = reader->consume(1, kWait);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].value, "{\"already\":\"json\"}");
}

TEST_F(KafkaSinkTest, EmptyBatchIsReportedDelivered) {
  auto sink = make_sink();
  ASSERT_TRUE(sink);
  Reports reports;
  sink->send(std::make_unique<Batch>(""), reports.callback());
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all(), std::vector<Delivery>{Delivery::kDelivered});
}

TEST_F(KafkaSinkTest, PropertyConflictingWithIdempotenceFailsCreation) {
  config_.properties.emplace_back("acks", "1");
  auto sink = KafkaSink::create(config_, nullptr);
  ASSERT_FALSE(sink.has_value());
  EXPECT_EQ(sink.error().code, Errc::kInvalidConfig);
  EXPECT_NE(sink.error().message.find("kafka-test"), std::string::npos) << sink.error().message;
  EXPECT_NE(sink.error().message.find("acks"), std::string::npos) << sink.error().message;
}

TEST_F(KafkaSinkTest, UnknownPropertyFailsCreationNamingIt) {
  config_.properties.emplace_back("no.such.property", "1");
  auto sink = KafkaSink::create(config_, nullptr);
  ASSERT_FALSE(sink.has_value());
  EXPECT_NE(sink.error().message.find("no.such.property"), std::string::npos)
      << sink.error().message;
}

}  // namespace
}  // namespace tailcast::sinks::kafka::test
