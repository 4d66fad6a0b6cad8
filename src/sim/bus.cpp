#include "sim/bus.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace lc::sim {

namespace {

enum Msg : int {
  kEec1, kEec2, kEec3, kIc1, kEflP1, kEt, kEt1, kVep1, kLfe, kDm1Engine,  // engine, SA 0x00
  kEtc1, kEtc2, kDm1Trans, kTsc1,                                         // transmission, SA 0x03
  kEbc1,                                                                  // brakes, SA 0x0B
  kVep1Cluster, kDash,                                                    // instrument cluster, SA 0x17
  kJoystick, kHeartbeat,                                                  // 11-bit CANopen joystick
  kAddressClaim0, kAddressClaim3, kAddressClaimB, kAddressClaim17,        // once after power-up
  kMsgCount
};

enum Ecu : int { kEngine, kTransmission, kBrakes, kCluster, kJoystickNode, kEcuCount };

struct MsgSpec {
  std::uint32_t id;
  bool extended;
  std::uint8_t dlc;
  double period_us;  // 0: once after power-up
  double jitter_us;  // task jitter, +- uniform
  Ecu ecu;
};

// Periods per ARCHITECTURE / J1939-71 defaults. EEC1's period is engine-speed dependent (set in step()).
constexpr std::array<MsgSpec, kMsgCount> kSpecs = {{
    {0x0CF00400, true, 8, 15000, 300, kEngine},        // EEC1  PGN 61444
    {0x0CF00300, true, 8, 50000, 1000, kEngine},       // EEC2  PGN 61443
    {0x18FEDF00, true, 8, 250000, 3000, kEngine},      // EEC3  PGN 65247
    {0x18FEF600, true, 8, 500000, 5000, kEngine},      // IC1   PGN 65270
    {0x18FEEF00, true, 8, 500000, 5000, kEngine},      // EFL/P1 PGN 65263
    {0x18FE0700, true, 8, 500000, 5000, kEngine},      // ET    PGN 65031
    {0x18FEEE00, true, 8, 1000000, 8000, kEngine},     // ET1   PGN 65262
    {0x18FEF700, true, 8, 1000000, 8000, kEngine},     // VEP1  PGN 65271
    {0x18FEF200, true, 8, 100000, 2000, kEngine},      // LFE   PGN 65266 (fuel rate)
    {0x18FECA00, true, 8, 1000000, 8000, kEngine},     // DM1   PGN 65226
    {0x0CF00203, true, 8, 10000, 300, kTransmission},  // ETC1  PGN 61442
    {0x18F00503, true, 8, 100000, 2000, kTransmission},// ETC2  PGN 61445
    {0x18FECA03, true, 8, 1000000, 8000, kTransmission},// DM1  PGN 65226
    {0x0C000003, true, 8, 10000, 300, kTransmission},  // TSC1  PGN 0 to the engine, only while shifting
    {0x18F0010B, true, 8, 100000, 2000, kBrakes},      // EBC1  PGN 61441
    {0x18FEF717, true, 8, 1000000, 8000, kCluster},    // VEP1 from the cluster: same PGN, other SA
    {0x18FEFC17, true, 8, 1000000, 8000, kCluster},    // DD    PGN 65276 (fuel level)
    {0x185, false, 8, 20000, 500, kJoystickNode},      // CANopen TPDO1 of node 5
    {0x705, false, 1, 1000000, 2000, kJoystickNode},   // CANopen heartbeat of node 5
    {0x18EEFF00, true, 8, 0, 0, kEngine},              // address claim, PGN 60928
    {0x18EEFF03, true, 8, 0, 0, kTransmission},
    {0x18EEFF0B, true, 8, 0, 0, kBrakes},
    {0x18EEFF17, true, 8, 0, 0, kCluster},
}};

// The message that carries each contract signal's PGN (fault "one PGN missing").
constexpr std::array<int, 8> kContractMsgs = {kEec1, kEec2, kEec3, kIc1, kEflP1, kEt, kEt1, kVep1};

struct Scaling {
  double scale;
  double offset;
  bool two_bytes;
};
constexpr std::array<Scaling, kSignalCount> kScaling = {{
    {0.125, 0, true},       // engine_speed_rpm
    {1, -125, false},       // actual_torque_pct
    {0.4, 0, false},        // accel_pedal_pct
    {0.4, 0, false},        // max_available_torque_pct
    {1, -125, false},       // friction_torque_pct
    {0.05, 0, true},        // keyswitch_voltage_v
    {1, -40, false},        // coolant_temp_c
    {2, 0, false},          // intake_manifold_pressure_kpa
    {4, 0, false},          // oil_pressure_kpa
    {0.03125, -273, true},  // exhaust_temp_right_c
}};

constexpr double kBitUs = 4.0;  // 250 kbit/s

std::uint64_t arbitration_key(const can::Frame& f) {
  // 11-bit base id first; a standard frame beats an extended one with the same base id (RTR vs SRR bit).
  if (!f.extended) return static_cast<std::uint64_t>(f.id & can::kSffMask) << 19;
  return (static_cast<std::uint64_t>((f.id >> 18) & 0x7FF) << 19) | (1u << 18) | (f.id & 0x3FFFF);
}

std::uint8_t raw1(double value, double scale, double offset) {
  const double r = std::floor((value - offset) / scale + 0.5);
  return static_cast<std::uint8_t>(std::clamp(r, 0.0, 250.0));
}
std::uint16_t raw2(double value, double scale, double offset) {
  const double r = std::floor((value - offset) / scale + 0.5);
  return static_cast<std::uint16_t>(std::clamp(r, 0.0, 64255.0));
}
void put2(can::Frame& f, int byte_no, std::uint16_t v) {
  f.data[byte_no - 1] = static_cast<std::uint8_t>(v & 0xFF);
  f.data[byte_no] = static_cast<std::uint8_t>(v >> 8);
}

}  // namespace

