#include "sim/script.h"

#include <algorithm>
#include <cmath>

namespace lc::sim {

namespace {

// Triangle wave 0..1..0 over one period; `phase` in [0, 1).
double triangle(double phase) { return 1 - std::abs(2 * phase - 1); }

}  // namespace

Script::Script(const MachineProfile& profile, const OperatorStyle& style, Rng rng, std::int64_t total_steps)
    : m_p(profile), m_style(style), m_rng(rng), m_total_steps(total_steps) {
  m_material = m_rng.uniform(0.8, 1.25);
  m_failed_share = m_style.failed_load_share * m_rng.uniform(0.85, 1.15);
  m_next_break_step = static_cast<std::int64_t>(m_rng.uniform(10 * 60, 35 * 60) / kStepS);

  Segment start;
  start.kind = Maneuver::Start;
  start.boot_s = m_rng.uniform(0.3, 0.8);
  start.crank_at_s = start.boot_s + m_rng.uniform(1.0, 3.0);
  push(start, start.crank_at_s + 4 + m_rng.uniform(25, 110));  // warm-up idle before work
  generate();
}

// A phase duration scaled by the machine's pace, the operator's speed and a little randomness, seconds.
double Script::dur(double lo_s, double hi_s) {
  return m_rng.uniform(lo_s, hi_s) * m_p.pace * m_style.duration_scale * m_pace_drift * m_rng.uniform(0.9, 1.1);
}

void Script::push(Segment seg, double seconds) {
  auto steps = static_cast<std::int64_t>(seconds / kStepS + 0.5);
  steps = std::max<std::int64_t>(steps, 40);  // nothing shorter than 0.2 s
  // Some state changes land exactly on a 5 s window boundary (as they do in real data by chance): move
  // the previous segment's end there when that changes its length by at most a third.
  if (!m_queue.empty() && m_queue.back().state != seg.state && m_rng.chance(0.12)) {
    Segment& prev = m_queue.back();
    const std::int64_t snapped = (prev.end_step + kStepsPerWindow / 2) / kStepsPerWindow * kStepsPerWindow;
    const std::int64_t len = prev.end_step - prev.start_step;
    const std::int64_t new_len = snapped - prev.start_step;
    if (new_len >= 200 && std::abs(new_len - len) * 3 <= len && snapped > m_now + 1) {
      prev.end_step = snapped;
      m_end_step = snapped;
    }
  }
  seg.start_step = m_end_step;
  seg.end_step = m_end_step + steps;
  m_end_step = seg.end_step;
  m_queue.push_back(seg);
}

void Script::generate() {
  while (m_queue.size() < 4 && m_end_step < m_total_steps) {
    if (m_end_step >= m_next_break_step) {
      m_next_break_step = m_end_step + static_cast<std::int64_t>(m_rng.uniform(15 * 60, 45 * 60) / kStepS);
      if (m_rng.chance(0.45)) {
        Segment off;
        off.kind = Maneuver::KeyOff;
        off.latch_s = m_rng.uniform(1.5, 4.0);
        push(off, m_rng.uniform(120, 900));
        Segment start;
        start.kind = Maneuver::Start;
        start.boot_s = m_rng.uniform(0.3, 0.8);
        start.crank_at_s = start.boot_s + m_rng.uniform(0.8, 2.5);
        push(start, start.crank_at_s + 4 + m_rng.uniform(8, 40));
      } else {
        Segment idle;
        idle.kind = Maneuver::Idle;
        idle.brake_from = 0;
        push(idle, m_rng.uniform(60, 480));
      }
    }
    push_cycle();
  }
}

void Script::push_dig_attempt(bool fail) {
  const double peak = m_style.pedal_peak;
  Segment approach;
  approach.state = State::Loading;
  approach.kind = Maneuver::Approach;
  approach.direction = 1;
  approach.pedal = std::min(1.0, peak * m_rng.uniform(0.9, 1.05));
  approach.hyd_flow = 0.15;
  approach.hyd_pressure = 0.2;
  Segment dig = approach;
  dig.kind = Maneuver::Dig;
  dig.hardness = m_material * m_rng.uniform(0.8, 1.25);
  dig.pulse_s = m_rng.uniform(0.8, 1.6) * m_p.pace;
  dig.pedal = std::min(1.0, peak * m_rng.uniform(0.92, 1.08));
  if (fail) {
    // Abandoned dig: the bucket hits something hard or the operator misjudged; often only 2-4 s of LOADING.
    const bool short_one = m_rng.chance(0.7);
    push(approach, short_one ? m_rng.uniform(0.8, 1.5) : dur(1.0, 2.0));
    dig.payload_to = m_rng.uniform(0.0, 0.3);
    dig.hardness *= 1.3;
    push(dig, short_one ? m_rng.uniform(1.0, 2.5) : dur(2.0, 4.5));
  } else {
    push(approach, dur(1.0, 2.4));
    dig.payload_to = m_rng.uniform(0.8, 1.1);
    push(dig, dur(3.5, 8.0));
  }
}

void Script::push_cycle() {
  // The operator's pace wanders over the shift (tiredness, traffic at the trucks): a slow AR(1) walk.
  m_pace_drift = std::clamp(m_pace_drift + 0.05 * (1 - m_pace_drift) + 0.03 * m_rng.normal(), 0.8, 1.25);
  const double peak = m_style.pedal_peak;
  const double travel_s = m_p.travel_m / 2.2;  // at ~8 km/h average

  // EMPTY: back away from the truck lowering the boom, shuttle, drive to the pile. Sometimes a wait.
  Segment rev;
  rev.state = State::Empty;
  rev.kind = Maneuver::Travel;
  rev.direction = -1;
  rev.pedal = peak * m_rng.uniform(0.6, 0.9);
  rev.hyd_flow = m_rng.uniform(0.2, 0.5);
  rev.hyd_pressure = 0.1;
  rev.brake_from = m_rng.uniform(0.7, 0.9);
  rev.left_foot = m_rng.chance(m_style.left_foot_braking);
  push(rev, dur(0.5, 0.8) * travel_s);
  if (m_rng.chance(0.08)) {
    Segment wait;
    wait.state = State::Empty;
    wait.kind = Maneuver::Idle;
    wait.direction = m_rng.chance(0.5) ? 1 : 0;
    wait.brake_from = 0;
    push(wait, m_rng.uniform(8, 90));
  }
  if (m_rng.chance(0.05)) {
    // Tidying spillage in front of the pile or the truck: bucket flat, pushed into loose material, then
    // backed off. It looks like a short dig, but it is no load attempt, so it stays EMPTY.
    Segment tidy;
    tidy.state = State::Empty;
    tidy.kind = Maneuver::Dig;
    tidy.direction = 1;
    tidy.pedal = peak * m_rng.uniform(0.6, 0.9);
    tidy.hardness = 0.4 * m_material;
    tidy.pulse_s = m_rng.uniform(1.0, 2.0);
    push(tidy, dur(2.0, 5.0));
    Segment back = rev;
    back.hyd_flow = 0.2;
    push(back, dur(1.5, 3.0));
  }
  Segment fwd = rev;
  fwd.direction = 1;
  fwd.pedal = peak * m_rng.uniform(0.75, 1.0);
  fwd.hyd_flow = m_rng.uniform(0.1, 0.3);
  fwd.brake_from = 2;
  push(fwd, dur(0.8, 1.2) * travel_s);

  // LOADING, with failed attempts: back out empty and try again.
  while (m_rng.chance(m_failed_share)) {
    push_dig_attempt(true);
    Segment out = rev;
    out.brake_from = m_rng.uniform(0.6, 0.9);
    push(out, dur(1.5, 3.5));
    Segment in = fwd;
    push(in, dur(1.5, 3.5));
  }
  push_dig_attempt(false);
  const double fill = m_queue.back().payload_to;

  // LOADED: reverse out raising the boom, maybe wait for the truck, then drive to it and brake.
  Segment out;
  out.state = State::Loaded;
  out.kind = Maneuver::Travel;
  out.direction = -1;
  out.pedal = std::min(1.0, peak * m_rng.uniform(0.85, 1.05));
  out.hyd_flow = m_rng.uniform(0.4, 0.8);
  out.hyd_pressure = 0.3 + 0.3 * fill;
  out.payload_from = out.payload_to = fill;
  out.brake_from = m_rng.uniform(0.7, 0.9);
  out.left_foot = m_rng.chance(m_style.left_foot_braking);
  push(out, dur(0.5, 0.8) * travel_s + 1.0);
  if (m_rng.chance(0.15)) {
    Segment wait = out;
    wait.kind = Maneuver::Idle;
    wait.direction = m_rng.chance(0.5) ? 1 : 0;
    wait.brake_from = 0;
    wait.hyd_flow = 0;
    push(wait, m_rng.uniform(8, 70));
  }
  Segment to_truck = out;
  to_truck.direction = 1;
  to_truck.pedal = std::min(1.0, peak * m_rng.uniform(0.8, 1.05));
  to_truck.hyd_flow = m_rng.uniform(0.5, 0.9);
  to_truck.brake_from = m_rng.uniform(0.65, 0.85);
  to_truck.left_foot = m_rng.chance(m_style.left_foot_braking);
  const bool carry = m_rng.chance(0.08);  // load-and-carry: a longer run in third
  to_truck.max_gear = carry ? 3 : 2;
  push(to_truck, carry ? dur(15, 35) : dur(0.8, 1.3) * travel_s);

  // UNLOADING: boom to full height and dump, 3-5 s typical.
  Segment dump;
  dump.state = State::Unloading;
  dump.kind = Maneuver::Dump;
  dump.direction = 1;
  dump.pedal = std::min(1.0, peak * m_rng.uniform(0.6, 1.0));
  dump.hyd_flow = m_rng.uniform(0.5, 1.0);
  dump.hyd_pressure = 0.35 + 0.3 * fill;
  dump.payload_from = fill;
  dump.payload_to = 0;
  dump.brake_from = 0;
  dump.left_foot = m_rng.chance(0.4 + 0.4 * m_style.left_foot_braking);
  dump.shake = m_rng.chance(m_style.name == "aggressive" ? 0.5 : 0.2);
  dump.pulse_s = m_rng.uniform(0.4, 0.7);
  push(dump, std::clamp(m_rng.normal(4.0, 0.8), 2.2, 6.5) * (0.75 + 0.25 * m_p.pace));
}

Controls Script::controls(std::int64_t step, const MachineState& m) {
  m_now = step;
  while (m_queue.size() > 1 && step >= m_queue.front().end_step) {
    m_queue.pop_front();
    m_pulse_phase = 0;
  }
  generate();
  const Segment& seg = m_queue.front();
  const double t_s = static_cast<double>(step - seg.start_step) * kStepS;
  const double f = static_cast<double>(step - seg.start_step) / static_cast<double>(std::max<std::int64_t>(1, seg.end_step - seg.start_step));
  const double relief = m_p.hyd_relief_mpa;

  Controls c;
  c.max_gear = seg.max_gear;
  c.direction = seg.direction;
  c.payload = seg.payload_from + (seg.payload_to - seg.payload_from) * f;
  c.pile_hardness = seg.hardness;
  m_powered = true;
  double pedal_target = 0;
  // A stalled engine is restarted at once (the key is still on).
  if (seg.kind != Maneuver::Start && seg.kind != Maneuver::KeyOff && !m.running) c.crank = true;

  switch (seg.kind) {
    case Maneuver::Start:
      c.key_on = true;
      m_powered = t_s >= seg.boot_s;
      c.crank = t_s >= seg.crank_at_s && !m.running && t_s < seg.crank_at_s + 6;
      c.direction = 0;
      c.brake = 1;
      break;
    case Maneuver::KeyOff:
      c.key_on = false;
      m_powered = t_s < seg.latch_s;
      c.direction = 0;
      c.brake = 1;
      break;
    case Maneuver::Idle:
      c.brake = 1;
      c.hyd_flow = 0;
      // Now and then he revs the engine or twitches a lever while waiting.
      if (m_blip_left_s <= 0 && m_rng.chance(0.0015)) {
        m_blip_left_s = m_rng.uniform(0.5, 2.0);
        m_blip_pedal = m_rng.uniform(0.2, 0.7);
      }
      if (m_blip_left_s > 0) {
        m_blip_left_s -= kStepS;
        pedal_target = m_blip_pedal;
      }
      break;
    case Maneuver::Travel:
      pedal_target = seg.pedal;
      c.hyd_flow = seg.hyd_flow;
      c.hyd_pressure_mpa = seg.hyd_pressure * relief;
      if (f >= seg.brake_from) {
        c.brake = std::min(0.7, (f - seg.brake_from) * 4);
        pedal_target = seg.left_foot ? seg.pedal * 0.85 : 0.05;
        c.declutch = seg.left_foot && c.brake > 0.2;
      }
      break;
    case Maneuver::Approach:
      pedal_target = seg.pedal;
      c.kickdown = true;
      c.hyd_flow = seg.hyd_flow;
      c.hyd_pressure_mpa = seg.hyd_pressure * relief;
      break;
    case Maneuver::Dig: {
      c.kickdown = true;
      c.in_pile = true;
      m_pulse_phase += kStepS / seg.pulse_s;
      m_pulse_phase -= static_cast<double>(static_cast<long>(m_pulse_phase));
      const double pulse = triangle(m_pulse_phase);
      // A smooth operator modulates the pedal against wheel spin; an aggressive one keeps it floored.
      pedal_target = m_style.name == "smooth" ? seg.pedal * (0.8 + 0.2 * pulse) : seg.pedal;
      const double effort = seg.state == State::Empty ? 0.5 : 1.0;  // tidying: bucket kept flat
      if (f < 0.85) {
        c.hyd_flow = (0.3 + 0.7 * pulse) * effort;
        c.hyd_pressure_mpa = relief * (0.55 + 0.45 * pulse) * effort;
        c.curl = pulse;
      } else {  // curl back and lift out
        c.hyd_flow = effort;
        c.hyd_pressure_mpa = relief * 0.9 * effort;
        c.curl = 1;
      }
      break;
    }
    case Maneuver::Dump: {
      pedal_target = seg.pedal;
      c.brake = 0.8;
      c.declutch = seg.left_foot;
      if (f < 0.55) {
        c.hyd_flow = seg.hyd_flow;
        c.hyd_pressure_mpa = seg.hyd_pressure * relief;
        c.payload = seg.payload_from;
      } else {
        c.payload = seg.payload_from * (1 - (f - 0.55) / 0.45);
        c.hyd_flow = 0.6;
        c.hyd_pressure_mpa = 0.22 * relief;
        if (seg.shake) {
          m_pulse_phase += kStepS / seg.pulse_s;
          m_pulse_phase -= static_cast<double>(static_cast<long>(m_pulse_phase));
          c.hyd_flow = 0.3 + 0.7 * triangle(m_pulse_phase);
          c.hyd_pressure_mpa = relief * (0.15 + 0.3 * triangle(m_pulse_phase));
        }
      }
      break;
    }
  }

  // The foot: rate-limited toward the target, with some pumping while he wants power.
  m_wobble += -m_wobble * (kStepS / 0.6) + m_style.pedal_wobble * 0.129 * m_rng.normal();  // OU, tau 0.6 s
  const double wanted = pedal_target > 0.15 ? std::clamp(pedal_target + m_wobble, 0.0, 1.0) : pedal_target;
  const double max_move = m_style.pedal_rate_pct_s / 100 * kStepS;
  m_pedal += std::clamp(wanted - m_pedal, -max_move, max_move);
  c.pedal = std::clamp(m_pedal, 0.0, 1.0);
  if (!c.key_on || seg.kind == Maneuver::Start) {
    c.pedal = 0;
    m_pedal = 0;
  }
  return c;
}

}  // namespace lc::sim
