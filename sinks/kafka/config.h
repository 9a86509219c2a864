// KafkaSinkConfig: the `kafka:` item of `sinks:` as typed values, read and validated once at
// startup. Errors name file:line:col and the key path.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/config/node.h"
#include "pipeline/result.h"

namespace tailcast::sinks::kafka {

struct KafkaSinkConfig {
  std::string name = "kafka";  // the sink's name; the metrics' host label
  std::vector<std::string> brokers;
  std::string topic;             // template over stream labels
  std::string key;               // template; empty: the stream's canonical label string
  std::string encoding = "json";  // json | raw
  std::vector<std::string> header_labels;
  std::vector<std::string> header_metadata;  // used when all_metadata_headers is false
  bool all_metadata_headers = true;
  std::string compression = "zstd";  // none | gzip | snappy | lz4 | zstd
  // librdkafka properties as written (SASL, SSL, tuning); they win over the sink's defaults.
  std::vector<std::pair<std::string, std::string>> properties;
  std::chrono::milliseconds linger{50};
  std::chrono::milliseconds delivery_timeout{300000};
};

// Reads the body of a `kafka:` sink item.
Result<KafkaSinkConfig> read_kafka_config(const config::ConfigNode& node);

}  // namespace tailcast::sinks::kafka
