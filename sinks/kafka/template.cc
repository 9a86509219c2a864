// Parsing and rendering of the Kafka sink's `{{ .label }}` templates.
#include "sinks/kafka/template.h"

namespace tailcast::sinks::kafka {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void skip_spaces(std::string_view text, size_t& pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
}

// Matches `{{ .name }}` at `pos`; on success returns the name and moves `pos` past the braces.
// Anything else (another Go template action, a missing dot) is not ours and stays literal.
bool match_label(std::string_view text, size_t& pos, std::string_view& name) {
  size_t at = pos;
  if (text.substr(at, 2) != "{{") return false;
  at += 2;
  skip_spaces(text, at);
  if (at >= text.size() || text[at] != '.') return false;
  ++at;
  size_t begin = at;
  while (at < text.size() && is_name_char(text[at])) ++at;
  if (at == begin) return false;
  name = text.substr(begin, at - begin);
  skip_spaces(text, at);
  if (text.substr(at, 2) != "}}") return false;
  pos = at + 2;
  return true;
}

}  // namespace

KafkaTemplate KafkaTemplate::compile(std::string_view text) {
  KafkaTemplate out;
  std::string literal;
  size_t pos = 0;
  while (pos < text.size()) {
    std::string_view name;
    if (match_label(text, pos, name)) {
      if (!literal.empty()) out.parts_.push_back(Part{false, std::move(literal)});
      literal.clear();
      out.parts_.push_back(Part{true, std::string(name)});
      continue;
    }
    literal.push_back(text[pos]);
    ++pos;
  }
  if (!literal.empty()) out.parts_.push_back(Part{false, std::move(literal)});
  return out;
}

void KafkaTemplate::render(std::span<const Label> labels, std::string& out) const {
  for (const Part& part : parts_) {
    if (!part.is_label) {
      out += part.text;
      continue;
    }
    for (const Label& label : labels) {
      if (label.name == part.text) {
        out += label.value;
        break;
      }
    }
  }
}

bool KafkaTemplate::is_constant() const noexcept {
  for (const Part& part : parts_)
    if (part.is_label) return false;
  return true;
}

}  // namespace tailcast::sinks::kafka