Bus::Bus(const MachineProfile& profile, Rng rng, bool faults, std::int64_t start_us, std::int64_t total_us,
         FrameSink sink, TruthSink truth)
    : m_p(profile),
      m_rng(rng),
      m_noise(m_rng.fork()),
      m_faults(faults),
      m_start_us(start_us),
      m_sink(std::move(sink)),
      m_truth(std::move(truth)),
      m_sched(kMsgCount) {
  for (int e = 0; e < kEcuCount; ++e) m_ecu_rate.push_back(1 + m_rng.uniform(-150e-6, 150e-6));  // crystal ppm
  m_fuel_level = m_rng.uniform(0.3, 0.95);
  m_pending.reserve(64);
  if (!faults) return;

  // Faults, placed over the run (at least one of each kind even in a short run).
  Rng f = m_rng.fork();
  const double total_s = static_cast<double>(total_us) / 1e6;
  const double minutes = total_s / 60;
  auto at = [&](double lo_frac, double hi_frac) {
    return static_cast<std::int64_t>(f.uniform(lo_frac, hi_frac) * static_cast<double>(total_us));
  };
  auto secs = [&](double lo, double hi) { return static_cast<std::int64_t>(f.uniform(lo, hi) * 1e6); };
  const int gaps = std::max(1, static_cast<int>(minutes / 12 + 0.5));
  for (int i = 0; i < gaps; ++i) {
    const std::int64_t s = at(0.05, 0.95);
    m_gaps.push_back({s, s + secs(1.5, 6), 0, 0, false});
  }
  const int missing = 1 + static_cast<int>(minutes / 45);
  for (int i = 0; i < missing; ++i) {
    const std::int64_t s = at(0.1, 0.7);
    const int msg = kContractMsgs[static_cast<std::size_t>(f.range(0, static_cast<std::int64_t>(kContractMsgs.size()) - 1))];
    m_missing.push_back({s, s + std::min(secs(120, 360), total_us / 3), msg, 0, false});
  }
  const int nas = std::max(1, static_cast<int>(minutes / 8));
  for (int i = 0; i < nas; ++i) {
    const std::int64_t s = at(0.02, 0.9);
    m_na.push_back({s, s + secs(10, 90), static_cast<int>(f.range(0, kSignalCount - 1)), 0, false});
  }
  constexpr std::array<Signal, 5> kStuckable = {Signal::CoolantTemp, Signal::IntakeManifoldPressure,
                                                Signal::OilPressure, Signal::ExhaustTempRight,
                                                Signal::KeyswitchVoltage};
  const int stuck = std::max(1, static_cast<int>(minutes / 30));
  for (int i = 0; i < stuck; ++i) {
    const std::int64_t s = at(0.1, 0.8);
    const auto sig = kStuckable[static_cast<std::size_t>(f.range(0, 4))];
    m_stuck.push_back({s, s + std::min(secs(120, 480), total_us / 4), static_cast<int>(sig), 0, false});
  }
  m_next_burst_us = secs(1, 8);
}

