#include "dispatch/health.h"

#include "count/event_json.h"

namespace lc::dispatch {

nlohmann::ordered_json health_json(const HealthReport& r, const std::string& machine_id, const OutboxStatus& outbox,
                                   bool mqtt_connected, std::int64_t time_ns) {
  nlohmann::ordered_json j;
  j["machine_id"] = machine_id;
  j["time"] = count::iso8601_utc(time_ns);
  j["frames_per_s"] = r.frames_per_s;
  j["frames_dropped"] = r.frames_dropped;
  j["degraded_windows"] = r.degraded_windows;
  j["forced_commits"] = r.forced_commits;
  j["outbox_depth"] = outbox.unacknowledged;
  j["outbox_rows"] = outbox.rows;
  j["outbox_capacity"] = outbox.capacity;
  j["outbox_over_capacity"] = outbox.over_capacity;
  j["mqtt_connected"] = mqtt_connected;
  return j;
}

nlohmann::ordered_json counters_json(const std::string& machine_id, const ShiftState& shift,
                                     std::uint64_t next_sequence) {
  nlohmann::ordered_json j;
  j["machine_id"] = machine_id;
  j["shift_id"] = shift.shift_id;
  j["loads"] = shift.counters.loads;
  j["trips"] = shift.counters.trips;
  j["failed_loads"] = shift.counters.failed_loads;
  j["last_sequence"] = next_sequence - 1;
  return j;
}

}  // namespace lc::dispatch
