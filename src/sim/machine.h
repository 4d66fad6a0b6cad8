// The loader's physics, stepped at a fixed rate: diesel engine with a droop governor, torque converter and
// powershift transmission, vehicle motion, working hydraulics, turbo, oil, thermal and electrical systems.
//
// Everything is explicit first-order dynamics integrated with plain arithmetic (lags use
// alpha = dt / (tau + dt), never exp), so a run is bit-identical on every IEEE-754 platform built with
// -ffp-contract=off (src/sim/CMakeLists.txt). Units are in the names.
#pragma once

#include "sim/profiles.h"
#include "sim/rng.h"

namespace lc::sim {

// What the operator (and the key) commands during one step.
struct Controls {
  bool key_on = true;
  bool crank = false;        // starter engaged (only acts while the engine is not running)
  double pedal = 0;          // accelerator pedal, 0..1
  int direction = 0;         // -1 reverse, 0 neutral, +1 forward
  bool kickdown = false;     // hold first gear (approach and dig)
  int max_gear = 2;          // highest gear the automatic may select
  double brake = 0;          // service brake, 0..1
  bool declutch = false;     // left brake pedal's transmission cut-off: full power to the hydraulics
  double hyd_flow = 0;       // working hydraulics flow demand (lever), 0..1
  double hyd_pressure_mpa = 0;  // load pressure of the working function being moved
  bool in_pile = false;      // bucket edge in the pile: penetration resistance acts on forward motion
  double curl = 0;           // bucket curl in the pile, 0..1 (lifts material, relieves resistance)
  double payload = 0;        // bucket fill carried, 0..1
  double pile_hardness = 1;  // multiplies the pile's resistance (loose sand < 1 < blasted rock)
};

// Physical state: the values the sensors and the engine controller see (before sensor noise).
struct MachineState {
  bool running = false;
  bool cranking = false;
  double engine_rpm = 0;
  double set_speed_rpm = 0;       // governor set speed from the pedal
  double demand_torque_pct = 0;   // governor demand (driver's demand torque), % of reference
  double actual_torque_pct = 0;   // indicated torque, % of reference
  double max_available_pct = 0;   // full-load torque at the current speed after derates
  double friction_pct = 0;        // nominal friction torque, % of reference
  double load_pct = 0;            // engine percent load at current speed, 0..125
  double pedal = 0;               // 0..1
  double boost_kpa = 0;           // intake manifold gauge pressure
  double intake_temp_c = 20;
  double oil_pressure_kpa = 0;
  double oil_temp_c = 20;
  double coolant_c = 20;
  double fuel_temp_c = 20;
  double exhaust_right_c = 20;
  double exhaust_left_c = 20;
  double battery_v = 12.6;        // keyswitch / battery potential
  double fuel_rate_lph = 0;
  double fan = 0;                 // hydraulic fan duty, 0..1
  // Driveline.
  double vehicle_speed_ms = 0;    // signed: + forward
  int gear = 1;                   // 1..kGears
  int direction = 0;              // selected direction
  bool shifting = false;
  bool declutched = false;
  double turbine_rpm = 0;
  double output_rpm = 0;
  double brake = 0;
  double hyd_pressure_mpa = 0;
  double ambient_c = 15;
};

class Machine {
 public:
  // `ambient_c` sets the starting temperatures; `warm_start` begins with a warm engine (coolant ~75 deg C).
  Machine(const MachineProfile& profile, Rng rng, double ambient_c, bool warm_start);

  // Advances the physics by dt_s (the simulator uses 5 ms).
  void step(const Controls& c, double dt_s);

  const MachineState& state() const { return m_s; }
  const MachineProfile& profile() const { return m_p; }

 private:
  double friction_pct(double rpm) const;
  double boost_speed_factor(double rpm) const;
  void step_engine_start(const Controls& c, double dt_s);
  void step_driveline(const Controls& c, double dt_s, double& pump_torque_nm);
  void step_thermal_electrical(const Controls& c, double dt_s);

  MachineProfile m_p;
  Rng m_rng;
  MachineState m_s;
  double m_converter_k = 0;        // pump torque at stall = k * rpm^2, N m / rpm^2
  double m_exhaust_fast_c = 20;    // exhaust gas temperature seen by a bare thermocouple
  double m_exhaust_slow_c = 20;    // manifold wall
  double m_crank_s = 0;            // time on the starter
  double m_fire_after_s = 1;       // crank time until the engine fires
  double m_crank_phase = 0;        // compression stroke phase while cranking, 0..1
  double m_since_start_s = 1e9;    // time since the engine fired (alternator excitation)
  double m_shift_left_s = 0;
  double m_penetration_m = 0;
  double m_terrain = 0;            // rolling resistance deviation, OU process
  double m_rest_v = 12.6;          // battery rest voltage (state of charge), V
  double m_charge_v = 14.2;        // regulator set point, V
  double m_oil_factor = 1;         // pump wear / oil grade
};

}  // namespace lc::sim
