// The `ray_serve` stage: Ray Serve and Ray worker logs parsed with no configuration. It extracts
// Serve's fields, turns the stable ones into labels, and folds tracebacks into the record above.
#include <prometheus/counter.h>

#include <array>
#include <charconv>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipeline/acks.h"
#include "pipeline/metrics.h"
#include "pipeline/stage.h"
#include "pipeline/stage_registry.h"
#include "stages/ray_path.h"
#include "stages/ray_serve_parser.h"
#include "stages/ray_serve_time.h"

namespace tailcast::stages {
namespace {

using ray::Slot;
using Clock = std::chrono::steady_clock;

constexpr const char* kDefaultLabels[] = {"application", "deployment", "replica", "component",
                                          "component_id", "level",     "worker_id", "job_id",
                                          "pid",          "actor_name"};

struct FileState;

// One record being folded: owns its bytes, and retains the chunks its lines came from until the
// chain has handed it on.
struct Record {
  Entry entry;
  Arena arena{4096};
  std::string line;
  std::string prefix;  // driver prefix of the first line; continuation lines carry the same
  std::vector<AckHold> holds;
  SourceAcks* acks = nullptr;
  uint64_t last_chunk = 0;
  Clock::time_point last_line_at;
};

// What the stage remembers per file: the path's labels, worker magic values, the open record.
struct FileState {
  std::string path;
  ray::RayPath layout;  // views into `path`
  std::string job_id, actor_name, task_name;
  Record* open = nullptr;
};

// A configured label or metadata key, with its parser slot when it has one.
struct Target {
  std::string name;
  int slot = -1;
};

std::vector<Target> targets(const std::vector<std::string>& names) {
  std::vector<Target> out;
  for (const std::string& name : names) {
    Target target{name, -1};
    for (size_t i = 0; i < ray::kSlotCount; ++i)
      if (ray::slot_name(static_cast<Slot>(i)) == name) target.slot = static_cast<int>(i);
    out.push_back(std::move(target));
  }
  return out;
}

struct PathHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

class RayServeStage final : public Stage {
 public:
  static constexpr std::string_view kName = "ray_serve";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    auto stage = std::make_unique<RayServeStage>();
    config::ConfigReader reader = ctx.reader(node);
    const std::vector<std::string> labels =
        reader.has("labels") ? reader.string_list("labels")
                             : std::vector<std::string>(std::begin(kDefaultLabels),
                                                        std::end(kDefaultLabels));
    const std::vector<std::string> metadata = reader.has("structured_metadata")
                                                  ? reader.string_list("structured_metadata")
                                                  : std::vector<std::string>{"request_id"};
    stage->timestamp_ = reader.boolean_or("timestamp", true);
    stage->fold_ = reader.boolean_or("fold_tracebacks", true);
    stage->max_wait_ = reader.duration_or("max_wait", std::chrono::seconds(1));
    const std::string location = reader.string_or("location", "");
    for (const auto& names : {labels, metadata}) {
      for (const std::string& name : names) {
        if (!valid_label_name(name))
          reader.fail(node, "\"" + name + "\" is not a valid label name");
      }
    }
    if (auto done = reader.finish(); !done) return done.error();
    auto zone = ray::LocalZone::load(location);
    if (!zone) return node.child("location").error(zone.error().message);
    stage->zone_ = std::move(*zone);
    stage->labels_ = targets(labels);
    stage->metadata_ = targets(metadata);
    if (ctx.metrics) {
      stage->unparsed_ =
          &ctx.metrics->stage_unparsed.Add({{"stage", "ray_serve"}, {"reason", "unknown_format"}});
    }
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    finish_returned();
    const std::string_view* filename = entry.labels.get("filename");
    FileState& file = file_state(filename ? *filename : std::string_view{});
    ray::ParsedLine parsed = ray::parse_line(entry.line);
    if (parsed.needs_cleaning) {
      char* buffer = arena.allocate(parsed.body.size());
      const std::string_view prefix = parsed.prefix;
      parsed = ray::parse_line({buffer, ray::strip_ansi(parsed.body, buffer)});
      if (parsed.prefix.empty()) parsed.prefix = prefix;
    }

