// The loader's CAN bus: J1939 messages from the engine (SA 0x00), transmission (0x03), brakes (0x0B),
// instrument cluster (0x17) and an 11-bit CANopen joystick, each ECU on its own drifting clock with task
// jitter; 250 kbit/s arbitration by identifier (so frames queue behind each other exactly as on a real
// bus); receive timestamps with host latency; and, optionally, faults.
//
// Encoding follows ARCHITECTURE.md's signal table: J1939 byte numbers from 1, little-endian two-byte
// values, raw = round((value - offset) / scale) clamped to the valid range, 0xFF / 0xFFFF for bytes and
// values not sent. Other SPNs that a real engine sends in the same messages are filled too (driver's
// demand torque, percent load, oil temperature, ...), so a decoder has to pick the right bytes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "can/frame.h"
#include "sim/machine.h"
#include "sim/rng.h"

namespace lc::sim {

// The ten contract signals, in ARCHITECTURE.md's order (the `signal` index given to on_truth).
enum class Signal : int {
  EngineSpeed = 0,        // engine_speed_rpm
  ActualTorque,           // actual_torque_pct
  AccelPedal,             // accel_pedal_pct
  MaxAvailableTorque,     // max_available_torque_pct
  FrictionTorque,         // friction_torque_pct
  KeyswitchVoltage,       // keyswitch_voltage_v
  CoolantTemp,            // coolant_temp_c
  IntakeManifoldPressure, // intake_manifold_pressure_kpa
  OilPressure,            // oil_pressure_kpa
  ExhaustTempRight,       // exhaust_temp_right_c
};
inline constexpr int kSignalCount = 10;

using FrameSink = std::function<void(const can::Frame&)>;
// time_ns (the frame's timestamp), signal index, the physical value meant (NaN: sent as "not available").
using TruthSink = std::function<void(std::int64_t, int, double)>;

struct BusStats {
  std::uint64_t frames = 0;         // delivered to the sink
  std::uint64_t dropped = 0;        // lost in bus gaps (faults)
  std::uint64_t na_values = 0;      // contract signals sent as not available
};

class Bus {
 public:
  // `start_us`: Unix time of step 0, microseconds; `total_us`: run length (fault schedule).
  Bus(const MachineProfile& profile, Rng rng, bool faults, std::int64_t start_us, std::int64_t total_us,
      FrameSink sink, TruthSink truth);

  // One physics step starting at `t_us` (relative to start) lasting `step_us`: queue the messages due in it,
  // built from the machine state, and run the bus over the step. `powered`: ECUs have power.
  void step(std::int64_t t_us, std::int64_t step_us, const MachineState& m, double hyd_lever, double curl,
            bool powered);
  // Frames still queued when the run ends are not sent (the log stops at the run's end).

  const BusStats& stats() const { return m_stats; }

 private:
  struct Pending {
    can::Frame frame;
    std::int64_t ready_us = 0;
    std::uint64_t key = 0;  // arbitration priority (lower wins), then seq
    std::uint64_t seq = 0;
    std::array<std::int8_t, 2> truth_signal{{-1, -1}};
    std::array<double, 2> truth_value{};
  };
  struct Schedule {
    double next_due_us = 0;
    bool active = false;
  };
  struct Window {
    std::int64_t start_us = 0;
    std::int64_t end_us = 0;
    int which = 0;      // signal or message index
    double value = 0;   // stuck value
    bool captured = false;
  };

  void build(int msg, std::int64_t due_us, const MachineState& m, double hyd_lever, double curl);
  void run_bus(std::int64_t until_us);
  void deliver(Pending& p, std::int64_t end_us);
  double sensor(int signal, double value, std::int64_t t_us);
  std::uint16_t encode(Pending& p, int signal, double value, double scale, double offset, bool two_bytes,
                       std::int64_t t_us);
  bool in(const std::vector<Window>& ws, std::int64_t t_us, int which) const;

  MachineProfile m_p;
  Rng m_rng;
  Rng m_noise;
  bool m_faults = false;
  std::int64_t m_start_us = 0;
  FrameSink m_sink;
  TruthSink m_truth;
  BusStats m_stats;
  std::vector<Schedule> m_sched;
  std::vector<double> m_ecu_rate;  // clock drift factor per ECU
  std::vector<Pending> m_pending;
  std::uint64_t m_seq = 0;
  std::int64_t m_bus_free_us = 0;
  std::int64_t m_last_ts_us = -1;
  bool m_was_powered = false;
  double m_fuel_level = 0.8;
  // Fault schedule.
  std::vector<Window> m_gaps;
  std::vector<Window> m_missing;  // which = message index
  std::vector<Window> m_na;       // which = signal index
  std::vector<Window> m_stuck;    // which = signal index
  std::int64_t m_burst_start_us = 0;
  std::int64_t m_burst_end_us = -1;
  std::int64_t m_next_burst_us = 0;
  std::int64_t m_burst_count = 0;
};

}  // namespace lc::sim
