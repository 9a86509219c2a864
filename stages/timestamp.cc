// `timestamp` stage: sets the entry's time from an extracted value read with a Go layout or named
// format, then the fallbacks. On failure `fudge` puts it 1ns after the last time of the same label
// set so lines keep their order, `skip` leaves it; an entry without the source keeps its time.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/stage_registry.h"
#include "stages/go_time_layout.h"

namespace tailcast::stages {
namespace {

// The last timestamp per label set, bounded like Promtail's LRU of 10000 streams: open
// addressing over a fixed table, evicting the least recently used slot of a probe window.
class LastTimestamps {
 public:
  LastTimestamps() : slots_(kSlots) {}

  int64_t* find(uint64_t key) noexcept {
    for (size_t i = 0; i < kProbe; ++i) {
      Slot& slot = slots_[(key + i) & (kSlots - 1)];
      if (slot.key == key) {
        slot.used = ++tick_;
        return &slot.timestamp_ns;
      }
    }
    return nullptr;
  }

  void store(uint64_t key, int64_t timestamp_ns) noexcept {
    Slot* victim = nullptr;
    for (size_t i = 0; i < kProbe; ++i) {
      Slot& slot = slots_[(key + i) & (kSlots - 1)];
      if (slot.key == key || slot.key == 0) {
        victim = &slot;
        break;
      }
      if (!victim || slot.used < victim->used) victim = &slot;
    }
    *victim = Slot{key, timestamp_ns, ++tick_};
  }

 private:
  static constexpr size_t kSlots = 8192;  // a power of two; about the 10000 Promtail keeps
  static constexpr size_t kProbe = 8;
  struct Slot {
    uint64_t key = 0;  // 0: empty
    int64_t timestamp_ns = 0;
    uint64_t used = 0;
  };
  std::vector<Slot> slots_;
  uint64_t tick_ = 0;
};

uint64_t mix(uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Identifies a label set whatever order its labels were added in.
uint64_t label_set_key(const LabelSet& labels) noexcept {
  std::hash<std::string_view> hash;
  uint64_t key = mix(labels.size());
  for (const Label& label : labels) key += mix(hash(label.name) * 31 + hash(label.value));
  return key | 1;
}

class TimestampStage final : public Stage {
 public:
  static constexpr std::string_view kName = "timestamp";

  static Result<StagePtr> create(const config::ConfigNode& node, BuildContext& ctx) {
    config::ConfigReader reader = ctx.reader(node);
    std::string source = reader.required_string("source");
    std::string format = reader.required_string("format");
    std::vector<std::string> fallbacks = reader.string_list("fallback_formats");
    std::optional<std::string> location = reader.string("location");
    std::string action = reader.string_or("action_on_failure", "fudge");
    if (reader.ok() && action != "fudge" && action != "skip")
      reader.fail(node.child("action_on_failure"), "invalid action on failure \"" + action +
                                                       "\" (supported values are skip, fudge)");
    if (auto done = reader.finish(); !done) return done.error();

    TimeZonePtr zone = TimeZone::utc();
    if (location) {
      auto loaded = TimeZone::load(*location);
      if (!loaded) return node.child("location").error(loaded.error().message);
      zone = *loaded;
    }
    auto stage = std::unique_ptr<TimestampStage>(new TimestampStage());
    stage->source_ = std::move(source);
    stage->layouts_.push_back(GoTimeLayout::compile(format, zone));
    for (const std::string& fallback : fallbacks)
      stage->layouts_.push_back(GoTimeLayout::compile(fallback, zone));
    for (const GoTimeLayout& layout : stage->layouts_)
      stage->reads_clock_ = stage->reads_clock_ || !layout.has_year();
    if (action == "fudge") stage->last_ = std::make_unique<LastTimestamps>();
    if (ctx.metrics)
      stage->failures_ =
          &ctx.metrics->stage_unparsed.Add({{"stage", "timestamp"}, {"reason", "parse_error"}});
    return StagePtr(std::move(stage));
  }

  Verdict process(Entry& entry, Arena& arena) noexcept override {
    (void)arena;
    const Field* field = entry.extracted.get(source_);
    if (!field) return Verdict::kPass;
    const std::optional<int64_t> parsed = parse(*field);
    if (parsed) {
      entry.timestamp_ns = *parsed;
      if (last_) last_->store(label_set_key(entry.labels), *parsed);
      return Verdict::kPass;
    }
    if (failures_) failures_->Increment();
    if (last_) {
      const uint64_t key = label_set_key(entry.labels);
      if (int64_t* last = last_->find(key)) {
        *last += 1;
        entry.timestamp_ns = *last;
      }
    }
    return Verdict::kPass;
  }

 private:
  TimestampStage() = default;

  // Promtail turns the value into a string first; null and objects cannot be, and fail.
  std::optional<int64_t> parse(const Field& field) noexcept {
    if (field.type == FieldType::kNull || field.type == FieldType::kJson) return std::nullopt;
    std::string_view text = field.text;
    if (field.type == FieldType::kNumber) text = go_float_text(text, number_, sizeof number_);
    const int64_t now_ns = reads_clock_ ? std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count()
                                        : 0;
    for (const GoTimeLayout& layout : layouts_)
      if (std::optional<int64_t> parsed = layout.parse(text, now_ns)) return parsed;
    return std::nullopt;
  }

  std::string source_;
  std::vector<GoTimeLayout> layouts_;
  bool reads_clock_ = false;
  std::unique_ptr<LastTimestamps> last_;  // only with action_on_failure: fudge
  prometheus::Counter* failures_ = nullptr;
  char number_[400];  // a double in fixed notation is at most 309 digits and a sign
};

TC_REGISTER_STAGE(TimestampStage);

}  // namespace
}  // namespace tailcast::stages
