// GoTimeLayout's compiler: the named formats and Go's layout lexer (nextStdChunk), which turns a
// layout into literal and field steps once, when a stage is built; also Promtail's Unix formats.
#include "stages/go_time_layout.h"

#include <array>
#include <charconv>
#include <utility>

namespace tailcast::stages {
namespace {

using Op = GoTimeLayout::Op;

// Named formats Promtail passes to time.Parse, which reads them in UTC whatever the location.
constexpr std::pair<std::string_view, std::string_view> kPromtailNamed[] = {
    {"ANSIC", "Mon Jan _2 15:04:05 2006"},
    {"UnixDate", "Mon Jan _2 15:04:05 MST 2006"},
    {"RubyDate", "Mon Jan 02 15:04:05 -0700 2006"},
    {"RFC822", "02 Jan 06 15:04 MST"},
    {"RFC822Z", "02 Jan 06 15:04 -0700"},
    {"RFC850", "Monday, 02-Jan-06 15:04:05 MST"},
    {"RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"},
    {"RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"},
    {"RFC3339", "2006-01-02T15:04:05Z07:00"},
    {"RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"},
};
// Go's other layout constants; Promtail has no names for them, so they act as written layouts.
constexpr std::pair<std::string_view, std::string_view> kGoNamed[] = {
    {"Layout", "01/02 03:04:05PM '06 -0700"},
    {"Kitchen", "3:04PM"},
    {"Stamp", "Jan _2 15:04:05"},
    {"StampMilli", "Jan _2 15:04:05.000"},
    {"StampMicro", "Jan _2 15:04:05.000000"},
    {"StampNano", "Jan _2 15:04:05.000000000"},
};

bool is_digit(std::string_view s, size_t i) noexcept {
  return i < s.size() && s[i] >= '0' && s[i] <= '9';
}
bool lower_at(std::string_view s, size_t i) noexcept {
  return i < s.size() && s[i] >= 'a' && s[i] <= 'z';
}

// Go's nextStdChunk, asked at one position: the field starting at layout[i], if any.
bool match_field(std::string_view l, size_t i, Op& op, size_t& len, uint8_t& digits) noexcept {
  auto is = [&](std::string_view s) { return l.substr(i).starts_with(s); };
  auto set = [&](Op o, size_t n) {
    op = o, len = n;
    return true;
  };
  switch (l[i]) {
    case 'J':
      if (is("January")) return set(Op::kLongMonth, 7);
      if (is("Jan") && !lower_at(l, i + 3)) return set(Op::kMonth, 3);
      return false;
    case 'M':
      if (is("Monday")) return set(Op::kLongWeekDay, 6);
      if (is("Mon") && !lower_at(l, i + 3)) return set(Op::kWeekDay, 3);
      if (is("MST")) return set(Op::kTZ, 3);
      return false;
    case '0': {
      static constexpr Op kZero[] = {Op::kZeroMonth,  Op::kZeroDay,    Op::kZeroHour12,
                                     Op::kZeroMinute, Op::kZeroSecond, Op::kYear};
      if (i + 1 < l.size() && l[i + 1] >= '1' && l[i + 1] <= '6')
        return set(kZero[l[i + 1] - '1'], 2);
      if (is("002")) return set(Op::kZeroYearDay, 3);
      return false;
    }
    case '1':
      return is("15") ? set(Op::kHour, 2) : set(Op::kNumMonth, 1);
    case '2':
      return is("2006") ? set(Op::kLongYear, 4) : set(Op::kDay, 1);
    case '_':
      // "_2006" is a literal '_' and a year; the year is found at the next position.
      if (is("_2") && !is("_2006")) return set(Op::kUnderDay, 2);
      if (is("__2")) return set(Op::kUnderYearDay, 3);
      return false;
    case '3':
      return set(Op::kHour12, 1);
    case '4':
      return set(Op::kMinute, 1);
    case '5':
      return set(Op::kSecond, 1);
    case 'P':
      return is("PM") && set(Op::kPM, 2);
    case 'p':
      return is("pm") && set(Op::kLowerPM, 2);
    case '-':
      if (is("-070000")) return set(Op::kNumSecondsTZ, 7);
      if (is("-07:00:00")) return set(Op::kNumColonSecondsTZ, 9);
      if (is("-0700")) return set(Op::kNumTZ, 5);
      if (is("-07:00")) return set(Op::kNumColonTZ, 6);
      return is("-07") && set(Op::kNumShortTZ, 3);
    case 'Z':
      if (is("Z070000")) return set(Op::kISO8601SecondsTZ, 7);
      if (is("Z07:00:00")) return set(Op::kISO8601ColonSecondsTZ, 9);
      if (is("Z0700")) return set(Op::kISO8601TZ, 5);
      if (is("Z07:00")) return set(Op::kISO8601ColonTZ, 6);
      return is("Z07") && set(Op::kISO8601ShortTZ, 3);
    case '.':
    case ',': {
      if (i + 1 >= l.size() || (l[i + 1] != '0' && l[i + 1] != '9')) return false;
      size_t j = i + 1;
      while (j < l.size() && l[j] == l[i + 1]) ++j;
      if (is_digit(l, j)) return false;  // the run of 0s or 9s must end the number
      digits = static_cast<uint8_t>(std::min<size_t>(j - i - 1, 255));
      return set(l[i + 1] == '0' ? Op::kFracSecond0 : Op::kFracSecond9, j - i);
    }
    default:
      return false;
  }
}

// strconv.ParseInt(s, 10, 64).
bool parse_int64(std::string_view s, int64_t& out) noexcept {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) negative = s[0] == '-', s.remove_prefix(1);
  if (s.empty()) return false;
  uint64_t x = 0;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (x > (limit - static_cast<uint64_t>(c - '0')) / 10) return false;
    x = x * 10 + static_cast<uint64_t>(c - '0');
  }
  out = negative ? static_cast<int64_t>(0 - x) : static_cast<int64_t>(x);
  return true;
}

