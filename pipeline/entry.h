// Entry: the one value every step of a line's life sees — reader, stages, batcher. It holds views:
// the line points into the read buffer, computed strings into the chunk's Arena. The reader reuses
// one Entry per line, so clearing keeps capacity and the hot path does not allocate.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tailcast {

class SourceAcks;

struct Label {
  std::string_view name;
  std::string_view value;
};

// A small flat name → value map. Linear search beats hashing at the sizes labels have (< 16).
class LabelSet {
 public:
  void set(std::string_view name, std::string_view value) {
    for (auto& label : labels_) {
      if (label.name == name) {
        label.value = value;
        return;
      }
    }
    labels_.push_back(Label{name, value});
  }
  const std::string_view* get(std::string_view name) const noexcept {
    for (const auto& label : labels_)
      if (label.name == name) return &label.value;
    return nullptr;
  }
  bool erase(std::string_view name) noexcept {
    auto it = std::find_if(labels_.begin(), labels_.end(),
                           [&](const Label& label) { return label.name == name; });
    if (it == labels_.end()) return false;
    labels_.erase(it);
    return true;
  }
  template <class Pred>
  void erase_if(Pred pred) {
    std::erase_if(labels_, pred);
  }
  void sort() {
    std::sort(labels_.begin(), labels_.end(),
              [](const Label& a, const Label& b) { return a.name < b.name; });
  }
  void clear() noexcept { labels_.clear(); }
  size_t size() const noexcept { return labels_.size(); }
  bool empty() const noexcept { return labels_.empty(); }
  auto begin() const noexcept { return labels_.begin(); }
  auto end() const noexcept { return labels_.end(); }

 private:
  std::vector<Label> labels_;
};

// Promtail's extracted values are typed (JSON gives numbers, booleans, nulls and objects). The text
// is always kept as written so that labels and templates render it without reformatting.
enum class FieldType : uint8_t { kString, kNumber, kBool, kNull, kJson };

struct Field {
  std::string_view name;
  std::string_view text;
  FieldType type = FieldType::kString;
};

class FieldSet {
 public:
  void set(std::string_view name, std::string_view text, FieldType type = FieldType::kString) {
    for (auto& field : fields_) {
      if (field.name == name) {
        field.text = text;
        field.type = type;
        return;
      }
    }
    fields_.push_back(Field{name, text, type});
  }
  const Field* get(std::string_view name) const noexcept {
    for (const auto& field : fields_)
      if (field.name == name) return &field;
    return nullptr;
  }
  bool erase(std::string_view name) noexcept {
    auto it = std::find_if(fields_.begin(), fields_.end(),
                           [&](const Field& field) { return field.name == name; });
    if (it == fields_.end()) return false;
    fields_.erase(it);
    return true;
  }
  void clear() noexcept { fields_.clear(); }
  size_t size() const noexcept { return fields_.size(); }
  auto begin() const noexcept { return fields_.begin(); }
  auto end() const noexcept { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

// Which reads an entry came from: acknowledging every entry of a chunk lets its file's position
// move past the chunk's end offset. A record folded from several lines (a traceback) can span
// consecutive chunks, first_chunk..last_chunk, and holds all of them until it is delivered.
struct SourceRef {
  SourceAcks* acks = nullptr;
  uint64_t first_chunk = 0;
  uint64_t last_chunk = 0;
};

// What the line is. A span is one OpenTelemetry JSON span object (compact, as the spans stage
// emits it); sinks that speak traces (OTLP /v1/traces, Kafka OTLP values) send it as a Span.
enum class EntryKind : uint8_t { kLog, kSpan };

struct Entry {
  std::string_view line;
  EntryKind kind = EntryKind::kLog;
  int64_t timestamp_ns = 0;  // read time until a timestamp stage sets it
  LabelSet labels;           // stream labels
  LabelSet structured_metadata;
  FieldSet extracted;        // Promtail's "extracted map", shared by the stages
  std::string_view tenant;   // empty: the client's tenant_id
  SourceRef source;

  void clear() noexcept {
    line = {};
    kind = EntryKind::kLog;
    timestamp_ns = 0;
    labels.clear();
    structured_metadata.clear();
    extracted.clear();
    tenant = {};
    source = {};
  }
};

}  // namespace tailcast
