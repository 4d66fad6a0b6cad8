#include "sim/machine.h"

#include <algorithm>
#include <cmath>

namespace lc::sim {

namespace {

constexpr double kG = 9.81;                     // m/s^2
constexpr double kTwoPi = 6.283185307179586;
constexpr double kRpmPerRadS = 60.0 / kTwoPi;
constexpr double kDrivelineEfficiency = 0.88;
constexpr double kAxleRatio = 20.0;             // transmission output shaft to wheel

double clamp01(double x) { return std::clamp(x, 0.0, 1.0); }
// First-order lag factor for one step: exact arithmetic, no exp().
double lag(double dt_s, double tau_s) { return dt_s / (tau_s + dt_s); }

}  // namespace

Machine::Machine(const MachineProfile& profile, Rng rng, double ambient_c, bool warm_start)
    : m_p(profile), m_rng(rng) {
  m_s.ambient_c = ambient_c;
  m_s.coolant_c = warm_start ? m_rng.uniform(62, 84) : ambient_c + m_rng.uniform(0, 3);
  m_s.oil_temp_c = warm_start ? m_s.coolant_c - 2 : m_s.coolant_c;
  m_s.fuel_temp_c = ambient_c + (warm_start ? 10 : 0);
  m_s.intake_temp_c = ambient_c;
  m_exhaust_fast_c = m_exhaust_slow_c = warm_start ? 110 : ambient_c;
  m_s.exhaust_right_c = m_s.exhaust_left_c = m_exhaust_slow_c;
  const double k = m_p.system_voltage_v / 12.0;
  m_rest_v = k * m_rng.uniform(12.35, 12.75);
  m_charge_v = k * m_rng.uniform(13.85, 14.35);
  m_s.battery_v = m_rest_v;
  m_oil_factor = m_rng.uniform(0.92, 1.08);
  m_s.gear = 2;

  // Converter size: at stall speed with the turbine held it absorbs what the engine has left after
  // friction and ~4 % of accessories and hydraulic standby, so a full-pedal dig settles near stall_rpm.
  const double hot_friction = 5 + 3 * (m_p.stall_rpm / m_p.rated_rpm) +
                              7 * (m_p.stall_rpm / m_p.rated_rpm) * (m_p.stall_rpm / m_p.rated_rpm);
  const double stall_torque_nm =
      (interpolate(m_p.torque_curve, m_p.stall_rpm) - hot_friction - 4) / 100 * m_p.reference_torque_nm;
  m_converter_k = stall_torque_nm / (m_p.stall_rpm * m_p.stall_rpm);
}

// Nominal friction (incl. pumping losses), % of reference: rises with speed, higher with cold thick oil.
double Machine::friction_pct(double rpm) const {
  const double r = rpm / m_p.rated_rpm;
  const double cold = clamp01((70 - m_s.oil_temp_c) / 60);
  return (5 + 3 * r + 7 * r * r) * (1 + 0.5 * cold);
}

// Fraction of full boost the turbo can make at this engine speed (little at low speed).
double Machine::boost_speed_factor(double rpm) const {
  const double r = rpm / m_p.rated_rpm;
  return std::clamp(0.12 + 0.88 * r * r, 0.0, 1.1);
}

void Machine::step_engine_start(const Controls& c, double dt_s) {
  if (!c.key_on) {
    m_s.running = false;
    m_s.cranking = false;
    return;
  }
  if (c.crank && !m_s.running) {
    if (!m_s.cranking) {
      m_s.cranking = true;
      m_crank_s = 0;
      const double cold = clamp01((40 - m_s.coolant_c) / 50);
      m_fire_after_s = m_rng.uniform(0.6, 1.3) + 1.5 * cold;
    }
    m_crank_s += dt_s;
    // Starter speed with a compression ripple (one dip per cylinder firing interval).
    const double crank_rpm = (m_p.cylinders == 4 ? 230.0 : 170.0);
    m_crank_phase += m_s.engine_rpm / 60.0 * m_p.cylinders / 2.0 * dt_s;
    m_crank_phase -= static_cast<double>(static_cast<long>(m_crank_phase));
    const double tri = 2 * std::abs(2 * m_crank_phase - 1) - 1;  // -1..1
    m_s.engine_rpm += (crank_rpm + 30 * tri - m_s.engine_rpm) * lag(dt_s, 0.08);
    if (m_crank_s >= m_fire_after_s) {
      m_s.running = true;
      m_s.cranking = false;
      m_since_start_s = 0;
    }
    return;
  }
  m_s.cranking = false;
}

void Machine::step_driveline(const Controls& c, double dt_s, double& pump_torque_nm) {
  MachineState& s = m_s;
  const double n = s.engine_rpm;
  const double wheel_circ_m = kTwoPi * m_p.wheel_radius_m;
  auto top_speed_ms = [&](int gear) {
    return 0.85 * m_p.high_idle_rpm / m_p.gear_reduction[gear - 1] / 60.0 * wheel_circ_m;
  };

  // Transmission: a direction change is a shuttle shift (clutch fill), gear changes by speed.
  const double speed = std::abs(s.vehicle_speed_ms);
  if (c.direction != s.direction) {
    s.direction = c.direction;
    m_shift_left_s = m_rng.uniform(0.35, 0.6);
  }
  int target = s.gear;
  if (c.kickdown && (s.gear == 1 || speed < 0.8 * top_speed_ms(1))) {
    target = 1;  // kick-down only below first gear's speed (the controller protects the engine)
  } else if (s.gear == 1 && speed > 0.5 * top_speed_ms(1)) {
    target = 2;
  } else if (s.gear == 2 && c.max_gear >= 3 && speed > 0.8 * top_speed_ms(2)) {
    target = 3;
  } else if (s.gear == 3 && (c.max_gear < 3 || speed < 0.45 * top_speed_ms(2))) {
    target = 2;
  } else if (s.gear == 1 && s.direction == 0) {
    target = 2;  // the automatic starts in second
  }
  if (target != s.gear) {
    s.gear = target;
    m_shift_left_s = std::max(m_shift_left_s, m_rng.uniform(0.4, 0.7));
  }
  s.shifting = m_shift_left_s > 0;
  if (m_shift_left_s > 0) m_shift_left_s -= dt_s;

  // Torque converter.
  const double reduction = m_p.gear_reduction[s.gear - 1];
  const double wheel_rpm = s.vehicle_speed_ms / wheel_circ_m * 60.0;
  double drive_force_n = 0;
  s.declutched = c.declutch;
  if (s.direction == 0 || s.shifting || c.declutch) {
    pump_torque_nm = m_converter_k * n * n * 0.04;  // turbine free-wheels with the pump
    s.turbine_rpm = 0.9 * n;
  } else {
    const double turbine_rpm = wheel_rpm * reduction * s.direction;
    const double sr = turbine_rpm / std::max(n, 200.0);
    double capacity = 0;
    double torque_ratio = 1;
    if (sr < 0) {  // turbine driven backwards: the converter brakes the machine (shuttle without brakes)
      capacity = 1 + 0.3 * std::min(1.0, -sr);
      torque_ratio = 2.5;
    } else if (sr < 0.92) {
      capacity = 1 - 0.95 * sr * sr;
      torque_ratio = std::max(1.0, 2.4 - 1.4 * sr / 0.85);
    } else {  // coupling and overrun
      capacity = std::max(-0.3, 0.196 - 4 * (sr - 0.92));
    }
    pump_torque_nm = m_converter_k * n * n * capacity;
    drive_force_n = s.direction * torque_ratio * pump_torque_nm * reduction * kDrivelineEfficiency /
                    m_p.wheel_radius_m;
    s.turbine_rpm = std::abs(turbine_rpm);
  }
  s.output_rpm = std::abs(wheel_rpm) * kAxleRatio;

  // Vehicle.
  const double mass_kg = m_p.mass_kg + c.payload * m_p.payload_kg;
  m_terrain += -m_terrain * lag(dt_s, 4.0) + 0.004 * m_rng.normal() * 0.0707;  // ~sqrt(5 ms)
  const double roll_n = std::max(0.015, 0.035 + m_terrain) * mass_kg * kG;
  const double brake_n = c.brake * 0.55 * mass_kg * kG;
  s.brake = c.brake;
  double pile_n = 0;
  if (c.in_pile) {
    if (s.vehicle_speed_ms > 0) m_penetration_m += s.vehicle_speed_ms * dt_s;
    const double k_pile = 0.9 * mass_kg * kG / 0.7;  // N per m of penetration
    pile_n = k_pile * m_penetration_m * (1 - 0.45 * c.curl) * c.pile_hardness;
  } else {
    m_penetration_m = std::max(0.0, m_penetration_m - 2 * dt_s);
  }
  double v = s.vehicle_speed_ms;
  if (std::abs(v) < 0.03) {
    // Standing: moves only if the drive beats static resistance (and the pile when pushing forward).
    const double hold = roll_n + brake_n + (drive_force_n > 0 ? pile_n : 0);
    if (std::abs(drive_force_n) <= hold) {
      v = 0;
    } else {
      v += (drive_force_n - (drive_force_n > 0 ? hold : -hold)) / mass_kg * dt_s;
    }
  } else {
    const double resist = (v > 0 ? 1 : -1) * (roll_n + brake_n) + (v > 0 ? pile_n : 0);
    double nv = v + (drive_force_n - resist) / mass_kg * dt_s;
    if ((nv > 0) != (v > 0)) {
      // Crossing zero: resistances stop the machine but never push it backwards; only a drive force
      // pointing the new way (a shuttle shift) that beats the static resistance keeps it going.
      const bool drive_reverses = (drive_force_n > 0) == (nv > 0);
      if (!drive_reverses || std::abs(drive_force_n) <= roll_n + brake_n) nv = 0;
    }
    v = nv;
  }
  s.vehicle_speed_ms = v;
}

void Machine::step(const Controls& c, double dt_s) {
  MachineState& s = m_s;
  step_engine_start(c, dt_s);
  s.pedal = c.pedal;
  const double n = s.engine_rpm;
  const double r = n / m_p.rated_rpm;
  const double fric = friction_pct(n);
  s.friction_pct = fric;

  // Full-load curve, over-temperature derate, and the smoke limiter (fuel follows the air the turbo gives).
  double curve = interpolate(m_p.torque_curve, n);
  if (s.coolant_c > 104) curve *= std::max(0.6, 1 - (s.coolant_c - 104) * 0.04);
  s.max_available_pct = s.running ? curve : 0;
  const double boost_full = std::max(1.0, m_p.boost_max_kpa * boost_speed_factor(n));
  const double smoke = curve * (0.62 + 0.38 * std::min(1.0, s.boost_kpa / (0.9 * boost_full)));

  // All-speed governor with droop: the pedal sets a speed; torque rises as speed falls below it.
  if (s.running) {
    m_since_start_s += dt_s;
    double set = m_p.low_idle_rpm + c.pedal * (m_p.high_idle_rpm - m_p.low_idle_rpm);
    if (m_since_start_s < 1.5) set += 350 * (1 - m_since_start_s / 1.5);  // start fuel flare
    s.set_speed_rpm = set;
    const double demand = std::clamp(fric + (set - n) / (m_p.droop * m_p.rated_rpm) * 100, 0.0, 125.0);
    s.demand_torque_pct = demand;
    const double cmd = std::min(demand, std::min(curve, smoke));
    s.actual_torque_pct += (cmd - s.actual_torque_pct) * lag(dt_s, 0.04);
  } else {
    s.set_speed_rpm = 0;
    s.demand_torque_pct = 0;
    s.actual_torque_pct = 0;
  }
  s.load_pct = s.running ? std::clamp((s.actual_torque_pct - fric) / std::max(1.0, curve - fric) * 100, 0.0, 125.0)
                         : 0;

  // Loads on the crankshaft, N m.
  double pump_nm = 0;
  step_driveline(c, dt_s, pump_nm);
  const double flow = clamp01(c.hyd_flow);
  double p_mpa = 2.5 + (c.hyd_pressure_mpa - 2.5) * std::min(1.0, flow * 1.5);
  p_mpa = std::clamp(p_mpa, 2.0, m_p.hyd_relief_mpa);
  s.hyd_pressure_mpa = p_mpa;
  double hyd_nm = p_mpa * m_p.hyd_displacement_cc * (0.1 + 0.9 * flow) / (kTwoPi * 0.9);
  hyd_nm = std::min(hyd_nm, m_p.hyd_torque_limit_pct / 100 * m_p.reference_torque_nm);
  // Anti-stall: the pump controller destrokes when engine speed sags far below working speed.
  hyd_nm *= std::clamp((n - 0.45 * m_p.rated_rpm) / (0.15 * m_p.rated_rpm), 0.2, 1.0);
  if (n < 100) hyd_nm *= n / 100;
  const double fan_target = std::clamp((s.coolant_c - (m_p.thermostat_full_c - 4)) / 8, 0.1, 1.0);
  s.fan += (fan_target - s.fan) * lag(dt_s, 3.0);
  const double fan_nm = s.fan * 0.06 * m_p.reference_torque_nm * r * r;
  const double alt_nm = s.running ? (m_since_start_s < 20 ? 0.025 : 0.012) * m_p.reference_torque_nm : 0;
  const double load_nm = pump_nm + hyd_nm + fan_nm + alt_nm;

  if (!s.cranking) {
    const double fric_nm = n > 0 ? fric / 100 * m_p.reference_torque_nm : 0;
    const double net_nm = s.actual_torque_pct / 100 * m_p.reference_torque_nm - fric_nm - load_nm;
    s.engine_rpm = std::max(0.0, n + net_nm / m_p.inertia_kgm2 * dt_s * kRpmPerRadS);
  }

  // Stalled: too slow to keep firing.
  if (s.running && m_since_start_s > 2 && s.engine_rpm < 0.4 * m_p.low_idle_rpm) s.running = false;

  step_thermal_electrical(c, dt_s);
}

void Machine::step_thermal_electrical(const Controls& c, double dt_s) {
  MachineState& s = m_s;
  const double n = s.engine_rpm;
  const double r = n / m_p.rated_rpm;
  const double amb = s.ambient_c;
  const double rated_kw =
      interpolate(m_p.torque_curve, m_p.rated_rpm) / 100 * m_p.reference_torque_nm * m_p.rated_rpm / kRpmPerRadS / 1000;
  const double ind_kw = std::max(0.0, s.actual_torque_pct) / 100 * m_p.reference_torque_nm * n / kRpmPerRadS / 1000;
  const double tq = std::clamp(s.actual_torque_pct / 100, 0.0, 1.2);
  const double cold = clamp01((70 - s.coolant_c) / 60);

  // Coolant: heat from combustion against block losses and a thermostat-controlled radiator with fan.
  const double heat_kw = s.running ? 0.55 * ind_kw + 0.015 * rated_kw : 0;
  const double capacity_kj_k = 2.5 * rated_kw;
  const double open = clamp01((s.coolant_c - m_p.thermostat_open_c) / (m_p.thermostat_full_c - m_p.thermostat_open_c));
  const double loss_kw_k = 0.0004 * rated_kw + (s.running ? 0.002 * rated_kw + 0.011 * rated_kw * open * (0.55 + 0.45 * s.fan) : 0);
  s.coolant_c += (heat_kw - loss_kw_k * (s.coolant_c - amb)) / capacity_kj_k * dt_s;
  s.oil_temp_c += (s.coolant_c + (s.running ? 3 + 12 * tq : -2) - s.oil_temp_c) * lag(dt_s, 90);
  s.fuel_temp_c += (amb + 0.35 * (s.coolant_c - amb) - s.fuel_temp_c) * lag(dt_s, 300);

  // Turbo: boost follows fuel and speed, slower up than down.
  const double boost_target =
      s.running ? 2 + m_p.boost_max_kpa * boost_speed_factor(n) * std::clamp(s.actual_torque_pct / 90, 0.0, 1.15) : 0;
  const double tau_boost = boost_target > s.boost_kpa ? m_p.boost_tau_up_s : m_p.boost_tau_down_s;
  s.boost_kpa += (boost_target - s.boost_kpa) * lag(dt_s, tau_boost);
  s.intake_temp_c += (amb + 8 + 0.12 * s.boost_kpa - s.intake_temp_c) * lag(dt_s, 20);

  // Oil pressure: pump output with speed, thick cold oil raises it, the relief valve caps it.
  double oil_target = 0;
  if (n > 20) {
    oil_target = n < m_p.low_idle_rpm
                     ? m_p.oil_idle_kpa * n / m_p.low_idle_rpm
                     : m_p.oil_idle_kpa + (m_p.oil_rated_kpa - m_p.oil_idle_kpa) * (n - m_p.low_idle_rpm) /
                                              (m_p.rated_rpm - m_p.low_idle_rpm);
    const double visc = 1 + 1.1 * clamp01((85 - s.oil_temp_c) / 70);
    oil_target = std::min(oil_target * visc * m_oil_factor, m_p.oil_relief_kpa);
  }
  s.oil_pressure_kpa += (oil_target - s.oil_pressure_kpa) * lag(dt_s, 0.25);

  // Exhaust manifold: gas temperature with load and speed; the sensor sees a fast gas part and a slow
  // manifold-wall part.
  if (s.running) {
    const double gas = amb + 110 + 500 * tq * (0.6 + 0.4 * r) + 40 * r - 25 * cold;
    m_exhaust_fast_c += (gas - m_exhaust_fast_c) * lag(dt_s, 3);
    m_exhaust_slow_c += (gas - m_exhaust_slow_c) * lag(dt_s, 35);
  } else {
    m_exhaust_fast_c += (amb - m_exhaust_fast_c) * lag(dt_s, 60);
    m_exhaust_slow_c += (amb - m_exhaust_slow_c) * lag(dt_s, 400);
  }
  s.exhaust_right_c = 0.35 * m_exhaust_fast_c + 0.65 * m_exhaust_slow_c;
  s.exhaust_left_c = s.exhaust_right_c - 9 + 4 * tq;
  s.fuel_rate_lph = s.running ? 0.6 + ind_kw * 0.2575 * (1 + 0.25 * (1 - tq)) : 0;

  // Electrical: rest voltage with the key on, a dip with a compression ripple while cranking, the
  // regulator's set point when charging (a little lower with the fan and alternator working hard).
  const double k = m_p.system_voltage_v / 12.0;
  double target_v = m_rest_v - 0.12 * k;
  double tau_v = 1.5;
  if (!c.key_on) {
    target_v = m_rest_v;
  } else if (s.cranking) {
    const double inrush = m_crank_s < 0.15 ? 1.8 * k : 0;
    const double tri = 2 * std::abs(2 * m_crank_phase - 1) - 1;
    target_v = k * (9.9 - 0.9 * cold) - inrush + 0.35 * k * tri;
    tau_v = 0.02;
  } else if (s.running) {
    target_v = m_charge_v - 0.12 * k * s.fan - (m_since_start_s < 20 ? 0.15 * k : 0);
    tau_v = m_since_start_s < 5 ? 1.2 : 2.0;
  }
  s.battery_v += (target_v - s.battery_v) * lag(dt_s, tau_v);
}

}  // namespace lc::sim
