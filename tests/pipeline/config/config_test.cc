#include "pipeline/config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/support/temp_dir.h"

namespace tailcast::config {
namespace {

constexpr std::string_view kMinimal = R"(clients:
  - url: http://localhost:3100/loki/api/v1/push
scrape_configs:
  - job_name: varlogs
    static_configs:
      - targets: [localhost]
        labels:
          job: varlogs
          __path__: /var/log/*.log
)";

Result<Config> parse(std::string_view text) { return parse_config(text, "test.yaml"); }

TEST(Config, PromtailDefaultsApplyWhenKeysAreAbsent) {
  auto config = parse(kMinimal);
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->clients.size(), 1u);
  const ClientConfig& client = config->clients[0];
  EXPECT_EQ(client.batchwait, std::chrono::seconds(1));
  EXPECT_EQ(client.batchsize, 1048576u);
  EXPECT_EQ(client.timeout, std::chrono::seconds(10));
  EXPECT_EQ(client.backoff.min_period, std::chrono::milliseconds(500));
  EXPECT_EQ(client.backoff.max_period, std::chrono::minutes(5));
  EXPECT_EQ(client.backoff.max_retries, 10);
  EXPECT_EQ(config->positions.sync_period, std::chrono::seconds(10));
  EXPECT_EQ(config->positions.filename, "/var/log/positions.yaml");
  ASSERT_EQ(config->scrape_configs.size(), 1u);
  EXPECT_EQ(config->scrape_configs[0].static_configs[0].labels.size(), 2u);
}

TEST(Config, EveryPromtailClientKeyIsAccepted) {
  auto config = parse(R"(server:
  http_listen_address: 0.0.0.0
  http_listen_port: 9080
  grpc_listen_port: 0
  log_level: debug
positions:
  filename: /tmp/positions.yaml
  sync_period: 5s
  ignore_invalid_yaml: true
clients:
  - url: https://loki.example:3100/loki/api/v1/push
    tenant_id: team-a
    batchwait: 250ms
    batchsize: 512KiB
    timeout: 30s
    backoff_config: {min_period: 100ms, max_period: 10s, max_retries: 3}
    external_labels: {cluster: prod}
    headers: {X-Custom: yes}
    basic_auth: {username: u, password_file: /etc/secret}
    tls_config: {ca_file: /ca.pem, cert_file: /c.pem, key_file: /k.pem, server_name: loki, insecure_skip_verify: false}
scrape_configs:
  - job_name: a
    static_configs:
      - labels: {__path__: /x/*.log, __path_exclude__: /x/skip.log}
limits_config:
  max_line_size: 256KB
  max_line_size_truncate: true
)");
  ASSERT_TRUE(config) << config.error().message;
  const ClientConfig& client = config->clients[0];
  EXPECT_EQ(client.tenant_id, "team-a");
  EXPECT_EQ(client.batchwait, std::chrono::milliseconds(250));
  EXPECT_EQ(client.batchsize, 512u * 1024);
  EXPECT_EQ(client.backoff.max_retries, 3);
  ASSERT_TRUE(client.basic_auth);
  EXPECT_EQ(client.basic_auth->password_file, "/etc/secret");
  EXPECT_EQ(client.tls.server_name, "loki");
  EXPECT_EQ(config->limits.max_line_size, 256u * 1024);
  EXPECT_TRUE(config->limits.max_line_size_truncate);
  EXPECT_EQ(config->server.log_level, "debug");
  EXPECT_EQ(config->positions.sync_period, std::chrono::seconds(5));
  EXPECT_EQ(config->warnings.size(), 1u);  // grpc_listen_port has no effect, and says so
}

TEST(Config, UnknownTopLevelKeyNamesFileLineColumnAndKey) {
  auto config = parse("clients:\n  - url: http://x/loki/api/v1/push\nscrape_config:\n  - job_name: a\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "test.yaml:3:1: scrape_config: unknown key \"scrape_config\"");
}

TEST(Config, MisspeltClientKeyNamesItsPath) {
  auto config = parse("clients:\n  - url: http://x/loki/api/v1/push\n    batchwiat: 1s\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "test.yaml:3:5: clients[0].batchwiat: unknown key \"batchwiat\"");
}

TEST(Config, WrongTypeNamesTheValue) {
  auto config = parse("clients:\n  - url: http://x/loki/api/v1/push\n    batchwait: soon\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "test.yaml:3:16: clients[0].batchwait: expected a duration such as 1s or 500ms, got "
            "\"soon\"");
}

TEST(Config, NestedMapErrorsNameTheFullPath) {
  auto config = parse(
      "clients:\n  - url: http://x/loki/api/v1/push\n    backoff_config:\n      max_retries: "
      "many\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "test.yaml:4:20: clients[0].backoff_config.max_retries: expected an integer, got "
            "\"many\"");
}

TEST(Config, BadYamlNamesItsPosition) {
  auto config = parse("clients:\n  - url: [unclosed\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.rfind("test.yaml:3:1: invalid YAML", 0), 0u)
      << config.error().message;
}

TEST(Config, MissingPathLabelIsAnError) {
  auto config = parse(
      "clients:\n  - url: http://x/loki/api/v1/push\nscrape_configs:\n  - job_name: a\n    "
      "static_configs:\n      - labels: {job: a}\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("scrape_configs[0].static_configs[0]: labels.__path__ is required"),
            std::string::npos)
      << config.error().message;
}

TEST(Config, FeaturesNotInThisBuildAreNamedNotIgnored) {
  auto config = parse(
      "clients:\n  - url: http://x/loki/api/v1/push\nscrape_configs:\n  - job_name: a\n    "
      "relabel_configs:\n      - action: keep\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "test.yaml:6:7: scrape_configs[0].relabel_configs: relabel_configs is not implemented "
            "in this version of tailcast");
}

TEST(Config, ANonHttpUrlIsRejected) {
  auto config = parse("clients:\n  - url: loki:3100\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "test.yaml:2:10: clients[0].url: must start with http:// or https://");
}

TEST(Config, AConfigWithoutSinksIsRejected) {
  auto config = parse("scrape_configs: []\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("no sink configured"), std::string::npos);
}

TEST(Config, StdoutAndFileSinksNeedNoServer) {
  auto config = parse("sinks:\n  - stdout: {format: json}\n  - name: copy\n    file: {path: /tmp/out.log}\n");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->outputs.size(), 2u);
  EXPECT_EQ(config->outputs[0].format, "json");
  EXPECT_EQ(config->outputs[1].name, "copy");
  EXPECT_EQ(config->outputs[1].path, "/tmp/out.log");
}

TEST(Config, LegacySingleClientBlockIsAccepted) {
  auto config = parse("client:\n  url: http://x/loki/api/v1/push\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->clients.size(), 1u);
}

TEST(ExpandEnv, BracedVariablesAndDefaultsExpand) {
  ::setenv("TC_TEST_SET", "value", 1);
  ::unsetenv("TC_TEST_UNSET");
  EXPECT_EQ(expand_env("a=${TC_TEST_SET} b=${TC_TEST_UNSET:-fallback} c=${TC_TEST_UNSET}."),
            "a=value b=fallback c=.");
  EXPECT_EQ(expand_env("${TC_TEST_SET:-unused}"), "value");
  // Only the braced form expands: regex replacements such as $1 stay as written.
  EXPECT_EQ(expand_env("$1 $TC_TEST_SET"), "$1 $TC_TEST_SET");
}

TEST(LoadConfig, ExpandEnvIsAppliedBeforeParsing) {
  testing::TempDir dir;
  dir.write("c.yaml", "clients:\n  - url: ${TC_TEST_LOKI:-http://default/loki/api/v1/push}\n");
  ::unsetenv("TC_TEST_LOKI");
  auto config = load_config((dir / "c.yaml").string(), true);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->clients[0].url, "http://default/loki/api/v1/push");
  auto literal = load_config((dir / "c.yaml").string(), false);
  ASSERT_FALSE(literal);  // "${TC_TEST_LOKI..." is not an http URL
}

TEST(ParseDuration, GoSyntax) {
  EXPECT_EQ(parse_duration("1s"), std::chrono::seconds(1));
  EXPECT_EQ(parse_duration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(parse_duration("1m30s"), std::chrono::seconds(90));
  EXPECT_EQ(parse_duration("1.5h"), std::chrono::minutes(90));
  EXPECT_EQ(parse_duration("10us"), std::chrono::microseconds(10));
  EXPECT_FALSE(parse_duration("1x"));
  EXPECT_FALSE(parse_duration(""));
}

TEST(ParseBytes, PromtailUnits) {
  EXPECT_EQ(parse_bytes("1048576"), 1048576u);
  EXPECT_EQ(parse_bytes("256KB"), 256u * 1024);
  EXPECT_EQ(parse_bytes("1MiB"), 1024u * 1024);
  EXPECT_EQ(parse_bytes("5mb"), 5u * 1024 * 1024);
  EXPECT_FALSE(parse_bytes("lots"));
}

}  // namespace
}  // namespace tailcast::config