bool Bus::in(const std::vector<Window>& ws, std::int64_t t_us, int which) const {
  for (const auto& w : ws) {
    if (t_us >= w.start_us && t_us < w.end_us && (which < 0 || w.which == which)) return true;
  }
  return false;
}

// A sensor reading: noise, and in fault mode a stuck value.
double Bus::sensor(int signal, double value, std::int64_t t_us) {
  if (m_faults) {
    for (auto& w : m_stuck) {
      if (w.which == signal && t_us >= w.start_us && t_us < w.end_us) {
        if (!w.captured) {
          w.value = value;
          w.captured = true;
        }
        return w.value;
      }
    }
  }
  return value;
}

// Encodes a contract signal into raw bits and records its truth. Returns the raw value (NA codes when
// the fault schedule says the sensor is not available).
std::uint16_t Bus::encode(Pending& p, int signal, double value, double scale, double offset, bool two_bytes,
                          std::int64_t t_us) {
  const double max_raw = two_bytes ? 64255.0 : 250.0;
  value = sensor(signal, value, t_us);
  const double clamped = std::clamp(value, offset, offset + max_raw * scale);
  const bool na = m_faults && (in(m_na, t_us, signal) || m_noise.chance(0.001));
  const int slot = p.truth_signal[0] < 0 ? 0 : 1;
  p.truth_signal[static_cast<std::size_t>(slot)] = static_cast<std::int8_t>(signal);
  p.truth_value[static_cast<std::size_t>(slot)] = na ? std::numeric_limits<double>::quiet_NaN() : clamped;
  if (na) {
    return two_bytes ? 0xFFFF : 0xFF;
  }
  return two_bytes ? raw2(clamped, scale, offset) : raw1(clamped, scale, offset);
}

