// `pack` stage: wraps the line and chosen extracted values into one JSON object
// {"label":"value",…,"_entry":"<line>"} (keys sorted, Go's JSON escaping) and removes those
// labels from the stream, as Promtail does; `ingest_timestamp` (default true) sets the read time.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "pipeline/stage_registry.h"
#include "stages/go_time_layout.h"

namespace tailcast::stages {
namespace {

// encoding/json's string encoding: HTML characters and U+2028/U+2029 escaped, invalid UTF-8 as
// U+FFFD.
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out.append("\\u00");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    const size_t width = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool valid = width > 0 && i + width <= text.size();
    for (size_t k = 1; valid && k < width; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (valid) {
      // Overlong forms and surrogates are invalid in Go too.
      uint32_t code = c & (0x7F >> width);
      for (size_t k = 1; k < width; ++k) code = (code << 6) | (text[i + k] & 0x3F);
      const uint32_t minimum = width == 2 ? 0x80 : width == 3 ? 0x800 : 0x10000;
      valid = code >= minimum && code <= 0x10FFFF && !(code >= 0xD800 && code <= 0xDFFF);
      if (valid && (code == 0x2028 || code == 0x2029)) {
        out.append(code == 0x2028 ? "\\u2028" : "\\u2029");
        i += width;
        continue;
      }
    }
    if (!valid) {
      out.append("\\ufffd");
      ++i;
      continue;
    }
    out.append(text.substr(i, width));
    i += width;
  }
  out.push_back('"');
}

// Built once per pipeline with the label names sorted, so the object comes out sorted.
class PackStage final : public Stage {
 public:
  static constexpr std::string_view kName = "pack";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    std::vector<std::string> labels = reader.string_list("labels");
    const bool ingest_timestamp = reader.boolean_or("ingest_timestamp", true);
    if (reader.ok() && labels.empty())
      reader.fail(node, "\"labels\" must list at least one name");
    if (auto done = reader.finish(); !done) return done.error();
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    auto stage = std::unique_ptr<PackStage>(new PackStage());
    stage->labels_ = std::move(labels);
    stage->ingest_timestamp_ = ingest_timestamp;
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    json_.clear();
    json_.push_back('{');
    found_.clear();
    for (const std::string& name : labels_) {
      std::string_view value;
      if (const Field* field = entry.extracted.get(name)) {
        if (field->type == FieldType::kNull) continue;  // Promtail cannot stringify nil
        value = field->type == FieldType::kNumber
                    ? arena.copy(go_float_text(field->text, number_, sizeof number_))
                    : field->text;
      } else if (const std::string_view* label = entry.labels.get(name)) {
        // Target labels are in Promtail's extracted map from the start; here they are labels.
        value = *label;
      } else {
        continue;
      }
      if (json_.size() > 1) json_.push_back(',');
      append_json_string(json_, name);
      json_.push_back(':');
      append_json_string(json_, value);
      found_.push_back(&name);
    }
    if (json_.size() > 1) json_.push_back(',');
    json_.append("\"_entry\":");
    append_json_string(json_, entry.line);
    json_.push_back('}');
    for (const std::string* name : found_) entry.labels.erase(*name);
    entry.line = arena.copy(json_);
    if (ingest_timestamp_)
      entry.timestamp_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    return Verdict::kPass;
  }

 private:
  PackStage() = default;

  std::vector<std::string> labels_;
  bool ingest_timestamp_ = true;
  std::string json_;
  std::vector<const std::string*> found_;
  char number_[400];
};

TC_REGISTER_STAGE(PackStage);

}  // namespace
}  // namespace tailcast::stages
