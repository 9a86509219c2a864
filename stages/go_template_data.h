// ExtractedData: Promtail's template data map over an entry's extracted values, shared by the
// `template` and `replace` stages. Values are Promtail's getString of each field; nil fields are
// absent; `Value` and `Entry` are set by the stage.
#pragma once

#include <optional>
#include <string_view>

#include "pipeline/arena.h"
#include "pipeline/entry.h"
#include "stages/go_template.h"
#include "stages/go_time_layout.h"

namespace tailcast::stages {

class ExtractedData final : public TemplateData {
 public:
  // Starts a line: `fields` must outlive the lookups.
  void reset(const FieldSet& fields) {
    fields_ = &fields;
    value_.reset();
    entry_.reset();
    numbers_.reset();
  }
  void set_value(std::string_view value) { value_ = value; }
  void set_entry(std::string_view line) { entry_ = line; }

  std::optional<std::string_view> find(std::string_view key) const noexcept override {
    if (entry_ && key == "Entry") return entry_;
    if (value_ && key == "Value") return value_;
    const Field* field = fields_ ? fields_->get(key) : nullptr;
    return field ? text_of(*field) : std::nullopt;
  }

  // Promtail's getString: numbers as Go formats a float64, nil has no string.
  std::optional<std::string_view> text_of(const Field& field) const noexcept {
    if (field.type == FieldType::kNull) return std::nullopt;
    if (field.type != FieldType::kNumber) return field.text;
    char buffer[400];
    const std::string_view text = go_float_text(field.text, buffer, sizeof buffer);
    return text.data() == field.text.data() ? text : numbers_.copy(text);
  }

 private:
  const FieldSet* fields_ = nullptr;
  std::optional<std::string_view> value_;
  std::optional<std::string_view> entry_;
  mutable Arena numbers_{1024};
};

}  // namespace tailcast::stages
