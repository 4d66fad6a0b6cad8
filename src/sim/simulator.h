// The wheel-loader telemetry simulator: what `loadercount simulate` runs (src/sim/README.md says what it
// models and what it does not).
//
//   SimOptions o;  o.minutes = 60;  o.seed = 7;  o.faults = true;
//   auto summary = lc::sim::simulate_to_files(o, "out/run7");   // out/run7.log, out/run7.labels.csv
//
// Same options -> byte-identical files on every platform (own PRNG, no libm transcendental functions,
// no FMA contraction). The log's clock is Unix time starting at 1763700000 s plus a seed-dependent whole
// number of days (always a multiple of 5 s, so 5 s windows counted from the start are aligned to the
// clock); the labels use the same clock and cover the whole run, engine-off time included (EMPTY).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "can/frame.h"
#include "sim/bus.h"
#include "sim/profiles.h"
#include "util/expected.h"
#include "window/labels.h"

namespace lc::sim {

struct SimOptions {
  double minutes = 60;      // run length, (0, 10080]
  std::uint64_t seed = 1;
  std::string profile;      // "" = chosen by the seed; else one of profiles()
  bool faults = false;      // bus gaps, a PGN missing for minutes, NA values, a stuck sensor, stamp bursts
  // Optional: for every contract signal sample sent, the frame's time (ns), the signal index (Signal, in
  // ARCHITECTURE.md's order) and the physical value the simulator meant before quantisation (NaN when it
  // was sent as "not available"). Decoding the frame must give this value within half a bit.
  std::function<void(std::int64_t time_ns, int signal, double value)> on_truth;
};

struct SimSummary {
  std::uint64_t frames = 0;
  double seconds = 0;         // simulated
  double start_s = 0;         // Unix time of the run's start
  std::string profile;
  std::string operator_style;
  int loads = 0;              // LOADING -> LOADED in the labels
  int trips = 0;              // UNLOADING -> EMPTY
  int failed_loads = 0;       // LOADING -> EMPTY
  std::uint64_t dropped_frames = 0;  // lost in fault gaps
  std::uint64_t na_values = 0;       // contract signals sent as not available
};

struct SimRun {
  SimSummary summary;
  std::vector<LabelInterval> labels;  // contiguous, adjacent states differ, start..start+seconds
};

// Ok, or Error::bad_input for minutes outside (0, 10080] (or NaN) or an unknown profile, naming the valid ones.
Status check_options(const SimOptions& options);

// Runs the simulation, handing every frame (in timestamp order) to `sink`. Returns the summary and the
// labels, or Error::bad_input for minutes outside (0, 10080] or an unknown profile (naming the valid ones).
Expected<SimRun> simulate(const SimOptions& options, const std::function<void(const can::Frame&)>& sink);

// Writes PREFIX.log (candump -L) and PREFIX.labels.csv. Errors: as simulate(), plus Error::internal naming
// the file when it cannot be written.
Expected<SimSummary> simulate_to_files(const SimOptions& options, const std::string& prefix);

// Event counts in a labels sequence (the same definitions the counter uses).
void count_events(const std::vector<LabelInterval>& labels, SimSummary& out);

}  // namespace lc::sim
