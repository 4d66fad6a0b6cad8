#include "dispatch/shift_calendar.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace lc::dispatch {
namespace {

constexpr std::int64_t kNsPerMin = 60'000'000'000LL;
constexpr std::int64_t kMinPerDay = 1440;

// Floor division, so times before 1970 still land in the right day.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

Expected<ShiftCalendar> ShiftCalendar::parse(const std::vector<std::string>& boundaries) {
  std::vector<int> mins;
  for (std::size_t i = 0; i < boundaries.size(); ++i) {
    const std::string& s = boundaries[i];
    const std::string where = "shift boundary " + std::to_string(i + 1) + " \"" + s + "\": ";
    const bool shape = s.size() == 5 && s[2] == ':' && std::isdigit(static_cast<unsigned char>(s[0])) &&
                       std::isdigit(static_cast<unsigned char>(s[1])) &&
                       std::isdigit(static_cast<unsigned char>(s[3])) && std::isdigit(static_cast<unsigned char>(s[4]));
    if (!shape) return Error::bad_input(where + "expected HH:MM (UTC)");
    const int h = (s[0] - '0') * 10 + (s[1] - '0');
    const int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 23 || m > 59) return Error::bad_input(where + "hour must be 00..23 and minute 00..59");
    const int v = h * 60 + m;
    if (std::find(mins.begin(), mins.end(), v) != mins.end()) return Error::bad_input(where + "duplicate boundary");
    mins.push_back(v);
  }
  if (mins.empty()) mins.push_back(0);
  std::sort(mins.begin(), mins.end());
  return ShiftCalendar(std::move(mins));
}

std::int64_t ShiftCalendar::shift_start_ns(std::int64_t time_ns) const {
  const std::int64_t minute = floor_div(time_ns, kNsPerMin);
  const std::int64_t day = floor_div(minute, kMinPerDay);
  const auto in_day = static_cast<int>(minute - day * kMinPerDay);
  // Latest boundary <= in_day; before the first boundary of the day, the shift began at yesterday's last one.
  auto it = std::upper_bound(m_boundaries_min.begin(), m_boundaries_min.end(), in_day);
  if (it == m_boundaries_min.begin()) return ((day - 1) * kMinPerDay + m_boundaries_min.back()) * kNsPerMin;
  return (day * kMinPerDay + *(it - 1)) * kNsPerMin;
}

std::int64_t ShiftCalendar::next_boundary_ns(std::int64_t time_ns) const {
  const std::int64_t start_min = shift_start_ns(time_ns) / kNsPerMin;
  const std::int64_t day = floor_div(start_min, kMinPerDay);
  const auto in_day = static_cast<int>(start_min - day * kMinPerDay);
  auto it = std::upper_bound(m_boundaries_min.begin(), m_boundaries_min.end(), in_day);
  if (it == m_boundaries_min.end()) return ((day + 1) * kMinPerDay + m_boundaries_min.front()) * kNsPerMin;
  return (day * kMinPerDay + *it) * kNsPerMin;
}

std::string ShiftCalendar::shift_id(std::int64_t time_ns) const {
  const std::int64_t start_min = shift_start_ns(time_ns) / kNsPerMin;
  const auto secs = static_cast<std::time_t>(start_min * 60);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min);
  return buf;
}

}  // namespace lc::dispatch
