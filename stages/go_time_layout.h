// GoTimeLayout: parses time strings as Go's time.Parse / ParseInLocation do with a reference layout
// ("2006-01-02T15:04:05.999999999Z07:00") or a named format of Promtail's timestamp stage. A layout
// is compiled once into a short program of fields that parsing runs without allocating.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stages/go_time_zone.h"

namespace tailcast::stages {

class GoTimeLayout {
 public:
  // `format` is a Go layout or a name: ANSIC, UnixDate, RubyDate, RFC822, RFC822Z, RFC850,
  // RFC1123, RFC1123Z, RFC3339, RFC3339Nano (parsed in UTC whatever `zone` is, as Promtail does),
  // Layout, Kitchen, Stamp, StampMilli, StampMicro, StampNano (layouts like any other), or Unix,
  // UnixMs, UnixUs, UnixNs (epoch numbers). Text without a zone is read in `zone`, null for UTC.
  static GoTimeLayout compile(std::string_view format, TimeZonePtr zone);

  // Unix nanoseconds, or nullopt when the text does not fit the layout or the instant does not
  // fit in int64 nanoseconds (before 1678 or after 2262). `now_ns` picks the year for layouts
  // without one: the current year, or the neighbouring one across New Year's Eve.
  std::optional<int64_t> parse(std::string_view text, int64_t now_ns) const noexcept;
  // False when parse() uses `now_ns`: a layout without a year.
  bool has_year() const noexcept { return kind_ != Kind::kLayout || has_year_; }

  enum class Op : uint8_t {
    kLiteral,
    kLongMonth,
    kMonth,
    kNumMonth,
    kZeroMonth,
    kLongWeekDay,
    kWeekDay,
    kDay,
    kUnderDay,
    kZeroDay,
    kUnderYearDay,
    kZeroYearDay,
    kHour,
    kHour12,
    kZeroHour12,
    kMinute,
    kZeroMinute,
    kSecond,
    kZeroSecond,
    kLongYear,
    kYear,
    kPM,
    kLowerPM,
    kTZ,
    kISO8601TZ,
    kISO8601SecondsTZ,
    kISO8601ShortTZ,
    kISO8601ColonTZ,
    kISO8601ColonSecondsTZ,
    kNumTZ,
    kNumSecondsTZ,
    kNumShortTZ,
    kNumColonTZ,
    kNumColonSecondsTZ,
    kFracSecond0,
    kFracSecond9,
  };
  struct Step {
    Op op = Op::kLiteral;
    uint8_t digits = 0;            // fractional-second digits in the layout
    Op next_field = Op::kLiteral;  // the next non-literal step, kLiteral when none
    uint32_t literal_at = 0;       // text of a kLiteral step, in literals_
    uint32_t literal_size = 0;
  };
  const std::vector<Step>& steps() const noexcept { return steps_; }

 private:
  enum class Kind : uint8_t { kLayout, kUnix, kUnixMs, kUnixUs, kUnixNs };
  struct Fields;

  std::optional<int64_t> parse_layout(std::string_view text, int64_t now_ns) const noexcept;
  bool parse_step(const Step& step, std::string_view& value, Fields& fields) const noexcept;
  std::optional<int64_t> parse_unix(std::string_view text) const noexcept;

  Kind kind_ = Kind::kLayout;
  std::vector<Step> steps_;
  std::string literals_;
  bool has_year_ = true;  // Promtail's test: the layout text contains "06" or "2006"
  TimeZonePtr zone_;
};

// Promtail's getString for a JSON number: strconv.FormatFloat(v, 'f', -1, 64) of the float64 it
// holds, the shortest digits that read back to it, never in exponent form. `buffer` must hold 400
// bytes; `written` comes back unchanged when it is not a number or the buffer is smaller.
std::string_view go_float_text(std::string_view written, char* buffer, size_t size) noexcept;

}  // namespace tailcast::stages