    if (parsed.kind == ray::LineKind::kMagic) {
      remember_magic(file, parsed);
      return Verdict::kDrop;
    }
    if (parsed.starts_record()) {
      if (!fold_) {
        entry.line = parsed.body;
        annotate(entry, parsed, file, arena, false);
        return Verdict::kPass;
      }
      close_open(file);
      open_record(file, entry, parsed);
      return Verdict::kHold;
    }
    if (file.open && continues(*file.open, parsed, entry)) {
      append(*file.open, parsed.body, entry);
      return Verdict::kHold;
    }
    if (file.layout.kind == ray::FileKind::kWorker) {
      // A worker's stdout is free text: each line is a record of its own.
      entry.extracted.set("message", entry.line);
      add_path_fields(entry, file, arena, false);
      assign_labels(entry);
      return Verdict::kPass;
    }
    if (unparsed_) unparsed_->Increment();
    return Verdict::kPass;
  }

  Entry* release() noexcept override {
    finish_returned();
    if (due_head_ == due_.size()) {
      due_.clear();
      due_head_ = 0;
      return nullptr;
    }
    Record* record = due_[due_head_++];
    record->entry.line = record->line;
    record->entry.source.last_chunk = record->last_chunk;
    returned_ = record;
    return &record->entry;
  }

  void flush(Clock::time_point now, bool everything) noexcept override {
    for (auto& [path, file] : files_) {
      if (file->open && (everything || now - file->open->last_line_at >= max_wait_))
        close_open(*file);
    }
  }

 private:
  static bool valid_label_name(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
    for (char c : name) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
        return false;
    }
    return true;
  }

  FileState& file_state(std::string_view path) {
    if (last_file_ && last_file_->path == path) return *last_file_;
    auto found = files_.find(path);
    if (found == files_.end()) {
      auto state = std::make_unique<FileState>();
      state->path = path;
      state->layout = ray::parse_ray_path(state->path);
      found = files_.emplace(state->path, std::move(state)).first;
    }
    last_file_ = found->second.get();
    return *last_file_;
  }

  static void remember_magic(FileState& file, const ray::ParsedLine& parsed) {
    switch (parsed.magic) {
      case ray::Magic::kJobId: file.job_id = parsed.magic_value; break;
      case ray::Magic::kActorName: file.actor_name = parsed.magic_value; break;
      case ray::Magic::kTaskName: file.task_name = parsed.magic_value; break;
      case ray::Magic::kNone: break;
    }
  }

  static std::string_view keep(std::string_view text, Arena& arena, bool copy) {
    return copy ? arena.copy(text) : text;
  }

  // Sets the record's extracted fields, then its labels and structured metadata. With `copy`,
  // every value lands in `arena` (a held record must not point into the read buffer).
  void annotate(Entry& entry, const ray::ParsedLine& parsed, const FileState& file, Arena& arena,
                bool copy) {
    std::array<std::string_view, ray::kSlotCount> values;
    for (size_t i = 0; i < ray::kSlotCount; ++i) {
      const Slot slot = static_cast<Slot>(i);
      std::string_view value = parsed.values[i];
      if (value.empty()) continue;
      if (parsed.is_escaped(slot)) {
        char* buffer = arena.allocate(value.size());
        value = {buffer, ray::unescape_json(value, buffer)};
      } else {
        value = keep(value, arena, copy);
      }
      values[i] = value;
      entry.extracted.set(ray::slot_name(slot), value,
                          ray::slot_is_numeric(slot, value) ? FieldType::kNumber
                                                            : FieldType::kString);
    }
    std::string_view& application = values[static_cast<size_t>(Slot::kApplication)];
    if (application.empty() && parsed.get(Slot::kComponent) == "replica" &&
        !file.layout.application.empty()) {
      application = keep(file.layout.application, arena, copy);
      entry.extracted.set("application", application);
    }
    add_path_fields(entry, file, arena, copy);
    assign_labels(entry, values.data());
    if (timestamp_) set_timestamp(entry, parsed);
  }

  static void add_path_fields(Entry& entry, const FileState& file, Arena& arena, bool copy) {
    const ray::RayPath& layout = file.layout;
    if (layout.kind != ray::FileKind::kWorker && layout.kind != ray::FileKind::kCoreWorker) return;
    auto put = [&](std::string_view name, std::string_view value) {
      if (!value.empty()) entry.extracted.set(name, keep(value, arena, copy));
    };
    put("worker_id", layout.worker_id);
    put("job_id", file.job_id.empty() ? layout.job_id : std::string_view(file.job_id));
    put("pid", layout.pid);
    put("actor_name", file.actor_name);
    put("task_name", file.task_name);
  }

