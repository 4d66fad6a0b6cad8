#include "count/event_json.h"

#include <cstdio>
#include <ctime>

namespace lc::count {

std::string iso8601_utc(std::int64_t time_ns) {
  std::int64_t ms = time_ns / 1'000'000;
  if (time_ns % 1'000'000 < 0) --ms;
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int frac = static_cast<int>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::string event_id(const std::string& machine_id, std::uint64_t sequence) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%08llu", static_cast<unsigned long long>(sequence));
  return machine_id + buf;
}

nlohmann::ordered_json event_json(const Event& e, const std::string& machine_id, std::uint64_t sequence,
                                  const Counters& after) {
  nlohmann::ordered_json j;
  j["event_id"] = event_id(machine_id, sequence);
  j["machine_id"] = machine_id;
  j["type"] = std::string(event_type_name(e.type));
  j["time"] = iso8601_utc(e.time_ns);
  j["counters"] = {{"loads", after.loads}, {"trips", after.trips}, {"failed_loads", after.failed_loads}};
  return j;
}

}  // namespace lc::count