void Bus::build(int msg, std::int64_t due_us, const MachineState& m, double hyd_lever, double curl) {
  const MsgSpec& spec = kSpecs[static_cast<std::size_t>(msg)];
  Pending p;
  p.ready_us = due_us;
  p.seq = m_seq++;
  can::Frame& f = p.frame;
  f.id = spec.id;
  f.extended = spec.extended;
  f.dlc = spec.dlc;
  f.data.fill(0xFF);
  f.set_interface("can0");
  const double k = m_p.system_voltage_v / 12.0;
  auto sig = [&](Signal s, double value) {
    const auto& sc = kScaling[static_cast<std::size_t>(s)];
    return encode(p, static_cast<int>(s), value, sc.scale, sc.offset, sc.two_bytes, due_us);
  };
  auto n = [&](double sd) { return sd * m_noise.normal(); };
  const bool lugging = m.running && m.demand_torque_pct > m.max_available_pct - 1;

  switch (msg) {
    case kEec1: {
      int mode = m.pedal < 0.02 ? 0 : 1;  // low idle governor / accelerator pedal
      if (lugging) mode = 8;              // torque limiting
      if (m.shifting) mode = 6;           // transmission control
      f.data[0] = static_cast<std::uint8_t>(0xF0 | mode);
      f.data[1] = raw1(m.demand_torque_pct, 1, -125);
      f.data[2] = static_cast<std::uint8_t>(sig(Signal::ActualTorque, m.actual_torque_pct + (m.running ? n(0.8) : 0)));
      put2(f, 4, sig(Signal::EngineSpeed, m.engine_rpm > 0 ? std::max(0.0, m.engine_rpm + n(1.5)) : 0));
      f.data[5] = m.shifting ? 0x03 : 0x00;
      f.data[6] = static_cast<std::uint8_t>(0xF0 | (m.cranking ? 2 : 0));
      f.data[7] = raw1(std::min(m.demand_torque_pct, m.max_available_pct), 1, -125);
      break;
    }
    case kEec2:
      f.data[0] = static_cast<std::uint8_t>(0xF0 | (m.pedal < 0.03 ? 1 : 0));
      f.data[1] = static_cast<std::uint8_t>(sig(Signal::AccelPedal, std::clamp(m.pedal * 100 + n(0.15), 0.0, 100.0)));
      f.data[2] = raw1(m.load_pct, 1, 0);
      f.data[7] = static_cast<std::uint8_t>(sig(Signal::MaxAvailableTorque, std::min(100.0, m.max_available_pct)));
      break;
    case kEec3:
      f.data[0] = static_cast<std::uint8_t>(sig(Signal::FrictionTorque, m.friction_pct));
      put2(f, 2, raw2(m.set_speed_rpm, 0.125, 0));
      break;
    case kIc1:
      f.data[1] = static_cast<std::uint8_t>(sig(Signal::IntakeManifoldPressure, std::max(0.0, m.boost_kpa + n(1.2))));
      f.data[2] = raw1(m.intake_temp_c + n(0.3), 1, -40);
      f.data[3] = raw1(99 + n(0.3), 2, 0);  // barometric (air inlet) pressure, kPa
      break;
    case kEflP1:
      f.data[2] = raw1(86, 0.4, 0);  // oil level, %
      f.data[3] = static_cast<std::uint8_t>(sig(Signal::OilPressure, std::max(0.0, m.oil_pressure_kpa + n(4))));
      f.data[7] = raw1(100, 0.4, 0);  // coolant level, %
      break;
    case kEt:
      put2(f, 1, sig(Signal::ExhaustTempRight, m.exhaust_right_c + n(1.5)));
      // A 4-cylinder has one manifold: the left one is "not available".
      if (m_p.cylinders > 4) put2(f, 3, raw2(m.exhaust_left_c + n(1.5), 0.03125, -273));
      break;
    case kEt1:
      f.data[0] = static_cast<std::uint8_t>(sig(Signal::CoolantTemp, m.coolant_c + n(0.25)));
      f.data[1] = raw1(m.fuel_temp_c, 1, -40);
      put2(f, 3, raw2(m.oil_temp_c + n(0.2), 0.03125, -273));
      break;
    case kVep1: {
      const double v = m.battery_v + n(0.03 * k);
      put2(f, 3, raw2(v + 0.05 * k, 0.05, 0));  // charging system potential
      put2(f, 5, raw2(v + 0.02 * k, 0.05, 0));  // battery potential
      put2(f, 7, sig(Signal::KeyswitchVoltage, v));
      break;
    }
    case kLfe:
      put2(f, 1, raw2(m.fuel_rate_lph, 0.05, 0));
      break;
    case kDm1Engine:
    case kDm1Trans:
      f.data = {0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF};  // lamps off, no active DTC
      break;
    case kEtc1: {
      const bool engaged = m.direction != 0 && !m.shifting && !m.declutched;
      f.data[0] = static_cast<std::uint8_t>(0xC0 | (m.shifting ? 0x10 : 0) | (engaged ? 0x01 : 0));
      put2(f, 2, raw2(m.output_rpm, 0.125, 0));
      const double slip = m.engine_rpm > 100 ? std::clamp(100 * (1 - m.turbine_rpm / m.engine_rpm), 0.0, 100.0) : 0;
      f.data[3] = raw1(slip, 0.4, 0);
      f.data[4] = 0xFC;
      put2(f, 6, raw2(m.turbine_rpm, 0.125, 0));
      break;
    }
    case kEtc2: {
      const int gear = m.direction * m.gear;
      f.data[0] = static_cast<std::uint8_t>(125 + gear);
      put2(f, 2, raw2(m_p.gear_reduction[static_cast<std::size_t>(m.gear - 1)] / 20.0, 0.001, 0));
      f.data[3] = static_cast<std::uint8_t>(125 + (m.shifting ? 0 : gear));
      f.data[6] = m.direction > 0 ? 'F' : (m.direction < 0 ? 'R' : 'N');
      f.data[7] = static_cast<std::uint8_t>('0' + m.gear);
      break;
    }
    case kTsc1:
      f.data[0] = 0xE2;  // torque control, highest priority
      f.data[3] = raw1(std::max(10.0, m.actual_torque_pct * 0.6), 1, -125);
      break;
    case kEbc1:
      f.data[1] = raw1(m.brake * 100, 0.4, 0);
      break;
    case kVep1Cluster:  // the cluster measures its own supply, after the cab wiring's drop
      put2(f, 7, raw2(m.battery_v - 0.3 * k + n(0.05 * k), 0.05, 0));
      break;
    case kDash:
      f.data[1] = raw1(m_fuel_level * 100, 0.4, 0);
      break;
    case kJoystick: {
      const auto boom = static_cast<std::int16_t>(std::clamp(hyd_lever * 1000 + n(3), -1000.0, 1000.0));
      const auto bucket = static_cast<std::int16_t>(std::clamp(curl * 1000 + n(3), -1000.0, 1000.0));
      std::uint16_t b = 0;
      std::memcpy(&b, &boom, 2);
      put2(f, 1, b);
      std::memcpy(&b, &bucket, 2);
      put2(f, 3, b);
      f.data[4] = 0x00;
      f.data[5] = 0x00;
      f.data[6] = static_cast<std::uint8_t>(m.direction == 0 ? 0 : (m.direction > 0 ? 1 : 2));
      f.data[7] = 0x00;
      break;
    }
    case kHeartbeat:
      f.data[0] = 0x05;  // operational
      break;
    default: {  // address claim: a 64-bit NAME (identity, manufacturer, function ...), constant per ECU
      const std::uint64_t name = 0x8000'0000'0000'0000ull | (static_cast<std::uint64_t>(spec.ecu) << 40) |
                                 (0x1234ull << 21) | static_cast<std::uint64_t>(msg);
      for (int i = 0; i < 8; ++i) f.data[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(name >> (8 * i));
      break;
    }
  }
  p.key = arbitration_key(f);
  m_pending.push_back(p);
}

void Bus::step(std::int64_t t_us, std::int64_t step_us, const MachineState& m, double hyd_lever, double curl,
               bool powered) {
  const std::int64_t end_us = t_us + step_us;
  m_fuel_level = std::max(0.05, m_fuel_level - m.fuel_rate_lph / 3600.0 * (static_cast<double>(step_us) / 1e6) / 300.0);
  if (powered && !m_was_powered) {
    // ECUs boot at slightly different times; each message starts at a random phase of its period.
    for (int i = 0; i < kMsgCount; ++i) {
      const MsgSpec& spec = kSpecs[static_cast<std::size_t>(i)];
      const double boot_us = static_cast<double>(t_us) + 50000.0 * static_cast<double>(spec.ecu) + m_rng.uniform(0, 40000);
      m_sched[static_cast<std::size_t>(i)].next_due_us =
          spec.period_us > 0 ? boot_us + 20000 + m_rng.uniform(0, spec.period_us) : boot_us;
      m_sched[static_cast<std::size_t>(i)].active = true;
    }
  }
  m_was_powered = powered;
  if (powered) {
    // J1939-71: EEC1 every 10-20 ms depending on engine speed (faster at high speed).
    const double eec1_us = std::clamp(20000.0 - 10000.0 * (m.engine_rpm - 500.0) / 1500.0, 10000.0, 20000.0);
    for (int i = 0; i < kMsgCount; ++i) {
      auto& s = m_sched[static_cast<std::size_t>(i)];
      const MsgSpec& spec = kSpecs[static_cast<std::size_t>(i)];
      while (s.active && s.next_due_us < static_cast<double>(end_us)) {
        const auto due = static_cast<std::int64_t>(s.next_due_us);
        const bool silent = (i == kTsc1 && !m.shifting) ||
                            (m_faults && in(m_missing, due, i));
        if (!silent) build(i, std::max(due, t_us), m, hyd_lever, curl);
        if (spec.period_us <= 0) {
          s.active = false;
          break;
        }
        const double period = (i == kEec1 ? eec1_us : spec.period_us) * m_ecu_rate[spec.ecu];
        s.next_due_us += period + m_rng.uniform(-spec.jitter_us, spec.jitter_us);
      }
    }
  }
  run_bus(end_us);
}

void Bus::run_bus(std::int64_t until_us) {
  while (!m_pending.empty()) {
    std::int64_t earliest = m_pending[0].ready_us;
    for (const auto& p : m_pending) earliest = std::min(earliest, p.ready_us);
    const std::int64_t start = std::max(m_bus_free_us, earliest);
    if (start >= until_us) return;
    // Arbitration: of the frames waiting when the bus goes idle, the lowest identifier wins.
    std::size_t win = m_pending.size();
    for (std::size_t i = 0; i < m_pending.size(); ++i) {
      const auto& p = m_pending[i];
      if (p.ready_us > start) continue;
      if (win == m_pending.size() || p.key < m_pending[win].key ||
          (p.key == m_pending[win].key && p.seq < m_pending[win].seq)) {
        win = i;
      }
    }
    Pending p = m_pending[win];
    m_pending[win] = m_pending.back();
    m_pending.pop_back();
    // Frame length: header, data, CRC, ACK, EOF, intermission, plus stuff bits.
    const int bits = (p.frame.extended ? 67 : 47) + 8 * p.frame.dlc + static_cast<int>(m_rng.range(2, 14));
    const auto end = start + static_cast<std::int64_t>(bits * kBitUs + 0.5);
    m_bus_free_us = end;
    deliver(p, end);
  }
}

void Bus::deliver(Pending& p, std::int64_t end_us) {
  if (m_faults && in(m_gaps, end_us, -1)) {
    ++m_stats.dropped;
    return;
  }
  // Receive timestamp: end of frame plus driver latency; in fault mode the host sometimes stalls and
  // stamps a burst of frames late and together.
  std::int64_t ts = end_us + m_rng.range(15, 70);
  if (m_faults) {
    if (end_us >= m_next_burst_us && m_burst_end_us < end_us) {
      m_burst_start_us = end_us;
      m_burst_end_us = end_us + m_rng.range(5000, 40000);
      m_next_burst_us = end_us + m_rng.range(2'000'000, 10'000'000);
      m_burst_count = 0;
    }
    if (end_us >= m_burst_start_us && end_us < m_burst_end_us) ts = m_burst_end_us + 8 * m_burst_count++;
  }
  ts = std::max(ts, m_last_ts_us + 1);
  m_last_ts_us = ts;
  p.frame.time_ns = (m_start_us + ts) * 1000;
  ++m_stats.frames;
  for (std::size_t i = 0; i < 2; ++i) {
    if (p.truth_signal[i] >= 0 && std::isnan(p.truth_value[i])) ++m_stats.na_values;
  }
  if (m_truth) {
    for (std::size_t i = 0; i < 2; ++i) {
      if (p.truth_signal[i] >= 0) m_truth(p.frame.time_ns, p.truth_signal[i], p.truth_value[i]);
    }
  }
  m_sink(p.frame);
}

}  // namespace lc::sim
