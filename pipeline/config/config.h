// The typed configuration: Promtail's YAML shape (server, positions, clients, scrape_configs,
// limits_config) with Promtail's defaults, plus tailcast's additions. load_config() is the only
// way in; every error it returns names file:line:column and the key path.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/config/node.h"
#include "pipeline/result.h"
#include "sinks/kafka/config.h"
#include "sinks/otlp/config.h"
#include "sinks/loki/limits.h"

namespace tailcast::config {

using std::chrono::nanoseconds;
using StringPairs = std::vector<std::pair<std::string, std::string>>;

struct ServerConfig {
  // Loopback unless configured: /metrics and /config should not face the network by accident.
  std::string http_listen_address = "127.0.0.1";
  int http_listen_port = 9080;  // 0 picks a free port
  std::string log_level = "info";
  bool disable = false;
};

struct PositionsConfig {
  std::string filename = "/var/log/positions.yaml";
  nanoseconds sync_period = std::chrono::seconds(10);
  bool ignore_invalid_yaml = false;
};

struct BackoffConfig {
  nanoseconds min_period = std::chrono::milliseconds(500);
  nanoseconds max_period = std::chrono::minutes(5);
  int max_retries = 10;  // attempts in all; 0 retries for ever
};

struct TlsConfig {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool insecure_skip_verify = false;
};

struct BasicAuth {
  std::string username;
  std::string password;
  std::string password_file;
};

// One Loki client (Promtail's `clients` entry).
struct ClientConfig {
  std::string name;  // what scrape configs' `sinks:` call it; default loki, loki-2, …
  std::string url;
  std::string tenant_id;
  nanoseconds batchwait = std::chrono::seconds(1);
  uint64_t batchsize = 1024 * 1024;
  nanoseconds timeout = std::chrono::seconds(10);
  BackoffConfig backoff;
  StringPairs external_labels;
  StringPairs headers;
  std::optional<BasicAuth> basic_auth;
  std::string bearer_token;
  std::string bearer_token_file;
  TlsConfig tls;
  bool drop_rate_limited_batches = false;
  sinks::loki::LokiLimits loki_limits;  // checked before each push (tailcast addition)
};

// A sink that needs no server: one line per entry with its labels, to stdout or a file.
struct OutputSinkConfig {
  std::string name;
  std::string path;  // empty or "-": stdout
  std::string format = "text";  // text | json
};

struct StaticTarget {
  std::vector<std::string> targets;
  StringPairs labels;  // includes __path__ and __path_exclude__
};

struct ScrapeConfig {
  std::string job_name;
  std::vector<StaticTarget> static_configs;
  std::optional<ConfigNode> pipeline_stages;
  // Names of the sinks this job ships to (`sinks: [loki, kafka-a]`); empty: every sink.
  std::vector<std::string> sinks;
};

struct LimitsConfig {
  uint64_t max_line_size = 0;  // 0: no limit
  bool max_line_size_truncate = false;
};

// target_config keys tailcast adds to Promtail's sync_period: how files are watched and held.
struct FileTargetConfig {
  uint64_t max_open_files = 1024;  // descriptors for tailed files; the rest are parked
  std::string watch = "auto";      // auto | inotify | poll
  nanoseconds poll_interval = std::chrono::seconds(1);  // watch: poll; one stat per file each
  nanoseconds deleted_file_max_hold = std::chrono::minutes(5);
  nanoseconds partial_line_idle{0};  // 0: an unfinished last line waits for its newline
};

struct Config {
  std::string file;
  ServerConfig server;
  PositionsConfig positions;
  std::vector<ClientConfig> clients;
  std::vector<OutputSinkConfig> outputs;
  std::vector<sinks::kafka::KafkaSinkConfig> kafka_sinks;
  std::vector<sinks::otlp::OtlpSinkConfig> otlp_sinks;
  std::vector<ScrapeConfig> scrape_configs;
  LimitsConfig limits;
  nanoseconds target_sync_period = std::chrono::seconds(10);  // target_config.sync_period
  FileTargetConfig target;                                    // the rest of target_config
  std::vector<std::string> warnings;  // accepted but ignored keys, named for the user
};

// Expands ${VAR} and ${VAR:-default} as Promtail's -config.expand-env does.
std::string expand_env(std::string_view text);

Result<Config> load_config(const std::string& path, bool expand_env_vars);
Result<Config> parse_config(std::string_view text, const std::string& file_name);

}  // namespace tailcast::config
