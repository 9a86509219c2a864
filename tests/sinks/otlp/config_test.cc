// read_otlp_config: the `otlp:` sink YAML, its defaults, and errors naming file:line:col and the
// key path; and the `sinks:` list accepting it.
#include "sinks/otlp/config.h"

#include <gtest/gtest.h>

#include "pipeline/config/config.h"

namespace tailcast::sinks::otlp {
namespace {

using namespace std::chrono_literals;

Result<OtlpSinkConfig> read(const std::string& yaml) {
  config::ConfigNode node(YAML::Load(yaml), std::make_shared<const std::string>("test.yaml"),
                          "sinks[0].otlp");
  return read_otlp_config(node);
}

TEST(OtlpConfig, DefaultsApplyWhenOnlyTheEndpointIsGiven) {
  auto config = read("endpoint: http://collector:4318/\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->endpoint, "http://collector:4318") << "a trailing slash is dropped";
  EXPECT_EQ(config->encoding, Encoding::kProtobuf);
  EXPECT_TRUE(config->gzip);
  EXPECT_EQ(config->timeout, 10s);
  EXPECT_EQ(config->batchwait, 1s);
  EXPECT_EQ(config->batchsize, 1024u * 1024u);
  EXPECT_EQ(config->backoff.min_period, 500ms);
  EXPECT_EQ(config->backoff.max_period, 5min);
  EXPECT_EQ(config->backoff.max_retries, 10);
  EXPECT_TRUE(config->resource_attributes.empty());
  EXPECT_EQ(config->resource_labels.front(), "job");
}

TEST(OtlpConfig, EveryKeyIsRead) {
  auto config = read(R"(endpoint: https://otlp.example:4318
encoding: json
compression: none
headers: {Authorization: Bearer x}
tls: {ca_file: /ca.pem, insecure_skip_verify: true}
timeout: 3s
backoff: {min_period: 10ms, max_period: 1s, max_retries: 0}
batchwait: 200ms
batchsize: 64KB
resource_attributes:
  service.name: ray-serve
  host.name: node-1
resource_labels: [application]
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->encoding, Encoding::kJson);
  EXPECT_FALSE(config->gzip);
  ASSERT_EQ(config->headers.size(), 1u);
  EXPECT_EQ(config->headers[0].second, "Bearer x");
  EXPECT_EQ(config->tls.ca_file, "/ca.pem");
  EXPECT_TRUE(config->tls.insecure_skip_verify);
  EXPECT_EQ(config->timeout, 3s);
  EXPECT_EQ(config->backoff.min_period, 10ms);
  EXPECT_EQ(config->backoff.max_period, 1s);
  EXPECT_EQ(config->backoff.max_retries, 0);
  EXPECT_EQ(config->batchwait, 200ms);
  EXPECT_EQ(config->batchsize, 64u * 1024u);
  ASSERT_EQ(config->resource_attributes.size(), 2u);
  EXPECT_EQ(config->resource_attributes[0],
            (std::pair<std::string, std::string>{"service.name", "ray-serve"}));
  EXPECT_EQ(config->resource_labels, std::vector<std::string>{"application"});
}

TEST(OtlpConfig, ErrorsNameTheFileLineAndKey) {
  auto bad_encoding = read("endpoint: http://c:4318\nencoding: avro\n");
  ASSERT_FALSE(bad_encoding);
  EXPECT_NE(bad_encoding.error().message.find("test.yaml:2:"), std::string::npos)
      << bad_encoding.error().message;
  EXPECT_NE(bad_encoding.error().message.find("encoding"), std::string::npos);

  auto typo = read("endpoint: http://c:4318\ncompresion: gzip\n");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("compresion"), std::string::npos) << typo.error().message;

  EXPECT_FALSE(read("encoding: json\n")) << "endpoint is required";
  EXPECT_FALSE(read("endpoint: collector:4318\n")) << "a URL needs its scheme";
  EXPECT_FALSE(read("endpoint: http://c:4318\ncompression: zstd\n"));
  EXPECT_FALSE(read("endpoint: http://c:4318\nbackoff: {max_retries: -1}\n"));
  EXPECT_FALSE(read("endpoint: http://c:4318\ntimeout: 0s\n"));
}

TEST(OtlpConfig, TheSinksListAcceptsAnOtlpSinkWithItsName) {
  auto config = config::parse_config(R"(
sinks:
  - name: collector
    otlp:
      endpoint: http://127.0.0.1:4318
scrape_configs:
  - job_name: ray
    static_configs:
      - labels: {__path__: /tmp/*.log}
)",
                                     "main.yaml");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->otlp_sinks.size(), 1u);
  EXPECT_EQ(config->otlp_sinks[0].name, "collector");
  EXPECT_EQ(config->otlp_sinks[0].endpoint, "http://127.0.0.1:4318");
}

}  // namespace
}  // namespace tailcast::sinks::otlp
