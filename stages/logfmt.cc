// `logfmt` stage: decodes `key=value key2="quoted value"` pairs from the line (or an extracted
// value) and puts the mapped keys into the extracted map. Decoding follows go-logfmt, which
// Promtail uses; pairs decoded before a syntax error are kept, as in Promtail.
#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"
#include "stages/json_path.h"

namespace tailcast::stages {
namespace {

bool is_blank(char c) noexcept { return static_cast<unsigned char>(c) <= ' '; }

// Built once per pipeline; process() keeps no state between lines.
class LogfmtStage final : public Stage {
 public:
  static constexpr std::string_view kName = "logfmt";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    auto mapping = reader.string_map("mapping");
    std::optional<std::string> source = reader.string("source");
    if (reader.ok() && mapping.empty())
      reader.fail(reader.has("mapping") ? node.child("mapping") : node,
                  "\"mapping\" is required: a map of extracted names to logfmt keys");
    if (reader.ok() && source && source->empty())
      reader.fail(node.child("source"), "\"source\" must not be empty when given");
    if (auto done = reader.finish(); !done) return done.error();

    auto stage = std::unique_ptr<LogfmtStage>(new LogfmtStage());
    for (auto& [name, key] : mapping)
      stage->mappings_.push_back(Mapping{name, key.empty() ? name : std::move(key)});
    stage->source_ = source.value_or("");
    stage->has_source_ = source.has_value();
    if (ctx.metrics)
      stage->malformed_ =
          &ctx.metrics->stage_unparsed.Add({{"stage", "logfmt"}, {"reason", "malformed_logfmt"}});
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    std::string_view text = entry.line;
    if (has_source_) {
      const Field* field = entry.extracted.get(source_);
      if (!field || field->type == FieldType::kNull) return Verdict::kPass;
      text = field->text;
    }
    if (!decode(text, entry, arena) && malformed_) malformed_->Increment();
    return Verdict::kPass;
  }

 private:
  struct Mapping {
    std::string name;  // in the extracted map
    std::string key;   // in the line
  };

  LogfmtStage() = default;

  void emit(std::string_view key, std::string_view value, Entry& entry) const noexcept {
    for (const Mapping& mapping : mappings_)
      if (mapping.key == key) entry.extracted.set(mapping.name, value);
  }

  // Returns false at the first syntax error, after emitting the pairs before it.
  bool decode(std::string_view text, Entry& entry, Arena& arena) const noexcept {
    const size_t size = text.size();
    size_t pos = 0;
    while (true) {
      while (pos < size && is_blank(text[pos])) ++pos;
      if (pos == size) return true;

      const size_t key_start = pos;
      while (pos < size && text[pos] != '=' && !is_blank(text[pos])) {
        if (text[pos] == '"') return false;
        ++pos;
      }
      if (pos == key_start) return false;  // a pair that starts with '='
      const std::string_view key = text.substr(key_start, pos - key_start);
      if (!simdjson::validate_utf8(key.data(), key.size())) return false;
      if (pos == size || text[pos] != '=') {  // a bare key has an empty value
        emit(key, {}, entry);
        continue;
      }
      ++pos;  // '='
      if (pos == size || is_blank(text[pos])) {
        emit(key, {}, entry);
        continue;
      }
      if (text[pos] != '"') {
        const size_t value_start = pos;
        while (pos < size && !is_blank(text[pos])) {
          if (text[pos] == '=' || text[pos] == '"') return false;
          ++pos;
        }
        emit(key, text.substr(value_start, pos - value_start), entry);
        continue;
      }
      const size_t body_start = ++pos;
      bool escaped = false;
      while (pos < size && text[pos] != '"') {
        if (text[pos] == '\n') return false;
        if (text[pos] == '\\') {
          escaped = true;
          ++pos;
        }
        ++pos;
      }
      if (pos >= size) return false;  // unterminated quoted value
      const std::string_view body = text.substr(body_start, pos - body_start);
      ++pos;  // closing quote
      if (!escaped) {
        emit(key, body, entry);
        continue;
      }
      char* out = arena.allocate(body.size());
      const ptrdiff_t length = unescape_json_string(body, out);
      if (length < 0) return false;
      emit(key, std::string_view(out, static_cast<size_t>(length)), entry);
    }
  }

  std::vector<Mapping> mappings_;
  std::string source_;
  bool has_source_ = false;
  prometheus::Counter* malformed_ = nullptr;
};

TC_REGISTER_STAGE(LogfmtStage);

}  // namespace
}  // namespace tailcast::stages
