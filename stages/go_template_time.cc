// GoTemplate's time functions from Sprig: now, toDate, date, dateInZone, unixEpoch, htmlDate.
// Times print and format in the zone they carry; toDate reads text in the local zone as Sprig does.
#include <chrono>
#include <cstdio>
#include <cstring>

#include "stages/go_template_ast.h"
#include "stages/go_time_zone.h"

namespace tailcast::stages::go_template {
namespace {

// Go's zero time.Time (January 1, year 1, UTC), which toDate returns for text it cannot parse.
constexpr int64_t kZeroTimeUnix = -62135596800;

const TimeZonePtr& local_zone() {
  static const TimeZonePtr zone = [] {
    auto loaded = TimeZone::load("Local");
    return loaded ? *loaded : TimeZone::utc();
  }();
  return zone;
}

Value make_time(int64_t seconds, int32_t nanos, const TimeZone& zone) {
  Value out;
  out.kind = Kind::kTime;
  out.integer = seconds;
  out.nanos = nanos;
  const TimeZone::Span span = zone.lookup(seconds);
  if (span.type) {
    out.zone_offset = span.type->offset;
    out.text = span.type->abbreviation;
  } else {
    out.text = "UTC";
  }
  return out;
}

Value from_unix_ns(int64_t ns, const TimeZone& zone) {
  int64_t seconds = ns / 1'000'000'000;
  int64_t nanos = ns % 1'000'000'000;
  if (nanos < 0) nanos += 1'000'000'000, --seconds;
  return make_time(seconds, static_cast<int32_t>(nanos), zone);
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Civil {
  int64_t year, month, day, hour, minute, second, yday, weekday;
};

Civil civil(const Value& time) {
  const int64_t local = time.integer + time.zone_offset;
  int64_t days = local / 86400, seconds = local % 86400;
  if (seconds < 0) seconds += 86400, --days;
  Civil out{};
  out.weekday = ((days % 7) + 11) % 7;  // 1970-01-01 was a Thursday
  out.hour = seconds / 3600;
  out.minute = seconds / 60 % 60;
  out.second = seconds % 60;
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  out.day = doy - (153 * mp + 2) / 5 + 1;
  out.month = mp < 10 ? mp + 3 : mp - 9;
  out.year = yoe + era * 400 + (out.month <= 2);
  out.yday = days_from_civil(out.year, out.month, out.day) - days_from_civil(out.year, 1, 1) + 1;
  return out;
}

void number(std::string& out, int64_t value, int width, char pad = '0') {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(value < 0 ? -value : value));
  if (value < 0) out.push_back('-');
  for (int i = static_cast<int>(std::strlen(buffer)); i < width; ++i) out.push_back(pad);
  out.append(buffer);
}

constexpr const char* kMonths[] = {"January", "February", "March",     "April",
                                   "May",     "June",     "July",      "August",
                                   "September", "October", "November", "December"};
constexpr const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                 "Thursday", "Friday", "Saturday"};

void zone_offset(std::string& out, int32_t offset, bool z, bool colon, bool minutes, bool seconds) {
  if (z && offset == 0) return out.push_back('Z'), void();
  out.push_back(offset < 0 ? '-' : '+');
  const int32_t value = offset < 0 ? -offset : offset;
  number(out, value / 3600, 2);
  if (minutes) {
    if (colon) out.push_back(':');
    number(out, value / 60 % 60, 2);
  }
  if (seconds) {
    if (colon) out.push_back(':');
    number(out, value % 60, 2);
  }
}

// Go's Time.Format: the reference-time tokens of `layout`, everything else as text.
void format(const Value& time, std::string_view layout, std::string& out) {
  const Civil c = civil(time);
  const int32_t offset = time.zone_offset;
  auto take = [&](std::string_view token) {
    if (!layout.starts_with(token)) return false;
    layout.remove_prefix(token.size());
    return true;
  };
  while (!layout.empty()) {
    if (take("January")) out.append(kMonths[c.month - 1]);
    else if (take("Jan")) out.append(std::string_view(kMonths[c.month - 1]).substr(0, 3));
    else if (take("Monday")) out.append(kDays[c.weekday]);
    else if (take("Mon")) out.append(std::string_view(kDays[c.weekday]).substr(0, 3));
    else if (take("MST")) out.append(time.text);
    else if (take("2006")) number(out, c.year, 4);
    else if (take("002")) number(out, c.yday, 3);
    else if (take("01")) number(out, c.month, 2);
    else if (take("02")) number(out, c.day, 2);
    else if (take("_2")) number(out, c.day, 2, ' ');
    else if (take("06")) number(out, c.year % 100, 2);
    else if (take("15")) number(out, c.hour, 2);
    else if (take("03")) number(out, c.hour % 12 == 0 ? 12 : c.hour % 12, 2);
    else if (take("04")) number(out, c.minute, 2);
    else if (take("05")) number(out, c.second, 2);
    else if (take("PM")) out.append(c.hour >= 12 ? "PM" : "AM");
    else if (take("pm")) out.append(c.hour >= 12 ? "pm" : "am");
    else if (take("Z07:00:00")) zone_offset(out, offset, true, true, true, true);
    else if (take("-07:00:00")) zone_offset(out, offset, false, true, true, true);
    else if (take("Z070000")) zone_offset(out, offset, true, false, true, true);
    else if (take("-070000")) zone_offset(out, offset, false, false, true, true);
    else if (take("Z07:00")) zone_offset(out, offset, true, true, true, false);
    else if (take("-07:00")) zone_offset(out, offset, false, true, true, false);
    else if (take("Z0700")) zone_offset(out, offset, true, false, true, false);
    else if (take("-0700")) zone_offset(out, offset, false, false, true, false);
    else if (take("Z07")) zone_offset(out, offset, true, false, false, false);
    else if (take("-07")) zone_offset(out, offset, false, false, false, false);
    else if ((layout[0] == '.' || layout[0] == ',') && layout.size() > 1 &&
             (layout[1] == '0' || layout[1] == '9')) {
      const char digit = layout[1];
      size_t digits = 1;
      while (digits + 1 < layout.size() && layout[digits + 1] == digit) ++digits;
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "%09d", time.nanos);
      std::string_view fraction(buffer, std::min<size_t>(digits, 9));
      if (digit == '9') {
        while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
        if (!fraction.empty()) out.push_back(layout[0]);
      } else {
        out.push_back(layout[0]);
      }
      out.append(fraction);
      layout.remove_prefix(digits + 1);
    } else if (take("1")) number(out, c.month, 1);
    else if (take("2")) number(out, c.day, 1);
    else if (take("3")) number(out, c.hour % 12 == 0 ? 12 : c.hour % 12, 1);
    else if (take("4")) number(out, c.minute, 1);
    else if (take("5")) number(out, c.second, 1);
    else {
      out.push_back(layout[0]);
      layout.remove_prefix(1);
    }
  }
}

