// KafkaTemplate: the topic and key templates of the Kafka sink. `{{ .name }}` stands for the stream
// label `name` (empty when the stream has none); everything else is literal text. Compiled once at
// startup, rendered per stream.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/entry.h"

namespace tailcast::sinks::kafka {

class KafkaTemplate {
 public:
  KafkaTemplate() = default;
  static KafkaTemplate compile(std::string_view text);

  // Appends the rendering to `out` (not cleared).
  void render(std::span<const Label> labels, std::string& out) const;
  // True when no part depends on labels, so one rendering serves every stream.
  bool is_constant() const noexcept;
  bool empty() const noexcept { return parts_.empty(); }

 private:
  struct Part {
    bool is_label = false;
    std::string text;  // literal text, or the label name
  };
  std::vector<Part> parts_;
};

}  // namespace tailcast::sinks::kafka
