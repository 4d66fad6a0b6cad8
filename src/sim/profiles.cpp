#include "sim/profiles.h"

namespace lc::sim {

namespace {

std::vector<MachineProfile> make_profiles() {
  std::vector<MachineProfile> out;

  // Compact loader: 4-cylinder ~3.4 l, ~55 kW at 2400 rpm, 12 V, ~5.5 t operating mass, ~1 m^3 bucket.
  MachineProfile compact;
  compact.name = "compact";
  compact.description = "compact 5.5 t loader, 4-cyl 55 kW @ 2400 rpm, 12 V";
  compact.cylinders = 4;
  compact.system_voltage_v = 12;
  compact.low_idle_rpm = 900;
  compact.high_idle_rpm = 2580;
  compact.rated_rpm = 2400;
  compact.droop = 0.08;
  compact.torque_curve = {{{800, 60}, {1000, 72}, {1200, 88}, {1500, 100}, {1800, 95},
                           {2100, 82}, {2400, 68}, {2600, 64}, {2800, 60}}};
  compact.reference_torque_nm = 320;
  compact.inertia_kgm2 = 0.55;
  compact.boost_max_kpa = 130;
  compact.boost_tau_up_s = 0.7;
  compact.boost_tau_down_s = 0.4;
  compact.oil_idle_kpa = 130;
  compact.oil_rated_kpa = 380;
  compact.oil_relief_kpa = 560;
  compact.thermostat_open_c = 82;
  compact.thermostat_full_c = 92;
  compact.mass_kg = 5500;
  compact.payload_kg = 1700;
  compact.wheel_radius_m = 0.6;
  compact.stall_rpm = 2000;
  compact.gear_reduction = {41, 22, 12};
  compact.hyd_displacement_cc = 45;
  compact.hyd_relief_mpa = 21;
  compact.hyd_torque_limit_pct = 42;
  compact.pace = 0.85;
  compact.travel_m = 8;
  out.push_back(compact);

  // Mid-size loader: 6-cylinder ~7 l, ~160 kW at 2100 rpm, 24 V, ~17 t, ~3 m^3 bucket.
  MachineProfile mid;
  mid.name = "midsize";
  mid.description = "mid-size 17 t loader, 6-cyl 160 kW @ 2100 rpm, 24 V";
  mid.cylinders = 6;
  mid.system_voltage_v = 24;
  mid.low_idle_rpm = 750;
  mid.high_idle_rpm = 2250;
  mid.rated_rpm = 2100;
  mid.droop = 0.07;
  mid.torque_curve = {{{600, 58}, {800, 68}, {1000, 82}, {1200, 95}, {1400, 100},
                       {1600, 97}, {1800, 88}, {2100, 73}, {2300, 68}}};
  mid.reference_torque_nm = 1000;
  mid.inertia_kgm2 = 2.2;
  mid.boost_max_kpa = 200;
  mid.boost_tau_up_s = 0.9;
  mid.boost_tau_down_s = 0.5;
  mid.oil_idle_kpa = 150;
  mid.oil_rated_kpa = 420;
  mid.oil_relief_kpa = 600;
  mid.thermostat_open_c = 83;
  mid.thermostat_full_c = 93;
  mid.mass_kg = 17000;
  mid.payload_kg = 5500;
  mid.wheel_radius_m = 0.8;
  mid.stall_rpm = 1750;
  mid.gear_reduction = {56, 30, 16};
  mid.hyd_displacement_cc = 150;
  mid.hyd_relief_mpa = 25;
  mid.hyd_torque_limit_pct = 55;
  mid.pace = 1.0;
  mid.travel_m = 12;
  out.push_back(mid);

  // Large quarry loader: 6-cylinder ~13 l, ~360 kW at 1800 rpm, high low-speed torque, 24 V, ~50 t,
  // ~7 m^3 rock bucket.
  MachineProfile quarry;
  quarry.name = "quarry";
  quarry.description = "large 50 t quarry loader, 13 l 360 kW @ 1800 rpm, high torque, 24 V";
  quarry.cylinders = 6;
  quarry.system_voltage_v = 24;
  quarry.low_idle_rpm = 650;
  quarry.high_idle_rpm = 1950;
  quarry.rated_rpm = 1800;
  quarry.droop = 0.06;
  quarry.torque_curve = {{{600, 55}, {800, 65}, {1000, 84}, {1300, 100}, {1500, 98},
                          {1700, 87}, {1800, 80}, {2000, 74}, {2200, 70}}};
  quarry.reference_torque_nm = 2400;
  quarry.inertia_kgm2 = 6.0;
  quarry.boost_max_kpa = 260;
  quarry.boost_tau_up_s = 1.3;
  quarry.boost_tau_down_s = 0.7;
  quarry.oil_idle_kpa = 170;
  quarry.oil_rated_kpa = 450;
  quarry.oil_relief_kpa = 650;
  quarry.thermostat_open_c = 85;
  quarry.thermostat_full_c = 95;
  quarry.mass_kg = 50000;
  quarry.payload_kg = 15000;
  quarry.wheel_radius_m = 1.1;
  quarry.stall_rpm = 1550;
  quarry.gear_reduction = {97, 52, 28};
  quarry.hyd_displacement_cc = 400;
  quarry.hyd_relief_mpa = 30;
  quarry.hyd_torque_limit_pct = 50;
  quarry.pace = 1.25;
  quarry.travel_m = 18;
  out.push_back(quarry);
  return out;
}

std::vector<OperatorStyle> make_styles() {
  std::vector<OperatorStyle> out;
  OperatorStyle smooth;
  smooth.name = "smooth";
  smooth.pedal_rate_pct_s = 70;
  smooth.pedal_peak = 0.78;
  smooth.pedal_wobble = 0.02;
  smooth.duration_scale = 1.15;
  smooth.failed_load_share = 0.085;
  smooth.left_foot_braking = 0.15;
  out.push_back(smooth);

  OperatorStyle aggressive;
  aggressive.name = "aggressive";
  aggressive.pedal_rate_pct_s = 260;
  aggressive.pedal_peak = 0.97;
  aggressive.pedal_wobble = 0.06;
  aggressive.duration_scale = 0.85;
  aggressive.failed_load_share = 0.12;
  aggressive.left_foot_braking = 0.6;
  out.push_back(aggressive);
  return out;
}

}  // namespace

const std::vector<MachineProfile>& machine_profiles() {
  static const std::vector<MachineProfile> kProfiles = make_profiles();
  return kProfiles;
}

const std::vector<OperatorStyle>& operator_styles() {
  static const std::vector<OperatorStyle> kStyles = make_styles();
  return kStyles;
}

std::vector<std::string> profiles() {
  std::vector<std::string> names;
  for (const auto& p : machine_profiles()) names.emplace_back(p.name);
  return names;
}

std::optional<MachineProfile> find_profile(std::string_view name) {
  for (const auto& p : machine_profiles()) {
    if (p.name == name) return p;
  }
  return std::nullopt;
}

}  // namespace lc::sim
