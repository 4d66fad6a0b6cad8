// Machine profiles and operator styles for the simulator.
//
// A profile is a wheel loader class: its engine (speeds, full-load torque curve, turbo, oil, thermostat,
// electrical system) and its machine (mass, payload, torque converter match, gear reductions, hydraulics,
// typical cycle pace). Values are round numbers in the range published for machines of that class, not
// any one manufacturer's data. Percent torques are J1939's: percent of the engine's reference torque
// (the peak of the full-load curve here).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lc::sim {

// One point of a piecewise-linear curve.
struct CurvePoint {
  double x = 0;
  double y = 0;
};

inline constexpr std::size_t kTorqueCurvePoints = 9;
inline constexpr int kGears = 3;

struct MachineProfile {
  std::string_view name;
  std::string_view description;
  int cylinders = 6;
  double system_voltage_v = 24;  // 12 or 24 V electrical system

  // Engine speeds, rpm.
  double low_idle_rpm = 750;
  double high_idle_rpm = 2250;  // no-load governed speed at full pedal
  double rated_rpm = 2100;
  double droop = 0.07;  // governor droop: full torque at this fraction of rated speed below the set speed
  // Full-load torque, percent of reference, against engine speed (rpm); flat outside the table.
  std::array<CurvePoint, kTorqueCurvePoints> torque_curve{};
  double reference_torque_nm = 1000;
  double inertia_kgm2 = 2.5;  // engine + converter pump, referred to the crankshaft

  // Air system: intake manifold (boost) gauge pressure at full load and rated speed, kPa; turbo time
  // constants, s (spool-up is slower than run-down).
  double boost_max_kpa = 200;
  double boost_tau_up_s = 0.9;
  double boost_tau_down_s = 0.5;

  // Oil pressure when hot, kPa, at low idle and at rated speed; relief valve, kPa.
  double oil_idle_kpa = 150;
  double oil_rated_kpa = 420;
  double oil_relief_kpa = 600;

  // Thermostat starts to open / fully open, deg C.
  double thermostat_open_c = 83;
  double thermostat_full_c = 93;

  // Machine.
  double mass_kg = 17000;
  double payload_kg = 5500;  // one full bucket
  double wheel_radius_m = 0.8;
  // Torque converter: engine speed (rpm) at which, with the turbine held (stall) and no hydraulic load,
  // the converter absorbs the full-load torque; it sets where a dig lugs the engine down to.
  double stall_rpm = 1750;
  std::array<double, kGears> gear_reduction{};  // turbine to wheel, forward and reverse alike
  double hyd_displacement_cc = 150;             // working + steering pumps, cm^3/rev
  double hyd_relief_mpa = 25;
  double hyd_torque_limit_pct = 55;  // pump torque limiter, percent of reference torque

  // Pace: multiplies every phase duration (bigger machines are slower), and travel distance, m.
  double pace = 1.0;
  double travel_m = 12;
};

struct OperatorStyle {
  std::string_view name;
  double pedal_rate_pct_s = 120;   // how fast the foot moves, percent of travel per second
  double pedal_peak = 0.9;         // typical pedal when he wants power, 0..1
  double pedal_wobble = 0.03;      // pedal pumping, 0..1 (standard deviation)
  double duration_scale = 1.0;     // <1: quicker phases
  double failed_load_share = 0.1;  // share of dig attempts abandoned
  double left_foot_braking = 0.3;  // probability of braking with the pedal kept up (for hydraulic flow)
};

// All profiles, in a fixed order (the seed picks among them by index).
const std::vector<MachineProfile>& machine_profiles();
const std::vector<OperatorStyle>& operator_styles();

// Names of the profiles, for --help.
std::vector<std::string> profiles();

// The profile with this name, or nullopt.
std::optional<MachineProfile> find_profile(std::string_view name);

// Linear interpolation in a sorted curve; clamps to the end values outside it.
template <std::size_t N>
double interpolate(const std::array<CurvePoint, N>& curve, double x) {
  if (x <= curve[0].x) return curve[0].y;
  for (std::size_t i = 1; i < N; ++i) {
    if (x <= curve[i].x) {
      const double f = (x - curve[i - 1].x) / (curve[i].x - curve[i - 1].x);
      return curve[i - 1].y + f * (curve[i].y - curve[i - 1].y);
    }
  }
  return curve[N - 1].y;
}

}  // namespace lc::sim
