// `loadercount inspect LOG [--dbc FILE] [--json OUT]`: what is on a recorded bus.
//
// Counts frames, frames ignored by reason (11-bit, unknown PGN, wanted PGN from another source address,
// remote/error, CAN FD, bad lines), the busiest PGNs with their source addresses, and for each of the ten
// signals the count, min, max and mean of the decoded values (missing raw values are counted apart).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "can/candump.h"
#include "dbc/decode_plan.h"
#include "signals/engine_signals.h"
#include "util/expected.h"

namespace lc::app {

struct SignalStats {
  std::uint64_t count = 0;    // valid values
  std::uint64_t missing = 0;  // not-available / error raw values
  double min = 0, max = 0, sum = 0;
  double mean() const { return count ? sum / static_cast<double>(count) : 0.0; }
};

struct PgnStats {
  std::uint32_t pgn = 0;
  std::uint64_t frames = 0;
  std::map<std::uint8_t, std::uint64_t> sources;
};

struct InspectReport {
  std::string log;
  can::ReadStats read;
  std::uint64_t frames = 0;
  std::uint64_t decoded = 0;
  std::uint64_t ignored_standard = 0;
  std::uint64_t ignored_unknown_pgn = 0;
  std::uint64_t ignored_other_source = 0;
  std::uint64_t ignored_not_data = 0;
  double first_time_s = 0, last_time_s = 0;
  std::vector<PgnStats> pgns;  // sorted by frames, descending
  std::array<SignalStats, kSignalCount> signals{};
  std::vector<std::string> signals_not_in_dbc;
};

Expected<InspectReport> inspect_log(const std::string& log, const dbc::DecodePlan& plan, bool strict);
nlohmann::json to_json(const InspectReport& r);
std::string to_text(const InspectReport& r, std::size_t top_pgns = 10);

}  // namespace lc::app