bool checked_ns(int64_t seconds, int64_t nanos, int64_t& out) noexcept {
  int64_t scaled = 0;
  return !__builtin_mul_overflow(seconds, int64_t{1000000000}, &scaled) &&
         !__builtin_add_overflow(scaled, nanos, &out);
}

}  // namespace

GoTimeLayout GoTimeLayout::compile(std::string_view format, TimeZonePtr zone) {
  GoTimeLayout out;
  out.zone_ = zone ? std::move(zone) : TimeZone::utc();
  static constexpr std::pair<std::string_view, Kind> kUnixKinds[] = {{"Unix", Kind::kUnix},
                                                                     {"UnixMs", Kind::kUnixMs},
                                                                     {"UnixUs", Kind::kUnixUs},
                                                                     {"UnixNs", Kind::kUnixNs}};
  for (const auto& [name, kind] : kUnixKinds) {
    if (format == name) {
      out.kind_ = kind;
      return out;
    }
  }
  std::string_view layout = format;
  for (const auto& [name, text] : kPromtailNamed) {
    if (format == name) layout = text, out.zone_ = TimeZone::utc();
  }
  for (const auto& [name, text] : kGoNamed)
    if (format == name) layout = text;
  out.has_year_ = layout.find("06") != std::string_view::npos;  // also finds "2006"

  size_t literal_start = 0;
  auto flush_literal = [&](size_t end) {
    if (end == literal_start) return;
    Step step;
    step.literal_at = static_cast<uint32_t>(out.literals_.size());
    step.literal_size = static_cast<uint32_t>(end - literal_start);
    out.literals_.append(layout.substr(literal_start, end - literal_start));
    out.steps_.push_back(step);
  };
  for (size_t i = 0; i < layout.size();) {
    Step step;
    size_t len = 0;
    if (!match_field(layout, i, step.op, len, step.digits)) {
      ++i;
      continue;
    }
    flush_literal(i);
    out.steps_.push_back(step);
    i += len;
    literal_start = i;
  }
  flush_literal(layout.size());
  Op next = Op::kLiteral;
  for (size_t i = out.steps_.size(); i-- > 0;) {
    out.steps_[i].next_field = next;
    if (out.steps_[i].op != Op::kLiteral) next = out.steps_[i].op;
  }
  return out;
}

std::optional<int64_t> GoTimeLayout::parse_unix(std::string_view text) const noexcept {
  int64_t value = 0, out = 0;
  if (kind_ == Kind::kUnix) {
    const size_t dot = text.find('.');
    if (dot == std::string_view::npos || text.find('.', dot + 1) != std::string_view::npos) {
      if (!parse_int64(text, value) || !checked_ns(value, 0, out)) return std::nullopt;
      return out;
    }
    int64_t fraction = 0;
    const std::string_view digits = text.substr(dot + 1);
    if (!parse_int64(text.substr(0, dot), value) || !parse_int64(digits, fraction))
      return std::nullopt;
    // Promtail scales the fraction in floating point, which truncates digits past the ninth.
    double scale = 1;
    for (size_t i = digits.size(); i < 9; ++i) scale *= 10;
    double divisor = 1;
    for (size_t i = 9; i < digits.size(); ++i) divisor *= 10;
    const auto nanos =
        static_cast<int64_t>(static_cast<double>(fraction) * (scale * (1.0 / divisor)));
    if (!checked_ns(value, nanos, out)) return std::nullopt;
    return out;
  }
  if (!parse_int64(text, value)) return std::nullopt;
  const int64_t unit = kind_ == Kind::kUnixMs ? 1000000 : kind_ == Kind::kUnixUs ? 1000 : 1;
  if (__builtin_mul_overflow(value, unit, &out)) return std::nullopt;
  return out;
}

std::string_view go_float_text(std::string_view written, char* buffer, size_t size) noexcept {
  double value = 0;
  auto [end, ec] = std::from_chars(written.data(), written.data() + written.size(), value);
  if (ec != std::errc() || end != written.data() + written.size() || size < 400) return written;
  // The shortest digits come from the scientific form; Go then lays them out without exponent,
  // padding with zeros (C++'s fixed form would print the exact binary value's digits instead).
  char sci[64];
  auto [sci_end, ec2] = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific);
  if (ec2 != std::errc()) return written;
  std::string_view text(sci, static_cast<size_t>(sci_end - sci));
  const size_t e = text.find('e');
  int exponent = 0;
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(),
                  exponent);
  char digits[32];
  size_t count = 0;
  size_t out = 0;
  for (char c : text.substr(0, e)) {
    if (c == '-')
      buffer[out++] = '-';
    else if (c != '.')
      digits[count++] = c;
  }
  const int point = exponent + 1;  // digits before the decimal point
  if (point <= 0) {
    buffer[out++] = '0';
    buffer[out++] = '.';
    for (int i = point; i < 0; ++i) buffer[out++] = '0';
    for (size_t i = 0; i < count; ++i) buffer[out++] = digits[i];
  } else {
    for (int i = 0; i < point; ++i)
      buffer[out++] = static_cast<size_t>(i) < count ? digits[i] : '0';
    if (static_cast<size_t>(point) < count) {
      buffer[out++] = '.';
      for (size_t i = static_cast<size_t>(point); i < count; ++i) buffer[out++] = digits[i];
    }
  }
  return std::string_view(buffer, out);
}

}  // namespace tailcast::stages
