// ConfigReader implementation; the only code that touches yaml-cpp's node API for typed reads.
#include "pipeline/config/node.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace tailcast::config {

ConfigNode ConfigNode::child(const std::string& key) const {
  YAML::Node value;
  if (node_ && node_.IsMap()) value = node_[key];
  return ConfigNode(value, file_, key_path_.empty() ? key : key_path_ + "." + key);
}

ConfigNode ConfigNode::element(size_t index) const {
  YAML::Node value;
  if (node_ && node_.IsSequence() && index < node_.size()) value = node_[index];
  return ConfigNode(value, file_, key_path_ + "[" + std::to_string(index) + "]");
}

std::string ConfigNode::location() const {
  if (!node_ || node_.Mark().is_null()) return *file_;
  const YAML::Mark mark = node_.Mark();
  return *file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Error ConfigNode::error(std::string_view message) const {
  std::string text = location() + ": ";
  if (!key_path_.empty()) text += key_path_ + ": ";
  text += message;
  return make_error(Errc::kInvalidConfig, std::move(text));
}

std::optional<std::string> ConfigNode::scalar() const {
  if (!node_ || !node_.IsScalar()) return std::nullopt;
  return node_.Scalar();
}

ConfigReader::ConfigReader(const ConfigNode& node) : node_(node) {
  if (!node.is_null() && !node.yaml().IsMap()) fail(node, "expected a map of keys");
}

bool ConfigReader::has(const std::string& key) const {
  return !node_.is_null() && node_.yaml().IsMap() && node_.yaml()[key].IsDefined();
}

std::optional<ConfigNode> ConfigReader::child(const std::string& key) {
  known_.insert(key);
  if (!has(key)) return std::nullopt;
  return node_.child(key);
}

void ConfigReader::skip(const std::string& key) { known_.insert(key); }

void ConfigReader::not_implemented(const std::string& key, std::string_view what) {
  known_.insert(key);
  if (!has(key)) return;
  fail(node_.child(key), std::string(what) + " is not implemented in this version of tailcast");
}

void ConfigReader::fail(const ConfigNode& at, std::string_view message) {
  if (!error_) error_ = at.error(message);
}

void ConfigReader::fail(Error error) {
  if (!error_) error_ = std::move(error);
}

std::optional<ConfigNode> ConfigReader::scalar_child(const std::string& key,
                                                     std::string_view expected) {
  auto node = child(key);
  if (!node || node->is_null()) return std::nullopt;
  if (!node->yaml().IsScalar()) {
    fail(*node, "expected " + std::string(expected));
    return std::nullopt;
  }
  return node;
}

std::optional<std::string> ConfigReader::string(const std::string& key) {
  auto node = scalar_child(key, "a string");
  if (!node) return std::nullopt;
  return node->yaml().Scalar();
}

std::string ConfigReader::string_or(const std::string& key, std::string fallback) {
  auto value = string(key);
  return value ? *value : std::move(fallback);
}

std::string ConfigReader::required_string(const std::string& key) {
  auto value = string(key);
  if (!value || value->empty()) {
    fail(has(key) ? node_.child(key) : node_, "\"" + key + "\" is required");
    return {};
  }
  return *value;
}

bool ConfigReader::boolean_or(const std::string& key, bool fallback) {
  auto node = scalar_child(key, "true or false");
  if (!node) return fallback;
  const std::string& text = node->yaml().Scalar();
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  fail(*node, "expected true or false, got \"" + text + "\"");
  return fallback;
}

int64_t ConfigReader::integer_or(const std::string& key, int64_t fallback) {
  auto node = scalar_child(key, "an integer");
  if (!node) return fallback;
  const std::string& text = node->yaml().Scalar();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail(*node, "expected an integer, got \"" + text + "\"");
    return fallback;
  }
  return value;
}

double ConfigReader::number_or(const std::string& key, double fallback) {
  auto node = scalar_child(key, "a number");
  if (!node) return fallback;
  const std::string& text = node->yaml().Scalar();
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail(*node, "expected a number, got \"" + text + "\"");
    return fallback;
  }
  return value;
}

std::chrono::nanoseconds ConfigReader::duration_or(const std::string& key,
                                                   std::chrono::nanoseconds fallback) {
  auto node = scalar_child(key, "a duration such as 1s or 500ms");
  if (!node) return fallback;
  const std::string& text = node->yaml().Scalar();
  auto value = parse_duration(text);
  if (!value) {
    fail(*node, "expected a duration such as 1s or 500ms, got \"" + text + "\"");
    return fallback;
  }
  return *value;
}

