// The event object of the contract (ARCHITECTURE.md "File formats", Events), one JSON object per event:
//   {"event_id": "loader7-00000042", "machine_id": "loader7", "type": "trip",
//    "time": "2025-11-21T04:40:12.500Z", "counters": {"loads": 42, "trips": 42, "failed_loads": 3}}
// event_id is the machine id and the event's sequence number in the machine's life (zero-padded to 8 digits),
// so it is stable across restarts and re-sends as long as the sequence is persisted (the daemon's outbox).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "count/events.h"

namespace lc::count {

std::string iso8601_utc(std::int64_t time_ns);  // millisecond precision, "Z"
std::string event_id(const std::string& machine_id, std::uint64_t sequence);
nlohmann::ordered_json event_json(const Event& e, const std::string& machine_id, std::uint64_t sequence,
                                  const Counters& after);

}  // namespace lc::count
