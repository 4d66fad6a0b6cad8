#include "sim/simulator.h"

#include "can/candump.h"
#include "sim/machine.h"
#include "sim/script.h"

namespace lc::sim {

namespace {

constexpr std::int64_t kEpochStartS = 1763700000;  // 2025-11-21 04:40:00 UTC, a multiple of 5 s
constexpr double kMaxMinutes = 7 * 24 * 60;

}  // namespace

void count_events(const std::vector<LabelInterval>& labels, SimSummary& out) {
  out.loads = out.trips = out.failed_loads = 0;
  for (std::size_t i = 1; i < labels.size(); ++i) {
    const State a = labels[i - 1].state;
    const State b = labels[i].state;
    if (a == State::Loading && b == State::Loaded) ++out.loads;
    if (a == State::Unloading && b == State::Empty) ++out.trips;
    if (a == State::Loading && b == State::Empty) ++out.failed_loads;
  }
}

Status check_options(const SimOptions& options) {
  if (!(options.minutes > 0 && options.minutes <= kMaxMinutes)) {
    return Error::bad_input("simulate: --minutes must be in (0, " + std::to_string(static_cast<int>(kMaxMinutes)) +
                            "], got " + std::to_string(options.minutes));
  }
  if (!options.profile.empty() && !find_profile(options.profile)) {
    std::string valid;
    for (const auto& name : profiles()) valid += (valid.empty() ? "" : ", ") + name;
    return Error::bad_input("simulate: unknown profile '" + options.profile + "' (valid: " + valid + ")");
  }
  return ok();
}

Expected<SimRun> simulate(const SimOptions& options, const std::function<void(const can::Frame&)>& sink) {
  LC_TRY_STATUS(check_options(options));
  Rng master(options.seed);
  const auto& all = machine_profiles();
  const auto by_seed = static_cast<std::size_t>(master.range(0, static_cast<std::int64_t>(all.size()) - 1));
  const MachineProfile profile = options.profile.empty() ? all[by_seed] : *find_profile(options.profile);
  const auto& styles = operator_styles();
  const OperatorStyle style = styles[static_cast<std::size_t>(master.range(0, static_cast<std::int64_t>(styles.size()) - 1))];
  const std::int64_t day = master.range(0, 364);
  const double ambient_c = master.uniform(-5, 32);
  const bool warm_start = master.chance(0.3);

  const std::int64_t start_us = (kEpochStartS + day * 86400) * 1'000'000;
  const auto total_steps = static_cast<std::int64_t>(options.minutes * 60.0 / kStepS + 0.5);
  const double start_s = static_cast<double>(kEpochStartS + day * 86400);

  Machine machine(profile, master.fork(), ambient_c, warm_start);
  Script script(profile, style, master.fork(), total_steps);
  Bus bus(profile, master.fork(), options.faults, start_us, total_steps * kStepUs, sink, options.on_truth);

  SimRun run;
  run.labels.reserve(static_cast<std::size_t>(total_steps / 2000 + 16));
  State current = State::Empty;
  std::int64_t current_start = 0;
  for (std::int64_t k = 0; k < total_steps; ++k) {
    const Controls c = script.controls(k, machine.state());
    const State st = script.state();
    if (k == 0) current = st;
    if (st != current) {
      run.labels.push_back({start_s + static_cast<double>(current_start) * kStepS,
                            start_s + static_cast<double>(k) * kStepS, current});
      current = st;
      current_start = k;
    }
    machine.step(c, kStepS);
    bus.step(k * kStepUs, kStepUs, machine.state(), c.hyd_flow, c.curl, script.ecu_powered());
  }
  run.labels.push_back({start_s + static_cast<double>(current_start) * kStepS,
                        start_s + static_cast<double>(total_steps) * kStepS, current});

  SimSummary& s = run.summary;
  s.frames = bus.stats().frames;
  s.dropped_frames = bus.stats().dropped;
  s.na_values = bus.stats().na_values;
  s.seconds = static_cast<double>(total_steps) * kStepS;
  s.start_s = start_s;
  s.profile = std::string(profile.name);
  s.operator_style = std::string(style.name);
  count_events(run.labels, s);
  return run;
}

Expected<SimSummary> simulate_to_files(const SimOptions& options, const std::string& prefix) {
  const std::string log_path = prefix + ".log";
  const std::string labels_path = prefix + ".labels.csv";
  LC_TRY_STATUS(check_options(options));  // before creating any file
  LC_TRY(writer, can::CandumpWriter::open(log_path));
  LC_TRY(run, simulate(options, [&writer](const can::Frame& f) { writer.write(f); }));
  LC_TRY_STATUS(writer.close());
  LC_TRY_STATUS(write_labels_csv(labels_path, run.labels));
  return run.summary;
}

}  // namespace lc::sim
