// The simulator's bus decodes, through the product's own DBC and decode plan (what `inspect` and replay use), to
// the values the simulator meant: within half a bit of each signal's resolution, NA exactly where it sent NA.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "signals/engine_signals.h"
#include "sim/simulator.h"

namespace lc {
namespace {

TEST(SimulatorThroughDecodePlan, DecodesToTheValuesTheSimulatorMeant) {
  // Resolution (scaling per bit) of each signal, in kEngineSignals order (ARCHITECTURE.md's table).
  const double kResolution[kSignalCount] = {0.125, 1, 0.4, 0.4, 1, 0.05, 1, 2, 4, 0.03125};
  for (const bool faults : {false, true}) {
    sim::SimOptions o;
    o.minutes = 3;
    o.seed = 4242;
    o.faults = faults;
    std::printf("seed %llu faults %d\n", static_cast<unsigned long long>(o.seed), faults ? 1 : 0);
    std::map<std::pair<std::int64_t, int>, double> truth;
    o.on_truth = [&](std::int64_t t, int signal, double v) { truth[{t, signal}] = v; };
    auto plan = default_decode_plan();
    ASSERT_TRUE(plan);
    std::vector<dbc::DecodedValue> out(plan->max_values_per_frame());
    std::size_t compared = 0, na = 0;
    auto run = sim::simulate(o, [&](const can::Frame& f) {
      const auto r = plan->decode(f, out.data());
      for (std::size_t i = 0; i < r.count; ++i) {
        const int s = out[i].slot;
        auto it = truth.find({f.time_ns, s});
        ASSERT_NE(it, truth.end()) << "decoded a value the simulator did not send: signal " << s << " at " << f.time_ns;
        if (std::isnan(it->second)) {
          EXPECT_TRUE(std::isnan(out[i].value)) << kEngineSignals[static_cast<std::size_t>(s)].name;
          ++na;
        } else {
          EXPECT_NEAR(out[i].value, it->second, kResolution[s] / 2 + 1e-9) << kEngineSignals[static_cast<std::size_t>(s)].name;
        }
        ++compared;
        truth.erase(it);
      }
    });
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_GT(compared, 10000u);
    EXPECT_TRUE(truth.empty()) << truth.size() << " values the simulator sent were not decoded";
    if (faults) {
      EXPECT_GT(na, 0u);
    }
  }
}

}  // namespace
}  // namespace lc
