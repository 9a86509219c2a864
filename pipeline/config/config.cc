// Promtail-shaped YAML → Config. Top-level, client and positions keys are strict (a misspelt key
// is an error naming file:line:col and key path); keys of features other builds add are named as
// not implemented rather than ignored.
#include "pipeline/config/config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace tailcast::config {
namespace {

// Keys Promtail's server block accepts that have no meaning for tailcast: accepted, named.
constexpr const char* kIgnoredServerKeys[] = {
    "grpc_listen_port", "grpc_listen_address", "register_instrumentation", "log_format",
    "http_server_read_timeout", "http_server_write_timeout", "http_server_idle_timeout",
    "grpc_server_max_recv_msg_size", "grpc_server_max_send_msg_size", "http_path_prefix",
    "graceful_shutdown_timeout", "health_check_target", "profiling_enabled"};

// Features whose configuration is part of the model but whose implementation is not in this build.
constexpr const char* kScrapeNotImplemented[] = {
    "relabel_configs", "kubernetes_sd_configs", "docker_sd_configs", "file_sd_configs",
    "consul_sd_configs", "consulagent_sd_configs", "journal", "syslog", "gcplog", "windows_events",
    "kafka", "gelf", "cloudflare", "heroku_drain", "loki_push_api", "azure_event_hubs",
    "decompression", "encoding"};

// Every sink has a name, unique in the config, by which scrape configs' `sinks:` select it. An
// unnamed sink takes its kind, numbered from the second of that kind on: loki, loki-2, loki-3.
class SinkNames {
 public:
  // The name of the next sink of `kind` declared at `item`; fails `reader` on a name taken twice.
  std::string claim(ConfigReader& reader, const ConfigNode& item, const std::string& kind,
                    std::string given) {
    const int ordinal = ++declared_[kind];
    std::string name = !given.empty() ? std::move(given)
                       : ordinal == 1 ? kind
                                      : kind + "-" + std::to_string(ordinal);
    auto [it, fresh] = where_.emplace(name, item.location());
    if (!fresh)
      reader.fail(item.yaml()["name"] ? item.child("name") : item,
                  "sink name \"" + name + "\" is already used by the sink at " + it->second +
                      "; give one of them another `name`");
    return name;
  }
  bool contains(const std::string& name) const { return where_.count(name) != 0; }
  std::string list() const {
    std::string out;
    for (const auto& [name, location] : where_) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

 private:
  std::map<std::string, int> declared_;
  std::map<std::string, std::string> where_;  // name → location of its sink
};

std::chrono::nanoseconds positive_duration(ConfigReader& reader, const std::string& key,
                                           std::chrono::nanoseconds fallback) {
  auto value = reader.duration_or(key, fallback);
  if (value.count() <= 0 && reader.has(key)) reader.fail(*reader.child(key), "must be positive");
  return value;
}

void read_server(ConfigReader& top, Config& out) {
  auto node = top.child("server");
  if (!node) return;
  ConfigReader reader(*node);
  out.server.http_listen_address =
      reader.string_or("http_listen_address", out.server.http_listen_address);
  out.server.http_listen_port =
      static_cast<int>(reader.integer_or("http_listen_port", out.server.http_listen_port));
  out.server.log_level = reader.string_or("log_level", out.server.log_level);
  out.server.disable = reader.boolean_or("disable", false);
  for (const char* key : kIgnoredServerKeys) {
    if (reader.has(key)) out.warnings.push_back(node->child(key).location() + ": server." + key +
                                                " has no effect in tailcast and is ignored");
    reader.skip(key);
  }
  if (out.server.http_listen_port < 0 || out.server.http_listen_port > 65535)
    reader.fail(node->child("http_listen_port"), "must be a port number from 0 to 65535");
  if (auto done = reader.finish(); !done) top.fail(done.error());
}

void read_positions(ConfigReader& top, Config& out) {
  auto node = top.child("positions");
  if (!node) return;
  ConfigReader reader(*node);
  out.positions.filename = reader.string_or("filename", out.positions.filename);
  out.positions.sync_period = positive_duration(reader, "sync_period", out.positions.sync_period);
  out.positions.ignore_invalid_yaml = reader.boolean_or("ignore_invalid_yaml", false);
  if (auto done = reader.finish(); !done) top.fail(done.error());
}

Result<ClientConfig> read_client(const ConfigNode& node) {
  ConfigReader reader(node);
  ClientConfig client;
  client.name = reader.string_or("name", "");
  client.url = reader.required_string("url");
  client.tenant_id = reader.string_or("tenant_id", "");
  client.batchwait = positive_duration(reader, "batchwait", client.batchwait);
  client.batchsize = reader.bytes_or("batchsize", client.batchsize);
  client.timeout = positive_duration(reader, "timeout", client.timeout);
  if (auto backoff = reader.child("backoff_config")) {
    ConfigReader nested(*backoff);
    client.backoff.min_period = positive_duration(nested, "min_period", client.backoff.min_period);
    client.backoff.max_period = positive_duration(nested, "max_period", client.backoff.max_period);
    client.backoff.max_retries =
        static_cast<int>(nested.integer_or("max_retries", client.backoff.max_retries));
    if (auto done = nested.finish(); !done) reader.fail(done.error());
  }
  client.external_labels = reader.string_map("external_labels");
  client.headers = reader.string_map("headers");
  if (auto auth = reader.child("basic_auth")) {
    ConfigReader nested(*auth);
    BasicAuth basic;
    basic.username = nested.string_or("username", "");
    basic.password = nested.string_or("password", "");
    basic.password_file = nested.string_or("password_file", "");
    if (auto done = nested.finish(); !done) reader.fail(done.error());
    client.basic_auth = std::move(basic);
  }
  if (auto limits_node = reader.child("loki_limits")) {
    auto limits = sinks::loki::read_loki_limits(*limits_node);
    if (limits) client.loki_limits = *limits;
    else reader.fail(limits.error());
  }
  client.bearer_token = reader.string_or("bearer_token", "");
  client.bearer_token_file = reader.string_or("bearer_token_file", "");
  if (auto tls = reader.child("tls_config")) {
    ConfigReader nested(*tls);
    client.tls.ca_file = nested.string_or("ca_file", "");
    client.tls.cert_file = nested.string_or("cert_file", "");
    client.tls.key_file = nested.string_or("key_file", "");
    client.tls.server_name = nested.string_or("server_name", "");
    client.tls.insecure_skip_verify = nested.boolean_or("insecure_skip_verify", false);
    if (auto done = nested.finish(); !done) reader.fail(done.error());
  }
  client.drop_rate_limited_batches = reader.boolean_or("drop_rate_limited_batches", false);
  reader.not_implemented("proxy_url", "client.proxy_url");
  reader.not_implemented("oauth2", "client.oauth2");
  if (!client.url.empty() && client.url.rfind("http://", 0) != 0 &&
      client.url.rfind("https://", 0) != 0)
    reader.fail(node.child("url"), "must start with http:// or https://");
  if (client.basic_auth && !client.bearer_token.empty())
    reader.fail(node, "basic_auth and bearer_token cannot both be set");
  if (auto done = reader.finish(); !done) return done.error();
  return client;
}

void read_clients(ConfigReader& top, Config& out, SinkNames& names) {
  if (auto legacy = top.child("client")) {
    auto client = read_client(*legacy);
    if (!client) return top.fail(client.error());
    client->name = names.claim(top, *legacy, "loki", client->name);
    out.clients.push_back(std::move(*client));
  }
  auto node = top.child("clients");
  if (!node || node->is_null()) return;
  if (!node->yaml().IsSequence()) return top.fail(*node, "expected a list of clients");
  for (size_t i = 0; i < node->yaml().size(); ++i) {
    auto client = read_client(node->element(i));
    if (!client) return top.fail(client.error());
    client->name = names.claim(top, node->element(i), "loki", client->name);
    out.clients.push_back(std::move(*client));
  }
}

// `sinks:` is a list; each item names one kind as its key: loki, kafka, otlp, stdout or file.
void read_sinks(ConfigReader& top, Config& out, SinkNames& names) {
  auto node = top.child("sinks");
  if (!node || node->is_null()) return;
  if (!node->yaml().IsSequence()) return top.fail(*node, "expected a list of sinks");
  for (size_t i = 0; i < node->yaml().size(); ++i) {
    ConfigNode item = node->element(i);
    ConfigReader reader(item);
    std::string name = reader.string_or("name", "");
    bool found = false;
    for (const char* kind : {"stdout", "file"}) {
      auto body = reader.child(kind);
      if (!body) continue;
      found = true;
      ConfigReader nested(*body);
      OutputSinkConfig sink;
      sink.name = names.claim(reader, item, kind, name);
      sink.path = std::string(kind) == "file" ? nested.required_string("path") : "";
      sink.format = nested.string_or("format", "text");
      if (sink.format != "text" && sink.format != "json")
        nested.fail(body->child("format"), "must be text or json");
      if (auto done = nested.finish(); !done) reader.fail(done.error());
      out.outputs.push_back(std::move(sink));
    }
    if (auto body = reader.child("loki")) {
      found = true;
      auto client = read_client(*body);
      if (!client) {
        reader.fail(client.error());
      } else {
        client->name = names.claim(reader, item, "loki", name.empty() ? client->name : name);
        out.clients.push_back(std::move(*client));
      }
    }
    if (auto body = reader.child("kafka")) {
      found = true;
      auto kafka = sinks::kafka::read_kafka_config(*body);
      if (!kafka) {
        reader.fail(kafka.error());
      } else {
        kafka->name = names.claim(reader, item, "kafka", name);
        out.kafka_sinks.push_back(std::move(*kafka));
      }
    }
    if (auto body = reader.child("otlp")) {
      found = true;
      auto otlp = sinks::otlp::read_otlp_config(*body);
      if (!otlp) {
        reader.fail(otlp.error());
      } else {
        otlp->name = names.claim(reader, item, "otlp", name);
        out.otlp_sinks.push_back(std::move(*otlp));
      }
    }
    if (!found && reader.ok())
      reader.fail(item, "a sink needs one of: loki, kafka, otlp, stdout, file");
    if (auto done = reader.finish(); !done) return top.fail(done.error());
  }
}

Result<ScrapeConfig> read_scrape(const ConfigNode& node, const SinkNames& names) {
  ConfigReader reader(node);
  ScrapeConfig scrape;
  scrape.job_name = reader.required_string("job_name");
  scrape.sinks = reader.string_list("sinks");
  for (size_t i = 0; i < scrape.sinks.size() && reader.ok(); ++i) {
    if (names.contains(scrape.sinks[i])) continue;
    ConfigNode list = node.child("sinks");
    reader.fail(list.yaml().IsSequence() ? list.element(i) : list,
                "no sink is named \"" + scrape.sinks[i] + "\" (sinks: " + names.list() + ")");
  }
  if (auto stages = reader.child("pipeline_stages"); stages && !stages->is_null()) {
    if (!stages->yaml().IsSequence()) reader.fail(*stages, "expected a list of stages");
    scrape.pipeline_stages = *stages;
  }
  if (auto statics = reader.child("static_configs"); statics && !statics->is_null()) {
    if (!statics->yaml().IsSequence()) {
      reader.fail(*statics, "expected a list of static configs");
    } else {
      for (size_t i = 0; i < statics->yaml().size(); ++i) {
        ConfigReader target_reader(statics->element(i));
        StaticTarget target;
        target.targets = target_reader.string_list("targets");
        target.labels = target_reader.string_map("labels");
        bool has_path = false;
        for (const auto& [name, value] : target.labels) has_path |= name == "__path__";
        if (!has_path)
          target_reader.fail(statics->element(i), "labels.__path__ is required: the files to tail");
        if (auto done = target_reader.finish(); !done) reader.fail(done.error());
        scrape.static_configs.push_back(std::move(target));
      }
    }
  }
  for (const char* key : kScrapeNotImplemented) reader.not_implemented(key, key);
  if (auto done = reader.finish(); !done) return done.error();
  return scrape;
}

void read_limits(ConfigReader& top, Config& out) {
  auto node = top.child("limits_config");
  if (!node) return;
  ConfigReader reader(*node);
  out.limits.max_line_size = reader.bytes_or("max_line_size", 0);
  out.limits.max_line_size_truncate = reader.boolean_or("max_line_size_truncate", false);
  for (const char* key : {"readline_rate_enabled", "readline_rate", "readline_burst",
                          "readline_rate_drop", "max_streams"})
    reader.not_implemented(key, std::string("limits_config.") + key);
  if (auto done = reader.finish(); !done) top.fail(done.error());
}

}  // namespace

std::string expand_env(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      size_t close = text.find('}', i + 2);
      if (close != std::string_view::npos) {
        std::string_view inner = text.substr(i + 2, close - i - 2);
        std::string_view fallback;
        bool has_fallback = false;
        if (size_t sep = inner.find(":-"); sep != std::string_view::npos) {
          fallback = inner.substr(sep + 2);
          inner = inner.substr(0, sep);
          has_fallback = true;
        }
        const char* value = std::getenv(std::string(inner).c_str());
        if (value && *value) out += value;
        else if (has_fallback) out += fallback;
        i = close + 1;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

Result<Config> parse_config(std::string_view text, const std::string& file_name) {
  auto file = std::make_shared<const std::string>(file_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return make_error(Errc::kInvalidConfig, file_name + ":" + std::to_string(e.mark.line + 1) +
                                                ":" + std::to_string(e.mark.column + 1) +
                                                ": invalid YAML: " + e.msg);
  }
  ConfigNode top_node(root, file, "");
  ConfigReader top(top_node);
  Config config;
  config.file = file_name;
  SinkNames sink_names;
  read_server(top, config);
  read_positions(top, config);
  read_clients(top, config, sink_names);
  read_sinks(top, config, sink_names);
  read_limits(top, config);
  if (auto scrapes = top.child("scrape_configs"); scrapes && !scrapes->is_null()) {
    if (!scrapes->yaml().IsSequence()) top.fail(*scrapes, "expected a list of scrape configs");
    else
      for (size_t i = 0; i < scrapes->yaml().size() && top.ok(); ++i) {
        auto scrape = read_scrape(scrapes->element(i), sink_names);
        if (!scrape) top.fail(scrape.error());
        else config.scrape_configs.push_back(std::move(*scrape));
      }
  }
  if (auto target = top.child("target_config")) {
    ConfigReader reader(*target);
    config.target_sync_period = positive_duration(reader, "sync_period", config.target_sync_period);
    FileTargetConfig& files = config.target;
    int64_t max_open = reader.integer_or("max_open_files", static_cast<int64_t>(files.max_open_files));
    if (max_open < 1) reader.fail(target->child("max_open_files"), "must be at least 1");
    files.max_open_files = static_cast<uint64_t>(std::max<int64_t>(max_open, 1));
    files.watch = reader.string_or("watch", files.watch);
    if (files.watch != "auto" && files.watch != "inotify" && files.watch != "poll")
      reader.fail(target->child("watch"), "must be auto, inotify or poll");
    files.poll_interval = positive_duration(reader, "poll_interval", files.poll_interval);
    files.deleted_file_max_hold =
        positive_duration(reader, "deleted_file_max_hold", files.deleted_file_max_hold);
    files.partial_line_idle =
        positive_duration(reader, "partial_line_idle", files.partial_line_idle);
    if (auto done = reader.finish(); !done) top.fail(done.error());
  }
  top.not_implemented("tracing", "tracing");
  top.not_implemented("options", "options");
  top.not_implemented("wal", "wal");
  top.not_implemented("global", "global");
  if (auto done = top.finish(); !done) return done.error();
  if (config.clients.empty() && config.outputs.empty() && config.kafka_sinks.empty() &&
      config.otlp_sinks.empty())
    return make_error(Errc::kInvalidConfig,
                      file_name + ": no sink configured: add `clients` (Loki) or `sinks`");
  return config;
}

Result<Config> load_config(const std::string& path, bool expand_env_vars) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::kIo, path + ": cannot open the config file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (expand_env_vars) text = expand_env(text);
  return parse_config(text, path);
}

}  // namespace tailcast::config
