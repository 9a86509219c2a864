// TimeZone: TZif reading, the POSIX footer rule that carries a zone past its last listed
// transition, and the lookups Go's time.Location makes while parsing.
#include "stages/go_time_zone.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

namespace tailcast::stages {
namespace {

// The footer rule is expanded up to here, past the last instant an int64 of nanoseconds holds.
constexpr int64_t kLastRuleYear = 2263;

uint32_t read_be32(const unsigned char* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

int64_t read_be64(const unsigned char* p) noexcept {
  return static_cast<int64_t>((uint64_t{read_be32(p)} << 32) | uint64_t{read_be32(p + 4)});
}

int64_t floor_div(int64_t a, int64_t b) noexcept {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// One date rule of a POSIX TZ string: Jn (1..365, no Feb 29), n (0..365) or Mm.w.d.
struct DateRule {
  char kind = 'M';
  int a = 0, b = 0, c = 0;
  int32_t time = 7200;  // local time of day of the change, may be negative or beyond 24h
};

bool parse_number(std::string_view& s, int max_digits, int& out) {
  int digits = 0;
  out = 0;
  while (!s.empty() && s.front() >= '0' && s.front() <= '9' && digits < max_digits) {
    out = out * 10 + (s.front() - '0');
    s.remove_prefix(1);
    ++digits;
  }
  return digits > 0;
}

// [+-]hh[:mm[:ss]] in seconds.
bool parse_clock(std::string_view& s, int32_t& out) {
  int sign = 1;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  int hours = 0, minutes = 0, seconds = 0;
  if (!parse_number(s, 3, hours)) return false;
  if (!s.empty() && s.front() == ':') {
    s.remove_prefix(1);
    if (!parse_number(s, 2, minutes)) return false;
    if (!s.empty() && s.front() == ':') {
      s.remove_prefix(1);
      if (!parse_number(s, 2, seconds)) return false;
    }
  }
  out = sign * (hours * 3600 + minutes * 60 + seconds);
  return true;
}

bool parse_zone_name(std::string_view& s, std::string_view& out) {
  size_t n = 0;
  if (!s.empty() && s.front() == '<') {
    n = s.find('>');
    if (n == std::string_view::npos) return false;
    out = s.substr(1, n - 1);
    s.remove_prefix(n + 1);
    return true;
  }
  while (n < s.size() && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z'))) ++n;
  if (n < 3) return false;
  out = s.substr(0, n);
  s.remove_prefix(n);
  return true;
}

bool parse_date_rule(std::string_view& s, DateRule& rule) {
  if (s.empty()) return false;
  if (s.front() == 'J') {
    s.remove_prefix(1);
    rule.kind = 'J';
    if (!parse_number(s, 3, rule.a) || rule.a < 1 || rule.a > 365) return false;
  } else if (s.front() == 'M') {
    s.remove_prefix(1);
    rule.kind = 'M';
    if (!parse_number(s, 2, rule.a) || s.empty() || s.front() != '.') return false;
    s.remove_prefix(1);
    if (!parse_number(s, 1, rule.b) || s.empty() || s.front() != '.') return false;
    s.remove_prefix(1);
    if (!parse_number(s, 1, rule.c)) return false;
    if (rule.a < 1 || rule.a > 12 || rule.b < 1 || rule.b > 5 || rule.c > 6) return false;
  } else {
    rule.kind = 'N';
    if (!parse_number(s, 3, rule.a) || rule.a > 365) return false;
  }
  if (!s.empty() && s.front() == '/') {
    s.remove_prefix(1);
    if (!parse_clock(s, rule.time)) return false;
  }
  return true;
}

// Days since the epoch of the day a rule names in `year`.
int64_t rule_day(const DateRule& rule, int64_t year) noexcept {
  const int64_t jan1 = days_from_civil(year, 1, 1);
  if (rule.kind == 'J') return jan1 + rule.a - 1 + (is_leap_year(year) && rule.a >= 60 ? 1 : 0);
  if (rule.kind == 'N') return jan1 + rule.a;
  const int64_t first = days_from_civil(year, rule.a, 1);
  const int64_t weekday = ((first + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
  int64_t day = first + (rule.c - weekday + 7) % 7 + 7 * (rule.b - 1);
  while (day >= first + days_in_month(rule.a, year)) day -= 7;
  return day;
}

bool read_file(const std::string& path, std::string& out) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return false;
  char buffer[8192];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0 && out.size() < (1u << 22))
    out.append(buffer, n);
  std::fclose(file);
  return true;
}

}  // namespace

bool is_leap_year(int64_t year) noexcept {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int days_in_month(int64_t month, int64_t year) noexcept {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap_year(year)) return 29;
  return kDays[(month - 1) % 12];
}

int64_t days_from_civil(int64_t year, int64_t month, int64_t day) noexcept {
  // Normalise the month first so that callers may pass month 13 or day 0.
  year += floor_div(month - 1, 12);
  month = month - 1 - floor_div(month - 1, 12) * 12 + 1;
  // Count from March so the leap day is last in the counting year.
  const int64_t y = month <= 2 ? year - 1 : year;
  const int64_t era = floor_div(y, 400);
  const int64_t year_of_era = y - era * 400;
  const int64_t shifted_month = month > 2 ? month - 3 : month + 9;
  const int64_t day_of_year = (153 * shifted_month + 2) / 5;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468 + (day - 1);
}

TimeZonePtr TimeZone::utc() {
  static const TimeZonePtr kUtc = [] {
    auto zone = std::shared_ptr<TimeZone>(new TimeZone());
    zone->name_ = "UTC";
    zone->add_type(0, false, "UTC");
    return zone;
  }();
  return kUtc;
}

Result<TimeZonePtr> TimeZone::load(std::string_view name) {
  if (name.empty() || name == "UTC") return utc();
  if (name.find("..") != std::string_view::npos || name.front() == '/' || name.front() == '\\')
    return make_error(Errc::kInvalidConfig, "invalid location \"" + std::string(name) + "\"");

  static std::mutex mutex;
  static std::map<std::string, TimeZonePtr, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(name); it != cache.end()) return it->second;

  const std::string path =
      name == "Local" ? std::string("/etc/localtime") : "/usr/share/zoneinfo/" + std::string(name);
  std::string data;
  if (!read_file(path, data)) {
    if (name == "Local") return utc();
    return make_error(Errc::kInvalidConfig, "unknown time zone \"" + std::string(name) + "\"");
  }
  auto zone = from_tzif(data, std::string(name));
  if (!zone) return std::move(zone).error();
  cache.emplace(std::string(name), *zone);
  return *zone;
}

Result<TimeZonePtr> TimeZone::from_tzif(std::string_view data, std::string name) {
  auto bad = [&name] {
    return make_error(Errc::kInvalidConfig, "time zone \"" + name + "\" is not valid TZif data");
  };
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  auto header_ok = [&](size_t at) {
    return data.size() >= at + 44 && data.substr(at, 4) == "TZif";
  };
  if (!header_ok(0)) return bad();
  size_t at = 0;
  size_t time_size = 4;
  auto block_size = [&](size_t h, size_t tsize) {
    const size_t isut = read_be32(bytes + h + 20), isstd = read_be32(bytes + h + 24);
    const size_t leap = read_be32(bytes + h + 28), timecnt = read_be32(bytes + h + 32);
    const size_t typecnt = read_be32(bytes + h + 36), charcnt = read_be32(bytes + h + 40);
    return timecnt * tsize + timecnt + typecnt * 6 + charcnt + leap * (tsize + 4) + isstd + isut;
  };
  if (data[4] >= '2') {  // skip the 32-bit block: the 64-bit one follows
    at = 44 + block_size(0, 4);
    if (!header_ok(at)) return bad();
    time_size = 8;
  }
  const size_t timecnt = read_be32(bytes + at + 32), typecnt = read_be32(bytes + at + 36);
  const size_t charcnt = read_be32(bytes + at + 40);
  const size_t body = at + 44;
  if (typecnt == 0 || typecnt > 255 || data.size() < body + block_size(at, time_size)) return bad();

  auto zone = std::shared_ptr<TimeZone>(new TimeZone());
  zone->name_ = std::move(name);
  const unsigned char* times = bytes + body;
  const unsigned char* indices = times + timecnt * time_size;
  const unsigned char* infos = indices + timecnt;
  const char* chars = reinterpret_cast<const char*>(infos + typecnt * 6);
  for (size_t i = 0; i < typecnt; ++i) {
    const unsigned char* info = infos + i * 6;
    const size_t abbr_at = std::min<size_t>(info[5], charcnt);
    std::string_view abbr(chars + abbr_at, charcnt - abbr_at);
    abbr = abbr.substr(0, abbr.find('\0'));
    zone->types_.push_back(
        Type{static_cast<int32_t>(read_be32(info)), info[4] != 0, std::string(abbr)});
  }
  for (size_t i = 0; i < timecnt; ++i) {
    const int64_t when =
        time_size == 8 ? read_be64(times + i * 8) : static_cast<int32_t>(read_be32(times + i * 4));
    if (indices[i] >= typecnt) return bad();
    if (!zone->transitions_.empty() && when <= zone->transitions_.back()) continue;
    zone->transitions_.push_back(when);
    zone->type_after_.push_back(indices[i]);
  }
  zone->pick_first_type();
  if (time_size == 8) {
    const size_t footer = body + block_size(at, 8);
    if (footer < data.size() && data[footer] == '\n') {
      const size_t end = data.find('\n', footer + 1);
      if (end != std::string_view::npos)
        zone->extend_with_rule(data.substr(footer + 1, end - footer - 1));
    }
  }
  return TimeZonePtr(zone);
}

uint16_t TimeZone::add_type(int32_t offset, bool is_dst, std::string_view abbreviation) {
  for (size_t i = 0; i < types_.size(); ++i) {
    const Type& type = types_[i];
    if (type.offset == offset && type.is_dst == is_dst && type.abbreviation == abbreviation)
      return static_cast<uint16_t>(i);
  }
  types_.push_back(Type{offset, is_dst, std::string(abbreviation)});
  return static_cast<uint16_t>(types_.size() - 1);
}

// Go's lookupFirstZone: the type that applies before the first transition.
void TimeZone::pick_first_type() {
  first_type_ = 0;
  if (std::find(type_after_.begin(), type_after_.end(), 0) == type_after_.end()) return;
  if (!type_after_.empty() && types_[type_after_.front()].is_dst) {
    for (int i = static_cast<int>(type_after_.front()) - 1; i >= 0; --i) {
      if (!types_[i].is_dst) {
        first_type_ = static_cast<uint16_t>(i);
        return;
      }
    }
  }
  for (size_t i = 0; i < types_.size(); ++i) {
    if (!types_[i].is_dst) {
      first_type_ = static_cast<uint16_t>(i);
      return;
    }
  }
}

// Expands a footer such as "EST5EDT,M3.2.0,M11.1.0" into transitions after the listed ones. A
// rule without daylight time needs nothing: the last listed type goes on applying.
bool TimeZone::extend_with_rule(std::string_view rule) {
  std::string_view std_name, dst_name;
  int32_t std_clock = 0;
  if (!parse_zone_name(rule, std_name) || !parse_clock(rule, std_clock)) return false;
  const int32_t std_offset = -std_clock;
  if (rule.empty()) {
    if (transitions_.empty()) first_type_ = add_type(std_offset, false, std_name);
    return true;
  }
  if (!parse_zone_name(rule, dst_name)) return false;
  int32_t dst_offset = std_offset + 3600;
  if (!rule.empty() && rule.front() != ',') {
    int32_t dst_clock = 0;
    if (!parse_clock(rule, dst_clock)) return false;
    dst_offset = -dst_clock;
  }
  DateRule start, end;
  if (rule.empty() || rule.front() != ',') return false;
  rule.remove_prefix(1);
  if (!parse_date_rule(rule, start) || rule.empty() || rule.front() != ',') return false;
  rule.remove_prefix(1);
  if (!parse_date_rule(rule, end) || !rule.empty()) return false;

  const uint16_t std_type = add_type(std_offset, false, std_name);
  const uint16_t dst_type = add_type(dst_offset, true, dst_name);
  int64_t last =
      transitions_.empty() ? std::numeric_limits<int64_t>::min() : transitions_.back();
  const bool listed = !transitions_.empty();
  int64_t year = listed ? 1970 + floor_div(last, 31556952) - 1 : 1900;
  for (; year <= kLastRuleYear; ++year) {
    const int64_t begin_at = rule_day(start, year) * 86400 + start.time - std_offset;
    const int64_t end_at = rule_day(end, year) * 86400 + end.time - dst_offset;
    const bool begin_first = begin_at < end_at;
    const int64_t a = begin_first ? begin_at : end_at, b = begin_first ? end_at : begin_at;
    const uint16_t ta = begin_first ? dst_type : std_type, tb = begin_first ? std_type : dst_type;
    if (a > last) transitions_.push_back(a), type_after_.push_back(ta), last = a;
    if (b > last) transitions_.push_back(b), type_after_.push_back(tb), last = b;
  }
  if (!listed) first_type_ = std_type;
  return true;
}

TimeZone::Span TimeZone::lookup(int64_t unix_seconds) const noexcept {
  Span span;
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unix_seconds);
  const size_t index = static_cast<size_t>(it - transitions_.begin());
  if (index == 0) {
    span.type = &types_[first_type_];
    if (!transitions_.empty()) span.end = transitions_.front();
    return span;
  }
  span.type = &types_[type_after_[index - 1]];
  span.start = transitions_[index - 1];
  if (index < transitions_.size()) span.end = transitions_[index];
  return span;
}

// Go's time.Date: look the wall time up as if it were UTC, then correct once if the guessed
// offset does not hold at the instant it implies.
int64_t TimeZone::to_unix(int64_t wall_seconds) const noexcept {
  const Span span = lookup(wall_seconds);
  int32_t offset = span.type->offset;
  if (offset == 0) return wall_seconds;
  const int64_t utc = wall_seconds - offset;
  if (utc < span.start || utc >= span.end) offset = lookup(utc).type->offset;
  return wall_seconds - offset;
}

std::optional<int32_t> TimeZone::abbreviation_offset(std::string_view abbreviation,
                                                     int64_t wall_seconds) const noexcept {
  for (const Type& type : types_) {
    if (type.abbreviation != abbreviation) continue;
    const Type* in_effect = lookup(wall_seconds - type.offset).type;
    if (in_effect->abbreviation == abbreviation) return in_effect->offset;
  }
  for (const Type& type : types_)
    if (type.abbreviation == abbreviation) return type.offset;
  return std::nullopt;
}

}  // namespace tailcast::stages
