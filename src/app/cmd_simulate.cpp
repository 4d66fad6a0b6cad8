#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "sim/simulator.h"

namespace lc::app {

void add_simulate_command(CLI::App& app, Runner& run) {
  struct Args {
    double minutes = 60;
    std::uint64_t seed = 1;
    std::string out, profile;
    bool faults = false;
  };
  auto a = std::make_shared<Args>();
  std::string names;
  for (const auto& p : sim::profiles()) names += (names.empty() ? "" : ", ") + p;
  CLI::App* cmd = app.add_subcommand("simulate", "Simulate labelled wheel-loader J1939 telemetry (PREFIX.log, PREFIX.labels.csv)");
  cmd->add_option("--minutes", a->minutes, "simulated time, minutes")->required();
  cmd->add_option("--seed", a->seed, "random seed (same seed and options: byte-identical files)")->required();
  cmd->add_option("--out", a->out, "output prefix")->required();
  cmd->add_option("--profile", a->profile, "machine profile: " + names + " (default: chosen by the seed)");
  cmd->add_flag("--faults", a->faults, "bus gaps, a PGN missing for minutes, NA values, a stuck sensor, timestamp jitter");
  cmd->callback([&run, a] {
    run = [a]() -> int {
      sim::SimOptions o;
      o.minutes = a->minutes;
      o.seed = a->seed;
      o.profile = a->profile;
      o.faults = a->faults;
      auto s = sim::simulate_to_files(o, a->out);
      if (!s) return report_error(s.error());
      std::printf("%s.log: %llu frames, %.0f s simulated, profile %s (%s operator)\n", a->out.c_str(),
                  static_cast<unsigned long long>(s->frames), s->seconds, s->profile.c_str(), s->operator_style.c_str());
      std::printf("%s.labels.csv: %d loads, %d trips, %d failed loads\n", a->out.c_str(), s->loads, s->trips, s->failed_loads);
      return 0;
    };
  });
}

}  // namespace lc::app