// Sprig's date argument: a time, or Unix seconds as an int; anything else means now.
Value to_time(const Value& value, const TimeZone& zone) {
  if (value.kind == Kind::kTime) return make_time(value.integer, value.nanos, zone);
  if (value.kind == Kind::kInt) return make_time(value.integer, 0, zone);
  return from_unix_ns(now_ns(), zone);
}

bool format_in(Call& call, Value& result, std::string_view layout, const Value& date,
               const TimeZone& zone) {
  std::string& out = call.scratch.text;
  out.clear();
  format(to_time(date, zone), layout, out);
  result = Value::string(call.scratch.arena.copy(out));
  return true;
}

}  // namespace

bool time_now(Call& call, Value& result) {
  (void)call;
  result = from_unix_ns(now_ns(), *local_zone());
  return true;
}

bool time_to_date(Call& call, Value& result) {
  if (call.args[0].kind != Kind::kString || call.args[1].kind != Kind::kString) return false;
  const GoTimeLayout& layout = call.scratch.layout(call.args[0].text, local_zone());
  const std::optional<int64_t> ns = layout.parse(call.args[1].text, now_ns());
  result = ns ? from_unix_ns(*ns, *local_zone()) : make_time(kZeroTimeUnix, 0, *TimeZone::utc());
  return true;
}

bool time_unix_epoch(Call& call, Value& result) {
  if (call.args[0].kind != Kind::kTime) return false;
  const std::string text = std::to_string(call.args[0].integer);
  result = Value::string(call.scratch.arena.copy(text));
  return true;
}

bool time_date(Call& call, Value& result) {
  if (call.args[0].kind != Kind::kString) return false;
  return format_in(call, result, call.args[0].text, call.args[1], *local_zone());
}

bool time_date_in_zone(Call& call, Value& result) {
  if (call.args[0].kind != Kind::kString || call.args[2].kind != Kind::kString) return false;
  auto zone = TimeZone::load(call.args[2].text);
  return format_in(call, result, call.args[0].text, call.args[1],
                   zone ? **zone : *TimeZone::utc());
}

bool time_html_date(Call& call, Value& result) {
  return format_in(call, result, "2006-01-02", call.args[0], *local_zone());
}

const GoTimeLayout& Scratch::layout(std::string_view format, const TimeZonePtr& zone) {
  auto found = layouts_.find(std::string(format));
  if (found != layouts_.end()) return found->second;
  if (layouts_.size() >= 64) layouts_.clear();
  return layouts_.emplace(std::string(format), GoTimeLayout::compile(format, zone)).first->second;
}

}  // namespace tailcast::stages::go_template
