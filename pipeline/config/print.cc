#include "pipeline/config/print.h"

#include <algorithm>
#include <cctype>

namespace tailcast::config {
namespace {

constexpr const char* kSecret = "<secret>";

std::string duration_text(nanoseconds value) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(value).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

bool is_secret_header(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name == "authorization" || name.find("token") != std::string::npos ||
         name.find("key") != std::string::npos || name.find("secret") != std::string::npos;
}

void emit_pairs(YAML::Emitter& out, const char* key, const StringPairs& pairs, bool headers) {
  if (pairs.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : pairs)
    out << YAML::Key << name << YAML::Value << (headers && is_secret_header(name) ? kSecret : value);
  out << YAML::EndMap;
}

void emit_client(YAML::Emitter& out, const ClientConfig& client) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << client.name;
  out << YAML::Key << "url" << YAML::Value << client.url;
  if (!client.tenant_id.empty()) out << YAML::Key << "tenant_id" << YAML::Value << client.tenant_id;
  out << YAML::Key << "batchwait" << YAML::Value << duration_text(client.batchwait);
  out << YAML::Key << "batchsize" << YAML::Value << client.batchsize;
  out << YAML::Key << "timeout" << YAML::Value << duration_text(client.timeout);
  out << YAML::Key << "backoff_config" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "min_period" << YAML::Value << duration_text(client.backoff.min_period);
  out << YAML::Key << "max_period" << YAML::Value << duration_text(client.backoff.max_period);
  out << YAML::Key << "max_retries" << YAML::Value << client.backoff.max_retries;
  out << YAML::EndMap;
  emit_pairs(out, "external_labels", client.external_labels, false);
  emit_pairs(out, "headers", client.headers, true);
  if (client.basic_auth) {
    out << YAML::Key << "basic_auth" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "username" << YAML::Value << client.basic_auth->username;
    if (!client.basic_auth->password.empty())
      out << YAML::Key << "password" << YAML::Value << kSecret;
    if (!client.basic_auth->password_file.empty())
      out << YAML::Key << "password_file" << YAML::Value << client.basic_auth->password_file;
    out << YAML::EndMap;
  }
  if (!client.bearer_token.empty()) out << YAML::Key << "bearer_token" << YAML::Value << kSecret;
  if (!client.bearer_token_file.empty())
    out << YAML::Key << "bearer_token_file" << YAML::Value << client.bearer_token_file;
  out << YAML::Key << "tls_config" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "ca_file" << YAML::Value << client.tls.ca_file;
  out << YAML::Key << "cert_file" << YAML::Value << client.tls.cert_file;
  out << YAML::Key << "key_file" << YAML::Value << client.tls.key_file;
  out << YAML::Key << "server_name" << YAML::Value << client.tls.server_name;
  out << YAML::Key << "insecure_skip_verify" << YAML::Value << client.tls.insecure_skip_verify;
  out << YAML::EndMap;
  out << YAML::EndMap;
}

}  // namespace

std::string to_redacted_yaml(const Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "http_listen_address" << YAML::Value << config.server.http_listen_address;
  out << YAML::Key << "http_listen_port" << YAML::Value << config.server.http_listen_port;
  out << YAML::Key << "log_level" << YAML::Value << config.server.log_level;
  out << YAML::Key << "disable" << YAML::Value << config.server.disable;
  out << YAML::EndMap;
  out << YAML::Key << "positions" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "filename" << YAML::Value << config.positions.filename;
  out << YAML::Key << "sync_period" << YAML::Value << duration_text(config.positions.sync_period);
  out << YAML::Key << "ignore_invalid_yaml" << YAML::Value << config.positions.ignore_invalid_yaml;
  out << YAML::EndMap;
  out << YAML::Key << "clients" << YAML::Value << YAML::BeginSeq;
  for (const auto& client : config.clients) emit_client(out, client);
  out << YAML::EndSeq;
  if (!config.outputs.empty()) {
    out << YAML::Key << "sinks" << YAML::Value << YAML::BeginSeq;
    for (const auto& sink : config.outputs) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << sink.name;
      out << YAML::Key << (sink.path.empty() ? "stdout" : "file") << YAML::Value << YAML::BeginMap;
      if (!sink.path.empty()) out << YAML::Key << "path" << YAML::Value << sink.path;
      out << YAML::Key << "format" << YAML::Value << sink.format << YAML::EndMap << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::Key << "scrape_configs" << YAML::Value << YAML::BeginSeq;
  for (const auto& scrape : config.scrape_configs) {
    out << YAML::BeginMap << YAML::Key << "job_name" << YAML::Value << scrape.job_name;
    if (!scrape.sinks.empty()) {
      out << YAML::Key << "sinks" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& sink : scrape.sinks) out << sink;
      out << YAML::EndSeq;
    }
    out << YAML::Key << "static_configs" << YAML::Value << YAML::BeginSeq;
    for (const auto& target : scrape.static_configs) {
      out << YAML::BeginMap;
      emit_pairs(out, "labels", target.labels, false);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    if (scrape.pipeline_stages)
      out << YAML::Key << "pipeline_stages" << YAML::Value << scrape.pipeline_stages->yaml();
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "limits_config" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "max_line_size" << YAML::Value << config.limits.max_line_size;
  out << YAML::Key << "max_line_size_truncate" << YAML::Value << config.limits.max_line_size_truncate;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace tailcast::config
