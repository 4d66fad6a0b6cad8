// CAN frames -> decoded values -> sample grid -> windows: the one front half of the data path, shared by
// replay, the daemon and training so they cannot cut windows differently (ARCHITECTURE.md "The one data path").
//
// push() does integer decode work and, at most once per grid tick, closes a row; when a row completes a
// window the callback gets it. Nothing is allocated per frame (the decode buffer, grid and windower are sized
// at construction).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "can/frame.h"
#include "dbc/decode_plan.h"
#include "signals/sample_grid.h"
#include "window/windower.h"

namespace lc {

struct FrontEndConfig {
  GridConfig grid;
  WindowConfig window;
};

struct FrontEndStats {
  std::uint64_t frames = 0;
  std::uint64_t decoded_frames = 0;
  std::uint64_t other_source = 0;
  std::uint64_t rows = 0;
  std::uint64_t windows = 0;
  std::uint64_t degraded_windows = 0;
  std::uint64_t segments = 0;
};

class FramePipeline {
 public:
  using WindowSink = std::function<void(const Window&)>;
  FramePipeline(dbc::DecodePlan plan, const FrontEndConfig& cfg, WindowSink on_window);

  void push(const can::Frame& f);
  // End of input: closes the open tick (a last partial window is not made).
  void finish();
  // Whether the input, as far as it has come, ends at a stop of the engine after the last window (false before
  // the first window). Either the engine's frames paused for longer than the segment gap and no window came
  // after (the input went on with a new segment too short for one, e.g. an engine restarted just before the
  // log ends), or the engine's last reported speed is below kEngineStoppedBelowRpm (the log ends during a
  // key-off's run-down, or with the engine off and its ECU still talking). The daemon sees either as a stop
  // when the bus goes silent; the end of a log where the engine was still running is no stop.
  bool ended_at_stop() const;

  const FrontEndStats& stats() const { return m_stats; }
  const GridStats& grid_stats() const { return m_grid.stats(); }
  const FrontEndConfig& config() const { return m_cfg; }
  const dbc::DecodePlan& plan() const { return m_plan; }
  std::int64_t window_ns() const { return m_windower.window_ns(); }

 private:
  void on_row(const GridRow& row);

  dbc::DecodePlan m_plan;
  FrontEndConfig m_cfg;
  SampleGrid m_grid;
  Windower m_windower;
  WindowSink m_on_window;
  std::vector<dbc::DecodedValue> m_values;
  FrontEndStats m_stats;
  bool m_stopped_since_window = false;  // a segment start came after the last window
  double m_last_engine_rpm = -1;        // the newest row's engine speed (-1: none yet, or missing there)
};

}  // namespace lc
