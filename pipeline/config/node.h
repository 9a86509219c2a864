// ConfigNode and ConfigReader: the single place YAML becomes typed values. Every error a reader
// reports names the file, line, column and key path, so a user sees exactly what to fix.
// yaml-cpp exceptions never leave pipeline/config/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/result.h"

namespace tailcast::config {

// A YAML node with where it came from: the file and the key path from the document root.
class ConfigNode {
 public:
  ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string key_path)
      : node_(std::move(node)), file_(std::move(file)), key_path_(std::move(key_path)) {}

  const YAML::Node& yaml() const noexcept { return node_; }
  const std::string& key_path() const noexcept { return key_path_; }
  const std::string& file() const noexcept { return *file_; }
  bool is_null() const { return !node_ || node_.IsNull(); }

  ConfigNode child(const std::string& key) const;
  ConfigNode element(size_t index) const;
  // "file:line:col" (1-based), or just the file when the node has no position.
  std::string location() const;
  Error error(std::string_view message) const;
  // The scalar as written, or nullopt when this is not a scalar.
  std::optional<std::string> scalar() const;

 private:
  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string key_path_;
};

// Reads the keys of one YAML map. Each accessor marks its key as known; finish() reports the
// first error met, or the first key nobody asked for. Values of a wrong type are errors; absent
// keys yield the default.
class ConfigReader {
 public:
  explicit ConfigReader(const ConfigNode& node);

  bool has(const std::string& key) const;
  std::optional<ConfigNode> child(const std::string& key);
  std::optional<std::string> string(const std::string& key);
  std::string string_or(const std::string& key, std::string fallback);
  std::string required_string(const std::string& key);
  bool boolean_or(const std::string& key, bool fallback);
  int64_t integer_or(const std::string& key, int64_t fallback);
  double number_or(const std::string& key, double fallback);
  std::chrono::nanoseconds duration_or(const std::string& key, std::chrono::nanoseconds fallback);
  uint64_t bytes_or(const std::string& key, uint64_t fallback);
  // A scalar is accepted as a one-element list, as Promtail's YAML does.
  std::vector<std::string> string_list(const std::string& key);
  std::vector<std::pair<std::string, std::string>> string_map(const std::string& key);
  // The key is read by someone else (a nested reader); only mark it known.
  void skip(const std::string& key);
  // A key designed into the model whose behaviour this build does not have yet.
  void not_implemented(const std::string& key, std::string_view what);

  void fail(const ConfigNode& at, std::string_view message);
  void fail(Error error);
  bool ok() const noexcept { return !error_.has_value(); }
  // Unknown keys become warnings instead of errors (Promtail ignores unknown stage keys).
  void tolerate_unknown_keys(std::vector<std::string>* warnings) { warnings_ = warnings; }
  Result<void> finish();

  const ConfigNode& node() const noexcept { return node_; }

 private:
  std::optional<ConfigNode> scalar_child(const std::string& key, std::string_view expected);

  ConfigNode node_;
  std::set<std::string, std::less<>> known_;
  std::optional<Error> error_;
  std::vector<std::string>* warnings_ = nullptr;
};

// Go duration syntax ("1s", "500ms", "1m30s", "1.5h"); a bare integer is seconds.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);
// Byte sizes as Promtail's flagext accepts them: 1048576, 256KB, 1MiB, 5mb (units of 1024).
std::optional<uint64_t> parse_bytes(std::string_view text);

}  // namespace tailcast::config
