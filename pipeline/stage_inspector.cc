// StageInspector: snapshots an entry before a stage and prints the differences after it, in the
// shape of Promtail's inspector (go-cmp paths, "-:" old and "+:" new values, "none").
#include "pipeline/stage_inspector.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>

namespace tailcast {
namespace {

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kYellow = "\x1b[33m";

// Go's time.Time String() in UTC: 2026-11-20 09:00:02.315 +0000 UTC.
std::string go_time(int64_t ns) {
  int64_t seconds = ns / 1000000000;
  int64_t fraction = ns % 1000000000;
  if (fraction < 0) {
    fraction += 1000000000;
    --seconds;
  }
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[64];
  size_t length = std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
  std::string out(text, length);
  if (fraction != 0) {
    char digits[16];
    std::snprintf(digits, sizeof digits, ".%09lld", static_cast<long long>(fraction));
    std::string_view trimmed(digits);
    while (trimmed.back() == '0') trimmed.remove_suffix(1);
    out += trimmed;
  }
  return out + " +0000 UTC";
}

void sort_by_name(std::vector<std::pair<std::string, std::string>>& pairs) {
  std::sort(pairs.begin(), pairs.end());
}

}  // namespace

StageInspector StageInspector::for_terminal(std::FILE* out) {
  return StageInspector(out, ::isatty(::fileno(out)) == 1);
}

void StageInspector::take(const Entry& entry, Snapshot& into) {
  into.line.assign(entry.line);
  into.timestamp_ns = entry.timestamp_ns;
  into.tenant.assign(entry.tenant);
  into.labels.clear();
  for (const Label& label : entry.labels) into.labels.emplace_back(label.name, label.value);
  into.metadata.clear();
  for (const Label& pair : entry.structured_metadata) into.metadata.emplace_back(pair.name, pair.value);
  into.extracted.clear();
  for (const Field& field : entry.extracted)
    into.extracted.emplace_back(field.name, field.type == FieldType::kNull ? "<nil>"
                                                                            : std::string(field.text));
  sort_by_name(into.labels);
  sort_by_name(into.metadata);
  sort_by_name(into.extracted);
}

void StageInspector::before(const Entry& entry) { take(entry, before_); }

std::string StageInspector::paint(std::string_view colour, std::string_view text) const {
  if (!colour_) return std::string(text);
  return std::string(colour) + std::string(text) + "\x1b[0m";
}

void StageInspector::change(const std::string& path, const std::string* old_value,
                            const std::string* new_value) {
  const std::string_view title = old_value && new_value ? kYellow : old_value ? kRed : kGreen;
  report_ += '\n' + paint(title, path + ":");
  if (old_value) report_ += '\n' + paint(kRed, "\t-: " + *old_value);
  if (new_value) report_ += '\n' + paint(kGreen, "\t+: " + *new_value);
}

void StageInspector::diff_maps(std::string_view path,
                               const std::vector<std::pair<std::string, std::string>>& old_map,
                               const std::vector<std::pair<std::string, std::string>>& new_map) {
  // Both sorted by name: one merge pass finds removed, added and changed keys in key order.
  size_t i = 0, j = 0;
  while (i < old_map.size() || j < new_map.size()) {
    const bool take_old = j == new_map.size() ||
                          (i < old_map.size() && old_map[i].first < new_map[j].first);
    const bool take_new = i == old_map.size() ||
                          (j < new_map.size() && new_map[j].first < old_map[i].first);
    const std::string& name = take_old ? old_map[i].first : new_map[j].first;
    const std::string key = std::string(path) + "[\"" + name + "\"]";
    if (take_old) {
      change(key, &old_map[i++].second, nullptr);
    } else if (take_new) {
      change(key, nullptr, &new_map[j++].second);
    } else {
      if (old_map[i].second != new_map[j].second) change(key, &old_map[i].second, &new_map[j].second);
      ++i;
      ++j;
    }
  }
}

void StageInspector::after(std::string_view stage, const Entry& entry, Verdict verdict) {
  take(entry, after_);
  report_.clear();
  diff_maps("{stages.Entry}.Extracted", before_.extracted, after_.extracted);
  diff_maps("{stages.Entry}.Entry.Labels", before_.labels, after_.labels);
  diff_maps("{stages.Entry}.Entry.StructuredMetadata", before_.metadata, after_.metadata);
  if (before_.timestamp_ns != after_.timestamp_ns) {
    const std::string old_time = go_time(before_.timestamp_ns), new_time = go_time(after_.timestamp_ns);
    change("{stages.Entry}.Entry.Entry.Timestamp", &old_time, &new_time);
  }
  if (before_.line != after_.line) change("{stages.Entry}.Entry.Entry.Line", &before_.line, &after_.line);
  if (before_.tenant != after_.tenant) change("{stages.Entry}.Tenant", &before_.tenant, &after_.tenant);
  if (verdict == Verdict::kDrop) report_ += '\n' + paint(kRed, "dropped");
  if (verdict == Verdict::kHold) report_ += '\n' + paint(kYellow, "held (released later)");
  if (report_.empty()) report_ = paint(kRed, "none");
  const std::string text = "[inspect: " + paint(kBold, stage) + " stage]: " + report_ + "\n";
  std::fwrite(text.data(), 1, text.size(), out_);
}

}  // namespace tailcast
