// The operator and the work: a stream of maneuvers (segments) following the short-loading V-cycle, with
// failed digs, waits for trucks, breaks and engine stops, turned into per-step controls for the Machine.
//
// Time is counted in physics steps (kStepUs); a segment starts and ends on a step, so every label boundary
// is a whole number of milliseconds. The state a segment carries is the label truth.
#pragma once

#include <cstdint>
#include <deque>

#include "sim/machine.h"
#include "sim/profiles.h"
#include "sim/rng.h"
#include "window/states.h"

namespace lc::sim {

inline constexpr std::int64_t kStepUs = 5000;                  // physics step, microseconds
inline constexpr double kStepS = 0.005;                        // the same in seconds
inline constexpr std::int64_t kStepsPerWindow = 5'000'000 / kStepUs;  // a 5 s window boundary every N steps

enum class Maneuver : std::uint8_t {
  Start,     // key on, ECUs boot, crank, idle
  KeyOff,    // key off: engine runs down, ECUs latch a few seconds, then the bus is silent
  Idle,      // standing: waiting for a truck or a break
  Travel,    // driving (direction, pedal, boom moving, braking at the end)
  Approach,  // last metres into the pile, kicked down to first
  Dig,       // bucket in the pile: penetration, crowd/curl pulses at relief (EMPTY: tidying spillage)
  Dump,      // at the truck: boom to full height, bucket tilt, maybe a shake
};

struct Segment {
  State state = State::Empty;
  Maneuver kind = Maneuver::Idle;
  std::int64_t start_step = 0;
  std::int64_t end_step = 0;  // exclusive
  double pedal = 0;           // pedal the operator aims for, 0..1
  int direction = 0;
  int max_gear = 2;
  double brake_from = 2;      // fraction of the segment after which he brakes (>1: never)
  bool left_foot = false;     // keeps the pedal up while braking
  double hyd_flow = 0;        // lever, 0..1
  double hyd_pressure = 0;    // fraction of relief pressure
  double payload_from = 0;    // bucket fill at the start and at the end of the segment, 0..1
  double payload_to = 0;
  double hardness = 1;        // pile resistance (Dig)
  double pulse_s = 1.2;       // crowd / shake pulse period, s
  bool shake = false;
  // Start: ECU boot delay and when the starter engages, seconds after the segment starts.
  double boot_s = 0.5;
  double crank_at_s = 2;
  double latch_s = 3;         // KeyOff: how long the ECUs keep talking after the key is off, s
};

class Script {
 public:
  // `total_steps`: length of the run (segments are generated up to it).
  Script(const MachineProfile& profile, const OperatorStyle& style, Rng rng, std::int64_t total_steps);

  // Controls for step `step` (0-based, strictly increasing between calls) given the machine's state.
  Controls controls(std::int64_t step, const MachineState& m);

  // The labelled state of the current step (valid after controls()).
  State state() const { return m_queue.front().state; }
  // Whether the ECUs are powered (bus traffic) at the current step.
  bool ecu_powered() const { return m_powered; }
  // The current maneuver (valid after controls()).
  const Segment& segment() const { return m_queue.front(); }

 private:
  double dur(double lo_s, double hi_s);
  void push(Segment seg, double seconds);
  void generate();
  void push_cycle();
  void push_dig_attempt(bool fail);

  MachineProfile m_p;
  OperatorStyle m_style;
  Rng m_rng;
  std::int64_t m_total_steps = 0;
  std::deque<Segment> m_queue;
  std::int64_t m_end_step = 0;  // end of the last queued segment
  std::int64_t m_now = 0;
  std::int64_t m_next_break_step = 0;
  double m_material = 1;        // pile hardness of this run (loose ... blasted)
  double m_failed_share = 0.1;
  double m_pace_drift = 1;      // multiplies phase durations, wanders per cycle
  bool m_powered = false;
  // Operator's foot and hands.
  double m_pedal = 0;
  double m_wobble = 0;
  double m_blip_left_s = 0;
  double m_blip_pedal = 0;
  double m_pulse_phase = 0;
};

}  // namespace lc::sim
