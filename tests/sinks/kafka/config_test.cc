// read_kafka_config: the `kafka:` sink YAML, its defaults, and errors that name file:line:col
// and the key path.
#include "sinks/kafka/config.h"

#include <gtest/gtest.h>

namespace tailcast::sinks::kafka {
namespace {

using namespace std::chrono_literals;

Result<KafkaSinkConfig> read(const std::string& yaml) {
  config::ConfigNode node(YAML::Load(yaml), std::make_shared<const std::string>("test.yaml"),
                          "sinks[0].kafka");
  return read_kafka_config(node);
}

TEST(KafkaConfig, DefaultsApplyWhenOnlyBrokersAndTopicAreGiven) {
  auto config = read("brokers: [k1:9092, k2:9092]\ntopic: logs\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->brokers, (std::vector<std::string>{"k1:9092", "k2:9092"}));
  EXPECT_EQ(config->topic, "logs");
  EXPECT_EQ(config->key, "");
  EXPECT_EQ(config->encoding, "json");
  EXPECT_EQ(config->compression, "zstd");
  EXPECT_TRUE(config->all_metadata_headers);
  EXPECT_TRUE(config->header_labels.empty());
  EXPECT_TRUE(config->properties.empty());
  EXPECT_EQ(config->linger, 50ms);
  EXPECT_EQ(config->delivery_timeout, 300s);
}

TEST(KafkaConfig, EveryKeyIsRead) {
  auto config = read(R"(brokers: "k1:9092, k2:9093"
topic: "logs-{{ .app }}"
key: "{{ .app }}"
encoding: raw
headers:
  labels: [app, env]
  structured_metadata: [request_id]
compression: lz4
properties:
  security.protocol: SASL_SSL
  sasl.mechanism: PLAIN
linger: 250ms
delivery_timeout: 2m
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->brokers, (std::vector<std::string>{"k1:9092", "k2:9093"}));
  EXPECT_EQ(config->topic, "logs-{{ .app }}");
  EXPECT_EQ(config->key, "{{ .app }}");
  EXPECT_EQ(config->encoding, "raw");
  EXPECT_EQ(config->header_labels, (std::vector<std::string>{"app", "env"}));
  EXPECT_FALSE(config->all_metadata_headers);
  EXPECT_EQ(config->header_metadata, std::vector<std::string>{"request_id"});
  EXPECT_EQ(config->compression, "lz4");
  ASSERT_EQ(config->properties.size(), 2u);
  EXPECT_EQ(config->properties[0], (std::pair<std::string, std::string>{"security.protocol",
                                                                         "SASL_SSL"}));
  EXPECT_EQ(config->linger, 250ms);
  EXPECT_EQ(config->delivery_timeout, 120s);
}

TEST(KafkaConfig, MissingTopicNamesTheSink) {
  auto config = read("brokers: [k1:9092]\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, Errc::kInvalidConfig);
  EXPECT_NE(config.error().message.find("test.yaml:1:1: sinks[0].kafka: \"topic\" is required"),
            std::string::npos)
      << config.error().message;
}

TEST(KafkaConfig, MissingBrokersIsAnError) {
  auto config = read("topic: logs\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("\"brokers\" is required"), std::string::npos)
      << config.error().message;
}

TEST(KafkaConfig, UnknownCompressionNamesItsKeyPathAndPosition) {
  auto config = read("brokers: [k1:9092]\ntopic: logs\ncompression: brotli\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("test.yaml:3:14: sinks[0].kafka.compression: must be one of"),
            std::string::npos)
      << config.error().message;
}

TEST(KafkaConfig, UnknownEncodingIsAnError) {
  auto config = read("brokers: [k1:9092]\ntopic: logs\nencoding: avro\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("sinks[0].kafka.encoding: must be json or raw"),
            std::string::npos)
      << config.error().message;
}

TEST(KafkaConfig, UnknownKeyIsAnError) {
  auto config = read("brokers: [k1:9092]\ntopic: logs\npartition: 3\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("test.yaml:3:1: sinks[0].kafka.partition: unknown key"),
            std::string::npos)
      << config.error().message;
}

TEST(KafkaConfig, UnknownHeadersKeyNamesTheNestedPath) {
  auto config = read("brokers: [k1:9092]\ntopic: logs\nheaders:\n  metadata: [a]\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("sinks[0].kafka.headers.metadata: unknown key"),
            std::string::npos)
      << config.error().message;
}

TEST(KafkaConfig, BootstrapServersPropertyIsRefused) {
  auto config =
      read("brokers: [k1:9092]\ntopic: logs\nproperties:\n  bootstrap.servers: other:9092\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("sinks[0].kafka.properties.bootstrap.servers"),
            std::string::npos)
      << config.error().message;
}

TEST(KafkaConfig, BadDurationNamesItsKey) {
  auto config = read("brokers: [k1:9092]\ntopic: logs\nlinger: soon\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("sinks[0].kafka.linger: expected a duration"),
            std::string::npos)
      << config.error().message;
}

TEST(KafkaConfig, EmptyStructuredMetadataListMeansNoMetadataHeaders) {
  auto config = read("brokers: [k1:9092]\ntopic: logs\nheaders:\n  structured_metadata: []\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->all_metadata_headers);
  EXPECT_TRUE(config->header_metadata.empty());
}

}  // namespace
}  // namespace tailcast::sinks::kafka
