// TZif reading follows RFC 8536: the version 2+ block with 64-bit times is used when present.
#include "stages/ray_serve_time.h"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iterator>

namespace tailcast::stages::ray {
namespace {

constexpr int64_t kNanos = 1'000'000'000;

int64_t read_be(const std::string& data, size_t at, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value = (value << 8) | static_cast<uint8_t>(data[at + i]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(value));
  return static_cast<int64_t>(value);
}

struct TzifCounts {
  size_t isut, isstd, leap, time, type, chars;
};

bool read_counts(const std::string& data, size_t at, TzifCounts& out) {
  if (data.size() < at + 44 || data.compare(at, 4, "TZif") != 0) return false;
  auto count = [&](size_t i) { return static_cast<size_t>(read_be(data, at + 20 + 4 * i, 4)); };
  out = TzifCounts{count(0), count(1), count(2), count(3), count(4), count(5)};
  return true;
}

}  // namespace

Result<LocalZone> LocalZone::load(const std::string& location) {
  LocalZone zone;
  if (location.empty() || location == "Local") {
    tzset();
    return zone;
  }
  zone.use_libc_ = false;
  if (location == "UTC") return zone;
  if (location.find("..") != std::string::npos || location.front() == '/')
    return make_error(Errc::kInvalidConfig, "unknown time zone \"" + location + "\"");
  std::ifstream file("/usr/share/zoneinfo/" + location, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  TzifCounts counts;
  if (!file.is_open() || !read_counts(data, 0, counts))
    return make_error(Errc::kInvalidConfig, "unknown time zone \"" + location + "\"");
  size_t at = 44;
  size_t time_bytes = 4;
  if (data[4] >= '2') {
    at += counts.time * 5 + counts.type * 6 + counts.chars + counts.leap * 8 + counts.isstd +
          counts.isut;
    if (!read_counts(data, at, counts))
      return make_error(Errc::kInvalidConfig, "time zone \"" + location + "\" is not valid TZif");
    at += 44;
    time_bytes = 8;
  }
  const size_t types_at = at + counts.time * time_bytes;
  const size_t infos_at = types_at + counts.time;
  if (counts.type == 0 || data.size() < infos_at + counts.type * 6)
    return make_error(Errc::kInvalidConfig, "time zone \"" + location + "\" is not valid TZif");
  auto offset_of = [&](size_t type) {
    return static_cast<int32_t>(read_be(data, infos_at + 6 * type, 4));
  };
  zone.initial_offset_ = offset_of(0);
  for (size_t i = 0; i < counts.time; ++i) {
    const size_t type = static_cast<uint8_t>(data[types_at + i]);
    if (type >= counts.type) continue;
    zone.transitions_.push_back(read_be(data, at + i * time_bytes, time_bytes));
    zone.offsets_.push_back(offset_of(type));
  }
  return zone;
}

int32_t LocalZone::offset_at(int64_t unix_seconds) const noexcept {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unix_seconds);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

int64_t LocalZone::hour_to_unix(int64_t local_hour_start, const CivilTime& civil) noexcept {
  if (use_libc_) {
    std::tm tm{};
    tm.tm_year = civil.year - 1900;
    tm.tm_mon = civil.month - 1;
    tm.tm_mday = civil.day;
    tm.tm_hour = civil.hour;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm));
  }
  // The offset in force at the guessed instant; a second look settles times near a transition.
  const int32_t guess = offset_at(local_hour_start);
  const int32_t offset = offset_at(local_hour_start - guess);
  return local_hour_start - offset;
}

int64_t LocalZone::to_unix_ns(const CivilTime& civil) noexcept {
  const int64_t local_hour =
      days_from_civil(civil.year, civil.month, civil.day) * 86400 + civil.hour * 3600;
  if (local_hour != cached_local_hour_) {
    cached_unix_hour_ = hour_to_unix(local_hour, civil);
    cached_local_hour_ = local_hour;
  }
  // Years outside 1678..2261 do not fit int64 nanoseconds: saturate rather than overflow.
  constexpr int64_t kMaxSeconds = INT64_MAX / kNanos - 1;
  const int64_t seconds = std::clamp<int64_t>(cached_unix_hour_ + civil.minute * 60 + civil.second,
                                              -kMaxSeconds, kMaxSeconds);
  return seconds * kNanos + static_cast<int64_t>(civil.millis) * 1'000'000;
}

}  // namespace tailcast::stages::ray
