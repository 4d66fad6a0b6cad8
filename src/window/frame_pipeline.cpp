#include "window/frame_pipeline.h"

#include "signals/engine_signals.h"

namespace lc {

FramePipeline::FramePipeline(dbc::DecodePlan plan, const FrontEndConfig& cfg, WindowSink on_window)
    : m_plan(std::move(plan)),
      m_cfg(cfg),
      m_grid(cfg.grid),
      m_windower(cfg.window, m_grid.period_ns()),
      m_on_window(std::move(on_window)),
      m_values(m_plan.max_values_per_frame() + 1) {}

void FramePipeline::on_row(const GridRow& row) {
  ++m_stats.rows;
  m_last_engine_rpm = row.missing_mask & (1u << kEngineSpeedIndex) ? -1 : row.values[kEngineSpeedIndex];
  if (row.segment_start) {
    ++m_stats.segments;
    m_stopped_since_window = m_stats.windows > 0;
  }
  if (m_windower.push(row)) {
    const Window& w = m_windower.window();
    ++m_stats.windows;
    m_stopped_since_window = false;
    if (w.degraded()) ++m_stats.degraded_windows;
    m_on_window(w);
  }
}

void FramePipeline::push(const can::Frame& f) {
  ++m_stats.frames;
  auto sink = [this](const GridRow& row) { on_row(row); };
  const dbc::FrameResult r = m_plan.decode(f, m_values.data());
  if (r.outcome == dbc::FrameOutcome::OtherSource) ++m_stats.other_source;
  if (r.outcome != dbc::FrameOutcome::Decoded) {
    // Only the engine's own frames move the grid's clock: other ECUs keep talking while the engine is off,
    // and an engine that has gone silent must show up as a gap (segment end), not as stale rows.
    return;
  }
  ++m_stats.decoded_frames;
  for (std::size_t i = 0; i < r.count; ++i) m_grid.push(f.time_ns, m_values[i].slot, m_values[i].value, sink);
}

bool FramePipeline::ended_at_stop() const {
  if (m_stats.windows == 0) return false;
  return m_stopped_since_window || (m_last_engine_rpm >= 0 && m_last_engine_rpm < kEngineStoppedBelowRpm);
}

void FramePipeline::finish() {
  m_grid.flush([this](const GridRow& row) { on_row(row); });
}

}  // namespace lc
