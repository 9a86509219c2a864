#include "sinks/loki/limit_checker.h"

#include <algorithm>

#include "pipeline/entry.h"

namespace tailcast::sinks::loki {
namespace {

constexpr size_t kMaxTrackedStreams = 16384;

// The longest prefix of `text` no longer than `limit` that does not cut a UTF-8 character.
std::string_view utf8_prefix(std::string_view text, size_t limit) noexcept {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

bool valid_name_char(char c, bool first) noexcept {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (!first && c >= '0' && c <= '9');
}

// Prometheus' label name rule, which Loki enforces: [a-zA-Z_][a-zA-Z0-9_]*.
bool valid_label_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (!valid_name_char(name[i], i == 0)) return false;
  return true;
}

std::string sanitized_label_name(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) out.push_back('_');
  for (char c : name) out.push_back(valid_name_char(c, false) ? c : '_');
  return out;
}

void add(std::vector<ReasonCount>& counts, std::string_view reason, uint64_t bytes,
         uint64_t entries = 1) {
  for (auto& count : counts) {
    if (count.reason == reason) {
      count.entries += entries;
      count.bytes += bytes;
      return;
    }
  }
  counts.push_back(ReasonCount{reason, entries, bytes});
}

}  // namespace

std::string_view LimitChecker::check_labels(const BatchStream& stream, uint32_t index,
                                            PushPlan& plan) {
  if (stream.labels.size() > limits_.max_label_names_per_series)
    return "max_label_names_per_series";
  bool changed = false;
  std::vector<std::string> names;  // owns sanitised names while the key is formatted
  names.reserve(stream.labels.size());
  for (const Label& label : stream.labels) {
    std::string name = valid_label_name(label.name) ? std::string(label.name)
                                                    : sanitized_label_name(label.name);
    if (name.size() > limits_.max_label_name_length) name.resize(limits_.max_label_name_length);
    if (name != label.name || label.value.size() > limits_.max_label_value_length) changed = true;
    names.push_back(std::move(name));
  }
  if (!changed) return {};
  LabelSet fixed;
  for (size_t i = 0; i < names.size(); ++i)
    fixed.set(names[i], utf8_prefix(stream.labels[i].value, limits_.max_label_value_length));
  format_stream_key(fixed, plan.stream_keys[index]);
  add(plan.fixed, "labels_sanitized", 0, stream.entries.size());
  return {};
}

void LimitChecker::check(const Batch& batch, int64_t now_ns, PushPlan& plan) {
  const auto& entries = batch.entries();
  plan.keep.assign(entries.size(), 1);
  plan.lines.resize(entries.size());
  plan.stream_keys.assign(batch.streams().size(), std::string());
  plan.dropped.clear();
  plan.fixed.clear();
  plan.kept = 0;
  for (size_t i = 0; i < entries.size(); ++i) plan.lines[i] = entries[i].line;

  if (!limits_.enabled) {
    plan.kept = entries.size();
    return;
  }
  const int64_t oldest_allowed =
      limits_.reject_old_samples ? now_ns - limits_.reject_old_samples_max_age.count() : INT64_MIN;
  const int64_t newest_allowed = now_ns + limits_.creation_grace_period.count();
  forget_old_streams(now_ns);

  for (uint32_t s = 0; s < batch.streams().size(); ++s) {
    const BatchStream& stream = batch.streams()[s];
    std::string_view refused = check_labels(stream, s, plan);
    std::string key(plan.stream_keys[s].empty() ? stream.key : plan.stream_keys[s]);
    auto newest = newest_.try_emplace(std::move(key), INT64_MIN).first;
    for (uint32_t index : stream.entries) {
      const BatchEntry& entry = entries[index];
      uint64_t metadata_bytes = 0;
      for (const Label& pair : batch.metadata_of(entry))
        metadata_bytes += pair.name.size() + pair.value.size();
      const uint64_t bytes = entry.line.size() + metadata_bytes;

      std::string_view reason = refused;
      if (reason.empty() && entry.timestamp_ns < oldest_allowed)
        reason = "greater_than_max_sample_age";
      if (reason.empty() && entry.timestamp_ns > newest_allowed) reason = "too_far_in_future";
      if (reason.empty() && newest->second != INT64_MIN &&
          entry.timestamp_ns < newest->second - limits_.out_of_order_window.count())
        reason = "too_far_behind";
      if (reason.empty() && entry.metadata_count > limits_.max_structured_metadata_entries_count)
        reason = "structured_metadata_too_many";
      if (reason.empty() && limits_.max_structured_metadata_size > 0 &&
          metadata_bytes > limits_.max_structured_metadata_size)
        reason = "structured_metadata_too_large";
      if (reason.empty() && limits_.max_line_size > 0 && entry.line.size() > limits_.max_line_size) {
        if (limits_.max_line_size_truncate) {
          plan.lines[index] = utf8_prefix(entry.line, limits_.max_line_size);
          add(plan.fixed, "line_truncated", entry.line.size() - plan.lines[index].size());
        } else {
          reason = "line_too_long";
        }
      }
      if (!reason.empty()) {
        plan.keep[index] = 0;
        add(plan.dropped, reason, bytes);
        continue;
      }
      ++plan.kept;
      newest->second = std::max(newest->second, entry.timestamp_ns);
    }
  }
}

void LimitChecker::forget_old_streams(int64_t now_ns) {
  if (newest_.size() < kMaxTrackedStreams) return;
  // A stream idle for longer than the window cannot refuse a current entry on its account.
  const int64_t horizon = now_ns - limits_.out_of_order_window.count();
  std::erase_if(newest_, [&](const auto& item) { return item.second < horizon; });
  if (newest_.size() >= kMaxTrackedStreams) newest_.clear();
}

}  // namespace tailcast::sinks::loki
