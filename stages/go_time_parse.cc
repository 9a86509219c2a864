// GoTimeLayout's parser: Go's time.parse over a compiled layout, keeping quirks Promtail configs
// rely on (a fraction after seconds whatever the layout says, ',' or '.' before it, one-digit hours
// and days, weekdays read but not checked). Helpers mirror the Go functions they name.
#include <array>

#include "stages/go_time_layout.h"

namespace tailcast::stages {
namespace {

using Op = GoTimeLayout::Op;

constexpr std::array<std::string_view, 12> kShortMonths = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 12> kLongMonths = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 7> kShortDays = {"Sun", "Mon", "Tue", "Wed",
                                                        "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

bool is_digit(std::string_view s, size_t i) noexcept {
  return i < s.size() && s[i] >= '0' && s[i] <= '9';
}
bool comma_or_period(char c) noexcept { return c == '.' || c == ','; }

// Go's getnum: one or two digits, exactly two when `fixed`.
bool get_num(std::string_view& s, bool fixed, int& out) noexcept {
  if (!is_digit(s, 0)) return false;
  if (!is_digit(s, 1)) {
    if (fixed) return false;
    out = s[0] - '0';
    s.remove_prefix(1);
    return true;
  }
  out = (s[0] - '0') * 10 + (s[1] - '0');
  s.remove_prefix(2);
  return true;
}

// Go's time-package atoi: an optional sign, then digits (possibly none), all of the text.
bool go_atoi(std::string_view s, int64_t& out) noexcept {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) negative = s[0] == '-', s.remove_prefix(1);
  int64_t x = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || x > (INT64_MAX - 9) / 10) return false;
    x = x * 10 + (c - '0');
  }
  out = negative ? -x : x;
  return true;
}

template <size_t N>
bool lookup_name(const std::array<std::string_view, N>& table, std::string_view& value,
                 int& index) noexcept {
  for (size_t i = 0; i < N; ++i) {
    const std::string_view name = table[i];
    if (value.size() < name.size()) continue;
    bool same = true;
    for (size_t k = 0; k < name.size() && same; ++k) {
      const char a = static_cast<char>(value[k] | 0x20), b = static_cast<char>(name[k] | 0x20);
      same = value[k] == name[k] || (a == b && a >= 'a' && a <= 'z');
    }
    if (!same) continue;
    index = static_cast<int>(i);
    value.remove_prefix(name.size());
    return true;
  }
  return false;
}

// Go's parseNanoseconds: value[0] is the separator; at most nine digits count.
bool parse_nanoseconds(std::string_view value, size_t bytes, int& out) noexcept {
  if (!comma_or_period(value[0])) return false;
  bytes = std::min<size_t>(bytes, 10);
  int64_t ns = 0;
  if (!go_atoi(value.substr(1, bytes - 1), ns) || ns < 0) return false;
  for (size_t i = bytes; i < 10; ++i) ns *= 10;
  out = static_cast<int>(ns);
  return true;
}

// Go's parseSignedOffset: "+h" or "-hh" with at most 23 hours; 0 when it is not one.
size_t signed_offset_length(std::string_view value) noexcept {
  if (value.empty() || (value[0] != '-' && value[0] != '+')) return 0;
  size_t n = 1;
  int64_t hours = 0;
  while (n < value.size() && is_digit(value, n) && hours < 100)
    hours = hours * 10 + (value[n++] - '0');
  return n == 1 || hours > 23 ? 0 : n;
}

// Go's parseTimeZone: the length of a zone abbreviation at the start of `value`, or 0.
size_t zone_name_length(std::string_view value) noexcept {
  if (value.size() < 3) return 0;
  if (value.starts_with("ChST") || value.starts_with("MeST")) return 4;
  if (value.starts_with("GMT")) return 3 + signed_offset_length(value.substr(3));
  if (value[0] == '+' || value[0] == '-') return signed_offset_length(value);
  size_t upper = 0;
  while (upper < 6 && upper < value.size() && value[upper] >= 'A' && value[upper] <= 'Z') ++upper;
  if (upper == 3) return 3;
  if (upper == 4 && (value[3] == 'T' || value.starts_with("WITA"))) return 4;
  if (upper == 5 && value[4] == 'T') return 5;
  return 0;
}

// Go's skip: a space in the layout matches any run of spaces in the value.
bool skip_literal(std::string_view& value, std::string_view prefix) noexcept {
  auto cut_spaces = [](std::string_view& s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  };
  while (!prefix.empty()) {
    if (prefix.front() == ' ') {
      if (!value.empty() && value.front() != ' ') return false;
      cut_spaces(prefix);
      cut_spaces(value);
      continue;
    }
    if (value.empty() || value.front() != prefix.front()) return false;
    prefix.remove_prefix(1);
    value.remove_prefix(1);
  }
  return true;
}

bool checked_ns(int64_t seconds, int64_t nanos, int64_t& out) noexcept {
  int64_t scaled = 0;
  return !__builtin_mul_overflow(seconds, int64_t{1000000000}, &scaled) &&
         !__builtin_add_overflow(scaled, nanos, &out);
}

}  // namespace

