// The `spans` stage: OpenTelemetry span files (and spans a Ray driver prints on its console) to
// span entries. It folds the lines of each pretty-printed JSON object into one entry of kind
// kSpan whose line is the compact object, timed at the span's start, with its ids as metadata.
#include <prometheus/counter.h>

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipeline/acks.h"
#include "pipeline/metrics.h"
#include "pipeline/stage.h"
#include "pipeline/stage_registry.h"
#include "stages/span_fields.h"
#include "stages/span_scanner.h"

namespace tailcast::stages {
namespace {

using Clock = std::chrono::steady_clock;
using spans::FrameEvent;
using spans::FrameKind;

// The values a span gives; each can become a label, structured metadata, or both.
constexpr std::array<std::string_view, 11> kValueNames = {
    "span_name", "span_kind", "span_status", "service_name",   "application", "deployment",
    "replica",   "trace_id",  "span_id",     "parent_span_id", "request_id"};
constexpr const char* kDefaultLabels[] = {"span_name",    "span_kind",   "span_status",
                                          "service_name", "application", "deployment",
                                          "replica"};
constexpr const char* kDefaultMetadata[] = {"trace_id", "span_id", "parent_span_id", "request_id"};

// Why text did not become a span; the `reason` label of the stage's counters.
enum Reason : uint8_t { kInvalidJson, kNotASpan, kTruncated, kTooLarge, kNotJson, kReasonCount };
constexpr std::array<const char*, kReasonCount> kReasonNames = {
    "invalid_json", "not_a_span", "truncated", "too_large", "not_json"};

// One entry being folded or waiting to be released: owns its bytes, and retains the chunks its
// lines came from until the chain has handed it on.
struct Record {
  Entry entry;
  Arena arena{4096};
  std::string line;
  std::vector<AckHold> holds;
  SourceAcks* acks = nullptr;
  uint64_t last_chunk = 0;
};

// Lines of one file, or of one driver prefix within it: workers' console output interleaves.
struct Stream {
  explicit Stream(size_t max_bytes) : framer(max_bytes) {}
  spans::JsonObjectFramer framer;
  Record* open = nullptr;
  SourceAcks* acks = nullptr;  // the read generation of the file the stream's lines come from
  Clock::time_point last_line_at;
};

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

class SpansStage final : public Stage {
 public:
  static constexpr std::string_view kName = "spans";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    auto stage = std::make_unique<SpansStage>();
    config::ConfigReader reader = ctx.reader(node);
    const std::vector<std::string> labels =
        reader.has("labels")
            ? reader.string_list("labels")
            : std::vector<std::string>(std::begin(kDefaultLabels), std::end(kDefaultLabels));
    const std::vector<std::string> metadata =
        reader.has("structured_metadata")
            ? reader.string_list("structured_metadata")
            : std::vector<std::string>(std::begin(kDefaultMetadata), std::end(kDefaultMetadata));
    stage->strip_prefix_ = reader.boolean_or("driver_prefix", true);
    const std::string malformed = reader.string_or("malformed", "drop");
    stage->keep_malformed_ = malformed == "keep";
    stage->max_bytes_ = reader.bytes_or("max_object_bytes", 1 << 20);
    stage->max_wait_ = reader.duration_or("max_wait", std::chrono::seconds(5));
    if (reader.ok() && malformed != "drop" && malformed != "keep")
      reader.fail(node.child("malformed"), "\"malformed\" must be drop or keep");
    if (reader.ok() && stage->max_bytes_ == 0)
      reader.fail(node.child("max_object_bytes"), "\"max_object_bytes\" must be positive");
    stage->labels_ = stage->targets(reader, node, "labels", labels);
    stage->metadata_ = stage->targets(reader, node, "structured_metadata", metadata);
    if (auto done = reader.finish(); !done) return done.error();
    if (ctx.metrics) {
      for (size_t reason = 0; reason < kReasonCount; ++reason) {
        const prometheus::Labels names{{"stage", "spans"}, {"reason", kReasonNames[reason]}};
        stage->dropped_[reason] = &ctx.metrics->stage_dropped.Add(names);
        stage->kept_[reason] = &ctx.metrics->stage_unparsed.Add(names);
      }
    }
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena&) noexcept override {
    finish_returned();
    const std::string_view* filename = entry.labels.get("filename");
    const spans::PrefixedLine split = strip_prefix_ ? spans::split_driver_prefix(entry.line)
                                                    : spans::PrefixedLine{{}, entry.line};
    Stream& stream = stream_for(filename ? *filename : std::string_view{}, split.prefix);
    stream.last_line_at = Clock::now();
    // The file was truncated or replaced under the same name: its open object is gone.
    if (stream.acks != entry.source.acks) {
      if (stream.framer.in_object()) give_up(stream, stream.framer.abandon().text, kTruncated);
      stream.acks = entry.source.acks;
    }

    bool held = false;
    stream.framer.start_line(split.body);
    for (FrameEvent event = stream.framer.next(); event.kind != FrameKind::kLineEnd;
         event = stream.framer.next()) {
      switch (event.kind) {
        case FrameKind::kStart:
          give_up(stream, {}, kTruncated);  // the framer reports a cut object first; defensive
          stream.open = open_record(entry);
          break;
        case FrameKind::kObject:
          if (stream.open) retain_until(*stream.open, entry.source.last_chunk);
          held |= finish_span(stream);
          break;
        case FrameKind::kTruncated:
          if (stream.open) retain_until(*stream.open, entry.source.last_chunk);
          held |= give_up(stream, event.text, kTruncated);
          break;
        case FrameKind::kTooLarge:
          give_up(stream, {}, kTooLarge);
          break;
        case FrameKind::kGarbage:
          held |= garbage(entry, event.text);
          break;
        case FrameKind::kLineEnd:
          break;
      }
    }
    if (stream.open) {
      retain_until(*stream.open, entry.source.last_chunk);
      held = true;
    }
    return held ? Verdict::kHold : Verdict::kDrop;
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

  // An object still open after max_wait (a writer that died mid-span) or at the end of its file
  // is given up, so that it does not pin the file's position for ever.
  void flush(Clock::time_point now, bool everything) noexcept override {
    std::erase_if(streams_, [&](auto& item) {
      Stream& stream = *item.second;
      const bool idle = now - stream.last_line_at >= max_wait_;
      if (stream.framer.in_object() && (everything || idle))
        give_up(stream, stream.framer.abandon().text, kTruncated);
      return !stream.framer.in_object() && (everything || idle);
    });
    last_stream_ = nullptr;
  }

 private:
  struct Target {
    std::string name;
    size_t value;
  };

  std::vector<Target> targets(config::ConfigReader& reader, const config::ConfigNode& node,
                              const std::string& key, const std::vector<std::string>& names) {
    std::vector<Target> out;
    for (const std::string& name : names) {
      size_t value = 0;
      while (value < kValueNames.size() && kValueNames[value] != name) ++value;
      if (value == kValueNames.size() && reader.ok()) {
        reader.fail(node.child(key), "\"" + name + "\" is not a span value; known: span_name, " +
                                         "span_kind, span_status, service_name, application, " +
                                         "deployment, replica, trace_id, span_id, " +
                                         "parent_span_id, request_id");
      }
      out.push_back(Target{name, value});
    }
    return out;
  }

  Stream& stream_for(std::string_view path, std::string_view prefix) {
    key_.assign(path);
    key_.push_back('\n');  // a path holds no newline
    key_.append(prefix);
    if (last_stream_ && last_key_ == key_) return *last_stream_;
    auto found = streams_.find(std::string_view(key_));
    if (found == streams_.end())
      found = streams_.emplace(key_, std::make_unique<Stream>(max_bytes_)).first;
    last_key_ = key_;
    last_stream_ = found->second.get();
    return *last_stream_;
  }

  Record* open_record(const Entry& entry) {
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
      held.extracted.set(record->arena.copy(field.name), record->arena.copy(field.text),
                         field.type);
    record->acks = entry.source.acks;
    record->last_chunk = entry.source.first_chunk;
    if (record->acks) {
      record->holds.emplace_back(record->acks->shared_from_this(), entry.source.first_chunk);
      retain_until(*record, entry.source.last_chunk);
    }
    return record;
  }

  static void retain_until(Record& record, uint64_t chunk) {
    if (!record.acks) return;
    for (uint64_t next = record.last_chunk + 1; next <= chunk; ++next)
      record.holds.emplace_back(record.acks->shared_from_this(), next);
    if (chunk > record.last_chunk) record.last_chunk = chunk;
  }

  // The open object is complete: validate it and queue it as a span (or as a kept malformed
  // entry). True when the record, which holds the current line, was queued.
  bool finish_span(Stream& stream) {
    Record* record = stream.open;
    stream.open = nullptr;
    if (!record) return false;
    const std::string& text = stream.framer.object_text();
    spans::SpanFields fields;
    if (const spans::SpanError error = parser_.parse(text, fields);
        error != spans::SpanError::kNone)
      return reject(record, text,
                    error == spans::SpanError::kInvalidJson ? kInvalidJson : kNotASpan);

    record->line.resize(text.size());
    size_t length = 0;
    if (simdjson::minify(text.data(), text.size(), record->line.data(), length) ==
        simdjson::SUCCESS)
      record->line.resize(length);
    else
      record->line.assign(text);
    Entry& out = record->entry;
    out.kind = EntryKind::kSpan;
    if (fields.start_ns != 0) out.timestamp_ns = fields.start_ns;
    const std::array<std::string_view, kValueNames.size()> values = {
        fields.name,          fields.kind,
        fields.status,        fields.service_name,
        fields.application,   fields.deployment,
        fields.replica,       fields.ids.trace_id(),
        fields.ids.span_id(), fields.ids.parent_span_id(),
        fields.request_id};
    std::array<std::string_view, kValueNames.size()> kept;
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i].empty()) continue;
      kept[i] = record->arena.copy(values[i]);
      out.extracted.set(kValueNames[i], kept[i]);
    }
    for (const Target& target : labels_)
      if (!kept[target.value].empty()) out.labels.set(target.name, kept[target.value]);
    for (const Target& target : metadata_)
      if (!kept[target.value].empty()) out.structured_metadata.set(target.name, kept[target.value]);
    due_.push_back(record);
    return true;
  }

  // Text that is not a span: counted, then queued as a log entry (malformed: keep) or let go.
  bool reject(Record* record, std::string_view text, Reason reason) {
    if (keep_malformed_ && reason != kTooLarge) {
      if (kept_[reason]) kept_[reason]->Increment();
      record->line.assign(text);
      due_.push_back(record);
      return true;
    }
    if (dropped_[reason]) dropped_[reason]->Increment();
    recycle(record);
    return false;
  }

  bool give_up(Stream& stream, std::string_view text, Reason reason) {
    Record* record = stream.open;
    stream.open = nullptr;
    return record ? reject(record, text, reason) : false;
  }

  bool garbage(const Entry& entry, std::string_view text) {
    if (!keep_malformed_) {
      if (dropped_[kNotJson]) dropped_[kNotJson]->Increment();
      return false;
    }
    return reject(open_record(entry), text, kNotJson);
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

  void recycle(Record* record) noexcept {
    for (AckHold& hold : record->holds) hold.release();
    record->holds.clear();
    record->entry.clear();
    record->arena.reset();
    record->line.clear();
    record->acks = nullptr;
    free_.push_back(record);
  }

  // The chain has run the record returned last through the later stages: give back its chunks.
  void finish_returned() noexcept {
    if (!returned_) return;
    recycle(returned_);
    returned_ = nullptr;
  }

  std::vector<Target> labels_;
  std::vector<Target> metadata_;
  bool strip_prefix_ = true;
  bool keep_malformed_ = false;
  size_t max_bytes_ = 1 << 20;
  std::chrono::nanoseconds max_wait_{std::chrono::seconds(5)};
  std::array<prometheus::Counter*, kReasonCount> dropped_{};
  std::array<prometheus::Counter*, kReasonCount> kept_{};

  spans::SpanParser parser_;
  std::unordered_map<std::string, std::unique_ptr<Stream>, KeyHash, std::equal_to<>> streams_;
  std::string key_;
  std::string last_key_;
  Stream* last_stream_ = nullptr;
  std::vector<std::unique_ptr<Record>> records_;
  std::vector<Record*> free_;
  std::vector<Record*> due_;
  size_t due_head_ = 0;
  Record* returned_ = nullptr;
};

}  // namespace

TC_REGISTER_STAGE(SpansStage);

}  // namespace tailcast::stages