  // `values` are this record's slot values when known, so that most labels skip the field search.
  void assign_labels(Entry& entry, const std::string_view* values = nullptr) {
    auto lookup = [&](const Target& target) -> std::string_view {
      if (values && target.slot >= 0 && !values[target.slot].empty()) return values[target.slot];
      const Field* field = entry.extracted.get(target.name);
      return field ? field->text : std::string_view{};
    };
    for (const Target& target : labels_) {
      if (const std::string_view value = lookup(target); !value.empty())
        entry.labels.set(target.name, value);
    }
    for (const Target& target : metadata_) {
      if (const std::string_view value = lookup(target); !value.empty())
        entry.structured_metadata.set(target.name, value);
    }
  }

  void set_timestamp(Entry& entry, const ray::ParsedLine& parsed) noexcept {
    const std::string_view ns = parsed.get(Slot::kTimestampNs);
    int64_t value = 0;
    if (!ns.empty() &&
        std::from_chars(ns.data(), ns.data() + ns.size(), value).ec == std::errc()) {
      entry.timestamp_ns = value;
      return;
    }
    ray::CivilTime civil = parsed.time;
    if (parsed.has_time || ray::parse_asctime(parsed.get(Slot::kTimestamp), civil))
      entry.timestamp_ns = zone_.to_unix_ns(civil);
  }

  // A continuation belongs to the same read generation and, in driver output, to the same
  // worker: lines of other actors interleave there.
  static bool continues(const Record& record, const ray::ParsedLine& parsed, const Entry& entry) {
    return record.acks == entry.source.acks && parsed.prefix == record.prefix;
  }

  static void retain_until(Record& record, uint64_t chunk) {
    for (uint64_t next = record.last_chunk + 1; next <= chunk; ++next)
      record.holds.emplace_back(record.acks->shared_from_this(), next);
    if (chunk > record.last_chunk) record.last_chunk = chunk;
  }

  void open_record(FileState& file, const Entry& entry, const ray::ParsedLine& parsed) {
    Record* record = acquire();
    Entry& held = record->entry;
    held.timestamp_ns = entry.timestamp_ns;
    held.tenant = record->arena.copy(entry.tenant);
    held.source = entry.source;
    for (const Label& label : entry.labels)
      held.labels.set(record->arena.copy(label.name), record->arena.copy(label.value));
    for (const Label& pair : entry.structured_metadata)
      held.structured_metadata.set(record->arena.copy(pair.name), record->arena.copy(pair.value));
    for (const Field& field : entry.extracted)
      held.extracted.set(record->arena.copy(field.name), record->arena.copy(field.text), field.type);
    annotate(held, parsed, file, record->arena, true);
    record->line.assign(parsed.body);
    record->prefix.assign(parsed.prefix);
    record->acks = entry.source.acks;
    record->last_chunk = entry.source.first_chunk;
    if (record->acks) {
      record->holds.emplace_back(record->acks->shared_from_this(), entry.source.first_chunk);
      retain_until(*record, entry.source.last_chunk);
    }
    record->last_line_at = Clock::now();
    file.open = record;
  }

  void append(Record& record, std::string_view text, const Entry& entry) {
    record.line.push_back('\n');
    record.line.append(text);
    if (record.acks) retain_until(record, entry.source.last_chunk);
    record.last_line_at = Clock::now();
  }

  void close_open(FileState& file) {
    if (!file.open) return;
    due_.push_back(file.open);
    file.open = nullptr;
  }

  Record* acquire() {
    if (free_.empty()) {
      records_.push_back(std::make_unique<Record>());
      return records_.back().get();
    }
    Record* record = free_.back();
    free_.pop_back();
    return record;
  }

  // The chain has run the record returned last through the later stages: give back its chunks.
  void finish_returned() noexcept {
    if (!returned_) return;
    for (AckHold& hold : returned_->holds) hold.release();
    returned_->holds.clear();
    returned_->entry.clear();
    returned_->arena.reset();
    returned_->acks = nullptr;
    free_.push_back(returned_);
    returned_ = nullptr;
  }

  std::vector<Target> labels_;
  std::vector<Target> metadata_;
  bool timestamp_ = true;
  bool fold_ = true;
  std::chrono::nanoseconds max_wait_{std::chrono::seconds(1)};
  ray::LocalZone zone_;
  prometheus::Counter* unparsed_ = nullptr;

  std::unordered_map<std::string, std::unique_ptr<FileState>, PathHash, std::equal_to<>> files_;
  FileState* last_file_ = nullptr;
  std::vector<std::unique_ptr<Record>> records_;
  std::vector<Record*> free_;
  std::vector<Record*> due_;
  size_t due_head_ = 0;
  Record* returned_ = nullptr;
};

}  // namespace

TC_REGISTER_STAGE(RayServeStage);

}  // namespace tailcast::stages
