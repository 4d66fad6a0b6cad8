// The ten engine signals loadercount uses (ARCHITECTURE.md: their names are part of the contract).
// The order here is the order of signals everywhere downstream: sample-grid rows, window series, feature
// names and model bundles.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "dbc/decode_plan.h"

namespace lc {

inline constexpr std::size_t kSignalCount = 10;

inline constexpr std::array<dbc::WantedSignal, kSignalCount> kEngineSignals = {{
    {"engine_speed_rpm", 190},
    {"actual_torque_pct", 513},
    {"accel_pedal_pct", 91},
    {"max_available_torque_pct", 3357},
    {"friction_torque_pct", 514},
    {"keyswitch_voltage_v", 158},
    {"coolant_temp_c", 110},
    {"intake_manifold_pressure_kpa", 102},
    {"oil_pressure_kpa", 100},
    {"exhaust_temp_right_c", 2433},
}};

static_assert(kEngineSignals[0].name == std::string_view("engine_speed_rpm"));
inline constexpr std::size_t kEngineSpeedIndex = 0;

// No diesel idles this slowly (loader engines idle at 600-900 rpm; the simulator's profiles at 650-900): an
// engine reported below it is stopping (the run-down after a key-off, while the ECUs latch) or off with its
// ECU still talking (0 rpm, as in the CANedge and John Deere logs of shared/data/real).
inline constexpr double kEngineStoppedBelowRpm = 400;

inline constexpr std::uint8_t kEngineSourceAddress = 0x00;

std::optional<std::size_t> signal_index(std::string_view name);

// The text of can_dbc/j1939_engine.dbc, compiled into the binary so the tools work from any directory.
std::string_view default_dbc_text();
inline constexpr std::string_view kDefaultDbcName = "can_dbc/j1939_engine.dbc (built in)";

// Compiles the built-in DBC for the ten signals from the engine's source address.
Expected<dbc::DecodePlan> default_decode_plan(std::uint8_t source_address = kEngineSourceAddress);
// Compiles a DBC file for the ten signals.
Expected<dbc::DecodePlan> decode_plan_from_file(const std::string& path,
                                                std::uint8_t source_address = kEngineSourceAddress);

}  // namespace lc