struct GoTimeLayout::Fields {
  int64_t year = 0;
  int month = -1, day = -1, yday = -1, hour = 0, minute = 0, second = 0, nanos = 0;
  int zone_offset = 0;
  bool has_offset = false, utc = false, pm = false, am = false;
  std::string_view zone_name;
};

std::optional<int64_t> GoTimeLayout::parse(std::string_view text, int64_t now_ns) const noexcept {
  return kind_ == Kind::kLayout ? parse_layout(text, now_ns) : parse_unix(text);
}

bool GoTimeLayout::parse_step(const Step& step, std::string_view& value, Fields& f) const noexcept {
  int n = 0;
  int64_t wide = 0;
  switch (step.op) {
    case Op::kLiteral:
      return skip_literal(value,
                          std::string_view(literals_).substr(step.literal_at, step.literal_size));
    case Op::kYear:
      if (value.size() < 2 || !go_atoi(value.substr(0, 2), wide)) return false;
      value.remove_prefix(2);
      f.year = wide >= 69 ? wide + 1900 : wide + 2000;
      return true;
    case Op::kLongYear:
      if (value.size() < 4 || !is_digit(value, 0) || !go_atoi(value.substr(0, 4), f.year))
        return false;
      value.remove_prefix(4);
      return true;
    case Op::kMonth:
    case Op::kLongMonth:
      if (!(step.op == Op::kMonth ? lookup_name(kShortMonths, value, n)
                                  : lookup_name(kLongMonths, value, n)))
        return false;
      f.month = n + 1;
      return true;
    case Op::kNumMonth:
    case Op::kZeroMonth:
      return get_num(value, step.op == Op::kZeroMonth, f.month) && f.month >= 1 && f.month <= 12;
    case Op::kWeekDay:
      return lookup_name(kShortDays, value, n);
    case Op::kLongWeekDay:
      return lookup_name(kLongDays, value, n);
    case Op::kUnderDay:
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
      [[fallthrough]];
    case Op::kDay:
    case Op::kZeroDay:
      return get_num(value, step.op == Op::kZeroDay, f.day);
    case Op::kUnderYearDay:
    case Op::kZeroYearDay: {
      for (int i = 0; i < 2 && step.op == Op::kUnderYearDay && !value.empty() && value[0] == ' ';
           ++i)
        value.remove_prefix(1);
      size_t i = 0;
      for (f.yday = 0; i < 3 && is_digit(value, i); ++i) f.yday = f.yday * 10 + (value[i] - '0');
      if (i == 0 || (step.op == Op::kZeroYearDay && i != 3)) return false;
      value.remove_prefix(i);
      return true;
    }
    case Op::kHour:
      return get_num(value, false, f.hour) && f.hour < 24;
    case Op::kHour12:
    case Op::kZeroHour12:
      return get_num(value, step.op == Op::kZeroHour12, f.hour) && f.hour <= 12;
    case Op::kMinute:
    case Op::kZeroMinute:
      return get_num(value, step.op == Op::kZeroMinute, f.minute) && f.minute < 60;
    case Op::kSecond:
    case Op::kZeroSecond: {
      if (!get_num(value, step.op == Op::kZeroSecond, f.second) || f.second >= 60) return false;
      // A fraction the layout does not ask for is still taken, unless a fraction field follows.
      if (value.size() < 2 || !comma_or_period(value[0]) || !is_digit(value, 1)) return true;
      if (step.next_field == Op::kFracSecond0 || step.next_field == Op::kFracSecond9) return true;
      size_t end = 2;
      while (is_digit(value, end)) ++end;
      if (!parse_nanoseconds(value, end, f.nanos)) return false;
      value.remove_prefix(end);
      return true;
    }
    case Op::kPM:
    case Op::kLowerPM: {
      if (value.size() < 2) return false;
      const std::string_view p = value.substr(0, 2);
      value.remove_prefix(2);
      f.pm = p == (step.op == Op::kPM ? "PM" : "pm");
      f.am = p == (step.op == Op::kPM ? "AM" : "am");
      return f.pm || f.am;
    }
    case Op::kTZ:
      if (value.starts_with("UTC")) {
        f.utc = true;
        value.remove_prefix(3);
        return true;
      }
      if (size_t len = zone_name_length(value); len > 0) {
        f.zone_name = value.substr(0, len);
        value.remove_prefix(len);
        return true;
      }
      return false;
    case Op::kFracSecond0: {
      const size_t bytes = size_t{1} + step.digits;
      if (value.size() < bytes || !parse_nanoseconds(value, bytes, f.nanos)) return false;
      value.remove_prefix(bytes);
      return true;
    }
    case Op::kFracSecond9: {
      if (value.size() < 2 || !comma_or_period(value[0]) || !is_digit(value, 1)) return true;
      size_t end = 1;
      while (is_digit(value, end)) ++end;
      if (!parse_nanoseconds(value, end, f.nanos)) return false;
      value.remove_prefix(end);
      return true;
    }
    default:
      break;  // numeric and ISO 8601 offsets
  }
  const bool iso = step.op == Op::kISO8601TZ || step.op == Op::kISO8601SecondsTZ ||
                   step.op == Op::kISO8601ShortTZ || step.op == Op::kISO8601ColonTZ ||
                   step.op == Op::kISO8601ColonSecondsTZ;
  if (iso && !value.empty() && value[0] == 'Z') {
    value.remove_prefix(1);
    f.utc = true;
    return true;
  }
  // Where sign, hours, minutes and seconds sit for each shape, and how long it is.
  size_t len = 5, mm = 3, ss = 0;
  switch (step.op) {
    case Op::kISO8601ColonTZ:
    case Op::kNumColonTZ:
      len = 6, mm = 4;
      break;
    case Op::kISO8601ShortTZ:
    case Op::kNumShortTZ:
      len = 3, mm = 0;
      break;
    case Op::kISO8601ColonSecondsTZ:
    case Op::kNumColonSecondsTZ:
      len = 9, mm = 4, ss = 7;
      break;
    case Op::kISO8601SecondsTZ:
    case Op::kNumSecondsTZ:
      len = 7, mm = 3, ss = 5;
      break;
    default:
      break;
  }
  if (value.size() < len) return false;
  if (len == 6 && value[3] != ':') return false;
  if (len == 9 && (value[3] != ':' || value[6] != ':')) return false;
  std::string_view hh = value.substr(1, 2), mins = mm ? value.substr(mm, 2) : "00";
  std::string_view secs = ss ? value.substr(ss, 2) : "00";
  int hours = 0, minutes = 0, seconds = 0;
  if (!get_num(hh, true, hours) || !get_num(mins, true, minutes) || !get_num(secs, true, seconds))
    return false;
  if (hours > 24 || minutes > 60 || seconds > 60 || (value[0] != '+' && value[0] != '-'))
    return false;
  f.zone_offset = (value[0] == '-' ? -1 : 1) * ((hours * 60 + minutes) * 60 + seconds);
  f.has_offset = true;
  value.remove_prefix(len);
  return true;
}

