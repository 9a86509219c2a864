// OtlpSinkConfig: the `otlp:` item of `sinks:` as typed values, read and validated once at startup.
// Errors name file:line:col and the key path.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/config/node.h"
#include "pipeline/result.h"

namespace tailcast::sinks::otlp {

enum class Encoding : uint8_t { kProtobuf, kJson };

struct OtlpTls {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool insecure_skip_verify = false;
};

struct OtlpBackoff {
  std::chrono::nanoseconds min_period = std::chrono::milliseconds(500);
  std::chrono::nanoseconds max_period = std::chrono::minutes(5);
  int max_retries = 10;  // attempts in all; 0 retries for ever
};

struct OtlpSinkConfig {
  std::string name = "otlp";  // the sink's name; the metrics' host label
  // Base URL (http://collector:4318); /v1/logs and /v1/traces are appended, as OTel SDKs do.
  std::string endpoint;
  Encoding encoding = Encoding::kProtobuf;
  bool gzip = true;
  std::vector<std::pair<std::string, std::string>> headers;
  OtlpTls tls;
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
  OtlpBackoff backoff;
  std::chrono::nanoseconds batchwait = std::chrono::seconds(1);
  uint64_t batchsize = 1024 * 1024;
  // Set on every Resource (service.name, host.name, …).
  std::vector<std::pair<std::string, std::string>> resource_attributes;
  // Stream labels that describe the emitter rather than the record: they become Resource
  // attributes (records are grouped by them); every other label becomes a record attribute.
  std::vector<std::string> resource_labels = {"job",     "application", "deployment",
                                              "replica", "component",   "component_id"};
};

// Reads the body of an `otlp:` sink item.
Result<OtlpSinkConfig> read_otlp_config(const config::ConfigNode& node);

}  // namespace tailcast::sinks::otlp
