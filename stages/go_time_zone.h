// TimeZone: an IANA zone read from the system's TZif files (/usr/share/zoneinfo), answering what
// Go's time.Location answers while parsing: the offset at an instant, the instant of a wall-clock
// time (gaps and overlaps included) and the meaning of an abbreviation such as "EDT".
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/result.h"

namespace tailcast::stages {

class TimeZone;
using TimeZonePtr = std::shared_ptr<const TimeZone>;

class TimeZone {
 public:
  struct Type {
    int32_t offset = 0;  // seconds east of UTC
    bool is_dst = false;
    std::string abbreviation;
  };
  // The zone type in effect at an instant and the instants where it starts and stops applying.
  struct Span {
    const Type* type = nullptr;
    int64_t start = std::numeric_limits<int64_t>::min();
    int64_t end = std::numeric_limits<int64_t>::max();
  };

  static TimeZonePtr utc();
  // An IANA name ("America/New_York"), "UTC" or "Local" (/etc/localtime). Zones are read once per
  // process and shared.
  static Result<TimeZonePtr> load(std::string_view name);
  // Parses TZif data (RFC 8536, versions 1 to 4) including the footer rule that extends the table.
  static Result<TimeZonePtr> from_tzif(std::string_view data, std::string name);

  const std::string& name() const noexcept { return name_; }
  Span lookup(int64_t unix_seconds) const noexcept;
  // `wall_seconds` is a civil time counted as if it were UTC. Times in a spring-forward gap take
  // the offset in effect after the gap; times in a fall-back overlap take the first occurrence.
  int64_t to_unix(int64_t wall_seconds) const noexcept;
  // The offset an abbreviation stands for, preferring a zone type in effect at that wall time.
  std::optional<int32_t> abbreviation_offset(std::string_view abbreviation,
                                             int64_t wall_seconds) const noexcept;

 private:
  TimeZone() = default;
  uint16_t add_type(int32_t offset, bool is_dst, std::string_view abbreviation);
  bool extend_with_rule(std::string_view rule);
  void pick_first_type();

  std::string name_;
  std::vector<Type> types_;
  std::vector<int64_t> transitions_;  // ascending instants
  std::vector<uint16_t> type_after_;  // the type index that applies from each transition on
  uint16_t first_type_ = 0;           // the type before the first transition
};

// Days since 1970-01-01 of a proleptic Gregorian date; months and days may overflow.
int64_t days_from_civil(int64_t year, int64_t month, int64_t day) noexcept;
bool is_leap_year(int64_t year) noexcept;
int days_in_month(int64_t month, int64_t year) noexcept;

}  // namespace tailcast::stages
