// Reading and validating the Kafka sink's YAML.
#include "sinks/kafka/config.h"

#include <array>
#include <string_view>

namespace tailcast::sinks::kafka {
namespace {

constexpr std::array<std::string_view, 5> kCompressions = {"none", "gzip", "snappy", "lz4",
                                                           "zstd"};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Brokers come as a list or as librdkafka's comma-separated string; both end as one list.
std::vector<std::string> split_brokers(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (std::string_view item : items) {
    while (!item.empty()) {
      size_t comma = item.find(',');
      std::string_view part = trim(item.substr(0, comma));
      if (!part.empty()) out.emplace_back(part);
      if (comma == std::string_view::npos) break;
      item.remove_prefix(comma + 1);
    }
  }
  return out;
}

void read_headers(config::ConfigReader& reader, KafkaSinkConfig& out) {
  auto node = reader.child("headers");
  if (!node || node->is_null()) return;
  config::ConfigReader headers(*node);
  out.header_labels = headers.string_list("labels");
  if (headers.has("structured_metadata")) {
    out.all_metadata_headers = false;
    out.header_metadata = headers.string_list("structured_metadata");
  }
  if (auto done = headers.finish(); !done) reader.fail(done.error());
}

std::chrono::milliseconds to_millis(std::chrono::nanoseconds value) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(value);
}

}  // namespace

Result<KafkaSinkConfig> read_kafka_config(const config::ConfigNode& node) {
  config::ConfigReader reader(node);
  KafkaSinkConfig out;
  if (node.is_null()) return node.error("\"brokers\" and \"topic\" are required");

  out.brokers = split_brokers(reader.string_list("brokers"));
  if (out.brokers.empty() && reader.ok())
    reader.fail(reader.has("brokers") ? node.child("brokers") : node, "\"brokers\" is required");
  out.topic = reader.required_string("topic");
  out.key = reader.string_or("key", "");

  out.encoding = reader.string_or("encoding", out.encoding);
  if (out.encoding != "json" && out.encoding != "raw")
    reader.fail(node.child("encoding"), "must be json or raw, got \"" + out.encoding + "\"");

  read_headers(reader, out);

  out.compression = reader.string_or("compression", out.compression);
  bool known = false;
  for (std::string_view name : kCompressions) known |= out.compression == name;
  if (!known)
    reader.fail(node.child("compression"),
                "must be one of none, gzip, snappy, lz4, zstd, got \"" + out.compression + "\"");

  out.properties = reader.string_map("properties");
  for (const auto& [name, value] : out.properties) {
    // The sink owns these: they come from `brokers` and its delivery-report handling.
    if (name == "bootstrap.servers" || name == "metadata.broker.list" || name == "dr_msg_cb" ||
        name == "dr_cb")
      reader.fail(node.child("properties").child(name),
                  "set by the sink; use the sink's own key instead");
  }

  auto linger = reader.duration_or("linger", out.linger);
  if (linger.count() < 0) reader.fail(node.child("linger"), "must not be negative");
  out.linger = to_millis(linger);
  auto timeout = reader.duration_or("delivery_timeout", out.delivery_timeout);
  if (timeout.count() < 0) reader.fail(node.child("delivery_timeout"), "must not be negative");
  out.delivery_timeout = to_millis(timeout);

  if (auto done = reader.finish(); !done) return done.error();
  return out;
}

}  // namespace tailcast::sinks::kafka