uint64_t ConfigReader::bytes_or(const std::string& key, uint64_t fallback) {
  auto node = scalar_child(key, "a size such as 1048576 or 1MiB");
  if (!node) return fallback;
  const std::string& text = node->yaml().Scalar();
  auto value = parse_bytes(text);
  if (!value) {
    fail(*node, "expected a size such as 1048576 or 1MiB, got \"" + text + "\"");
    return fallback;
  }
  return *value;
}

std::vector<std::string> ConfigReader::string_list(const std::string& key) {
  std::vector<std::string> out;
  auto node = child(key);
  if (!node || node->is_null()) return out;
  if (node->yaml().IsScalar()) {
    out.push_back(node->yaml().Scalar());
    return out;
  }
  if (!node->yaml().IsSequence()) {
    fail(*node, "expected a list of strings");
    return out;
  }
  for (size_t i = 0; i < node->yaml().size(); ++i) {
    ConfigNode item = node->element(i);
    if (!item.yaml().IsScalar()) {
      fail(item, "expected a string");
      return out;
    }
    out.push_back(item.yaml().Scalar());
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ConfigReader::string_map(const std::string& key) {
  std::vector<std::pair<std::string, std::string>> out;
  auto node = child(key);
  if (!node || node->is_null()) return out;
  if (!node->yaml().IsMap()) {
    fail(*node, "expected a map of names to strings");
    return out;
  }
  for (const auto& pair : node->yaml()) {
    const std::string name = pair.first.Scalar();
    if (pair.second.IsNull()) {
      out.emplace_back(name, "");
    } else if (pair.second.IsScalar()) {
      out.emplace_back(name, pair.second.Scalar());
    } else {
      fail(node->child(name), "expected a string value");
      return out;
    }
  }
  return out;
}

Result<void> ConfigReader::finish() {
  if (error_) return *error_;
  if (node_.is_null() || !node_.yaml().IsMap()) return {};
  for (const auto& pair : node_.yaml()) {
    const std::string key = pair.first.Scalar();
    if (known_.count(key)) continue;
    ConfigNode at(pair.first, std::make_shared<const std::string>(node_.file()),
                  node_.key_path().empty() ? key : node_.key_path() + "." + key);
    if (warnings_) {
      warnings_->push_back(at.location() + ": " + at.key_path() + ": unknown key ignored");
      continue;
    }
    return at.error("unknown key \"" + key + "\"");
  }
  return {};
}

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  if (all_digits) {
    int64_t seconds = 0;
    std::from_chars(text.data(), text.data() + text.size(), seconds);
    return std::chrono::seconds(seconds);
  }
  bool negative = false;
  if (text.front() == '-' || text.front() == '+') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds(0);
  double total_ns = 0;
  while (!text.empty()) {
    size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == 0) return std::nullopt;
    double number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + i, number);
    if (ec != std::errc() || end != text.data() + i) return std::nullopt;
    text.remove_prefix(i);
    size_t unit_len = 0;
    while (unit_len < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_len])))
      ++unit_len;
    // Go also spells microseconds with U+00B5; "us" is the ASCII form.
    if (unit_len == 0 && text.rfind("\xC2\xB5s", 0) == 0) unit_len = 3;
    std::string_view unit = text.substr(0, unit_len);
    double scale;
    if (unit == "ns") scale = 1;
    else if (unit == "us" || unit == "\xC2\xB5s") scale = 1e3;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "s") scale = 1e9;
    else if (unit == "m") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else return std::nullopt;
    total_ns += number * scale;
    text.remove_prefix(unit_len);
  }
  auto ns = static_cast<int64_t>(std::llround(total_ns));
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

std::optional<uint64_t> parse_bytes(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return std::nullopt;
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + i, number);
  if (ec != std::errc() || end != text.data() + i) return std::nullopt;
  std::string unit;
  for (char c : text.substr(i))
    if (c != ' ') unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  double scale;
  if (unit.empty() || unit == "b") scale = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") scale = 1024.0;
  else if (unit == "m" || unit == "mb" || unit == "mib") scale = 1024.0 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib") scale = 1024.0 * 1024 * 1024;
  else return std::nullopt;
  return static_cast<uint64_t>(number * scale);
}

}  // namespace tailcast::config