std::optional<int64_t> GoTimeLayout::parse_layout(std::string_view value,
                                                  int64_t now_ns) const noexcept {
  Fields f;
  for (const Step& step : steps_)
    if (!parse_step(step, value, f)) return std::nullopt;
  if (!value.empty()) return std::nullopt;
  if (f.pm && f.hour < 12)
    f.hour += 12;
  else if (f.am && f.hour == 12)
    f.hour = 0;

  if (f.yday >= 0) {
    int m = 0, d = 0;
    if (is_leap_year(f.year)) {
      if (f.yday == 31 + 29)
        m = 2, d = 29;
      else if (f.yday > 31 + 29)
        --f.yday;
    }
    if (f.yday < 1 || f.yday > 365) return std::nullopt;
    if (m == 0) {
      m = (f.yday - 1) / 31 + 1;
      if (kDaysBefore[m] < f.yday) ++m;
      d = f.yday - kDaysBefore[m - 1];
    }
    if ((f.month >= 0 && f.month != m) || (f.day >= 0 && f.day != d)) return std::nullopt;
    f.month = m, f.day = d;
  } else {
    if (f.month < 0) f.month = 1;
    if (f.day < 0) f.day = 1;
  }
  // Validated against the year as parsed (0, a leap year, when the layout has none), as Go does.
  if (f.day < 1 || f.day > days_in_month(f.month, f.year)) return std::nullopt;

  if (!has_year_) {
    // Promtail's rule: the current year, or its neighbour when the month is across New Year.
    int64_t days = now_ns / 86400000000000 - (now_ns % 86400000000000 < 0 ? 1 : 0);
    int64_t now_year = 1970 + days / 366;
    while (days_from_civil(now_year + 1, 1, 1) <= days) ++now_year;
    int now_month = 1;
    while (now_month < 12 && days_from_civil(now_year, now_month + 1, 1) <= days) ++now_month;
    f.year = now_year + (f.month == 12 && now_month == 1 ? -1 : 0) +
             (f.month == 1 && now_month == 12 ? 1 : 0);
  }

  const int64_t wall = (days_from_civil(f.year, f.month, 1) + f.day - 1) * 86400 + f.hour * 3600 +
                       f.minute * 60 + f.second;
  int64_t unix = wall;
  if (f.utc) {
    unix = wall;
  } else if (f.has_offset) {
    unix = wall - f.zone_offset;
  } else if (!f.zone_name.empty()) {
    // An abbreviation the location does not know leaves the time as if it were UTC (Go's rule).
    if (auto offset = zone_->abbreviation_offset(f.zone_name, wall)) unix = wall - *offset;
  } else {
    unix = zone_->to_unix(wall);
  }
  int64_t out = 0;
  if (!checked_ns(unix, f.nanos, out)) return std::nullopt;
  return out;
}

}  // namespace tailcast::stages
