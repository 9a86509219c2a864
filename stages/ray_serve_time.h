// Local civil time → Unix time for the `ray_serve` stage. Python's asctime carries no zone, so the
// stage reads it in the process's zone or in a configured IANA `location` (TZif from zoneinfo).
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/result.h"
#include "stages/ray_serve_scan.h"

namespace tailcast::stages::ray {

// Owned by one stage and used on its pipeline thread only (it caches the last hour converted).
class LocalZone {
 public:
  // Empty or "Local": the process's zone, through the C library. "UTC" or a zoneinfo name such as
  // "Europe/Berlin": that zone's transitions.
  static Result<LocalZone> load(const std::string& location);

  int64_t to_unix_ns(const CivilTime& civil) noexcept;

 private:
  int64_t hour_to_unix(int64_t local_hour_start, const CivilTime& civil) noexcept;
  int32_t offset_at(int64_t unix_seconds) const noexcept;

  bool use_libc_ = true;
  std::vector<int64_t> transitions_;  // Unix seconds, ascending
  std::vector<int32_t> offsets_;      // UTC offset in force from transitions_[i]
  int32_t initial_offset_ = 0;        // before the first transition
  int64_t cached_local_hour_ = INT64_MIN;
  int64_t cached_unix_hour_ = 0;
};

}  // namespace tailcast::stages::ray
