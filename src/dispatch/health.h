// The machine's health and counters messages (JSON bodies of the `health` and `counters` topics).
//
//   health:   {"machine_id": "loader7", "time": "2026-11-22T01:00:00.000Z", "frames_per_s": 812.5,
//              "frames_dropped": 0, "degraded_windows": 3, "forced_commits": 1, "outbox_depth": 0,
//              "outbox_rows": 1200, "outbox_capacity": 100000, "outbox_over_capacity": false,
//              "mqtt_connected": true}
//   counters: {"machine_id": "loader7", "shift_id": "2026-11-22T00:00Z", "loads": 42, "trips": 41,
//              "failed_loads": 3, "last_sequence": 86}
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "dispatch/outbox.h"

namespace lc::dispatch {

// What the daemon measures; the publisher adds the outbox and connection fields.
struct HealthReport {
  double frames_per_s = 0;           // CAN frames received per second, over the daemon's report interval
  std::uint64_t frames_dropped = 0;  // since start (socket overflow, bad DLC, ...)
  std::uint64_t degraded_windows = 0;
  std::uint64_t forced_commits = 0;  // windows committed by the decoder's lag limit
};

nlohmann::ordered_json health_json(const HealthReport& r, const std::string& machine_id, const OutboxStatus& outbox,
                                   bool mqtt_connected, std::int64_t time_ns);
nlohmann::ordered_json counters_json(const std::string& machine_id, const ShiftState& shift,
                                     std::uint64_t next_sequence);

}  // namespace lc::dispatch
