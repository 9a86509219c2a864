// Reading and validating the OTLP sink's YAML.
#include "sinks/otlp/config.h"

namespace tailcast::sinks::otlp {
namespace {

std::chrono::nanoseconds positive(config::ConfigReader& reader, const std::string& key,
                                  std::chrono::nanoseconds fallback) {
  auto value = reader.duration_or(key, fallback);
  if (value.count() <= 0 && reader.has(key)) reader.fail(*reader.child(key), "must be positive");
  return value;
}

void read_tls(config::ConfigReader& reader, OtlpSinkConfig& out) {
  auto node = reader.child("tls");
  if (!node || node->is_null()) return;
  config::ConfigReader tls(*node);
  out.tls.ca_file = tls.string_or("ca_file", "");
  out.tls.cert_file = tls.string_or("cert_file", "");
  out.tls.key_file = tls.string_or("key_file", "");
  out.tls.server_name = tls.string_or("server_name", "");
  out.tls.insecure_skip_verify = tls.boolean_or("insecure_skip_verify", false);
  if (auto done = tls.finish(); !done) reader.fail(done.error());
}

void read_backoff(config::ConfigReader& reader, OtlpSinkConfig& out) {
  auto node = reader.child("backoff");
  if (!node || node->is_null()) return;
  config::ConfigReader backoff(*node);
  out.backoff.min_period = positive(backoff, "min_period", out.backoff.min_period);
  out.backoff.max_period = positive(backoff, "max_period", out.backoff.max_period);
  out.backoff.max_retries =
      static_cast<int>(backoff.integer_or("max_retries", out.backoff.max_retries));
  if (out.backoff.max_retries < 0)
    backoff.fail(node->child("max_retries"), "must not be negative (0 retries for ever)");
  if (auto done = backoff.finish(); !done) reader.fail(done.error());
}

}  // namespace

Result<OtlpSinkConfig> read_otlp_config(const config::ConfigNode& node) {
  if (node.is_null()) return node.error("\"endpoint\" is required");
  config::ConfigReader reader(node);
  OtlpSinkConfig out;
  out.endpoint = reader.required_string("endpoint");
  if (!out.endpoint.empty() && out.endpoint.rfind("http://", 0) != 0 &&
      out.endpoint.rfind("https://", 0) != 0)
    reader.fail(node.child("endpoint"), "must start with http:// or https://");
  while (!out.endpoint.empty() && out.endpoint.back() == '/') out.endpoint.pop_back();

  std::string encoding = reader.string_or("encoding", "protobuf");
  if (encoding == "json") {
    out.encoding = Encoding::kJson;
  } else if (encoding != "protobuf") {
    reader.fail(node.child("encoding"), "must be protobuf or json, got \"" + encoding + "\"");
  }
  std::string compression = reader.string_or("compression", "gzip");
  if (compression == "none") {
    out.gzip = false;
  } else if (compression != "gzip") {
    reader.fail(node.child("compression"), "must be gzip or none, got \"" + compression + "\"");
  }

  out.headers = reader.string_map("headers");
  read_tls(reader, out);
  out.timeout = positive(reader, "timeout", out.timeout);
  read_backoff(reader, out);
  out.batchwait = positive(reader, "batchwait", out.batchwait);
  out.batchsize = reader.bytes_or("batchsize", out.batchsize);
  if (out.batchsize == 0) reader.fail(node.child("batchsize"), "must be positive");
  out.resource_attributes = reader.string_map("resource_attributes");
  if (reader.has("resource_labels")) out.resource_labels = reader.string_list("resource_labels");

  if (auto done = reader.finish(); !done) return done.error();
  return out;
}

}  // namespace tailcast::sinks::otlp
