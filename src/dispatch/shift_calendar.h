// Shift boundaries and shift ids.
//
// A calendar is a list of boundaries "HH:MM" in UTC (e.g. {"06:00", "18:00"}); a shift runs from one boundary
// to the next, every day. A shift's id is the UTC start of the shift in ISO 8601 to the minute,
// "2026-11-22T06:00Z", so ids sort by time and say when the shift began without a second lookup.
// Local-time shifts are given in UTC by the configuration (a site in UTC+1 starting at 06:00 local writes
// "05:00"); daylight-saving changes are then a configuration change, deliberately not a silent one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/expected.h"

namespace lc::dispatch {

class ShiftCalendar {
 public:
  // One shift per day starting at 00:00 UTC.
  ShiftCalendar() = default;

  // Boundaries "HH:MM" (00:00..23:59, in any order). Error (BadInput) names the offending entry for a bad
  // format, a value out of range or a duplicate; an empty list means one shift per day from 00:00.
  static Expected<ShiftCalendar> parse(const std::vector<std::string>& boundaries);

  // Start (ns since the Unix epoch, UTC) of the shift that contains `time_ns`: the latest boundary <= time.
  std::int64_t shift_start_ns(std::int64_t time_ns) const;
  // "YYYY-MM-DDTHH:MMZ" of shift_start_ns(time_ns).
  std::string shift_id(std::int64_t time_ns) const;
  // Start of the shift after the one that contains `time_ns` (always > time_ns).
  std::int64_t next_boundary_ns(std::int64_t time_ns) const;

  const std::vector<int>& boundaries_min() const { return m_boundaries_min; }  // minutes after 00:00 UTC

 private:
  explicit ShiftCalendar(std::vector<int> b) : m_boundaries_min(std::move(b)) {}
  std::vector<int> m_boundaries_min{0};  // sorted, unique, each in [0, 1440)
};

}  // namespace lc::dispatch
