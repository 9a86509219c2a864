// ResourceRule: which attributes describe the emitter of a record (the OTLP Resource) rather than
// the record itself — the configured resource_attributes, the stream labels named in
// resource_labels, and service.name taken from the `application` label when nothing set it.
// Built once per sink; read by its sender thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/entry.h"
#include "sinks/otlp/config.h"
#include "sinks/otlp/wire.h"

namespace tailcast::sinks::otlp {

struct Attribute {
  std::string_view key;
  std::string_view value;
};

class ResourceRule {
 public:
  explicit ResourceRule(const OtlpSinkConfig& config)
      : attributes_(config.resource_attributes), labels_(config.resource_labels) {}

  bool is_resource_label(std::string_view name) const noexcept {
    for (const std::string& label : labels_)
      if (label == name) return true;
    return false;
  }

  // Appends the Resource attributes of a stream with these labels to `out` (cleared first).
  void attributes_of(std::span<const Label> labels, std::vector<Attribute>& out) const {
    out.clear();
    bool service_name = false;
    for (const auto& [key, value] : attributes_) {
      out.push_back(Attribute{key, value});
      service_name |= key == "service.name";
    }
    std::string_view application;
    for (const Label& label : labels) {
      if (label.name == "application") application = label.value;
      if (is_resource_label(label.name)) out.push_back(Attribute{label.name, label.value});
    }
    if (!service_name && !application.empty())
      out.push_back(Attribute{"service.name", application});
  }

 private:
  std::vector<std::pair<std::string, std::string>> attributes_;
  std::vector<std::string> labels_;
};

// KeyValue{key, AnyValue{string_value}}; for ProtoSize and ProtoEmit alike.
template <class Out>
void write_string_attribute(Out& out, uint32_t field, std::string_view key,
                            std::string_view value) {
  out.message(field, [&](auto& kv) {
    kv.string_field(kKeyValueKey, key);
    kv.message(kKeyValueValue, [&](auto& any) { any.string_always(kAnyString, value); });
  });
}

}  // namespace tailcast::sinks::otlp
