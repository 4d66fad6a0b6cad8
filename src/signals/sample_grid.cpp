#include "signals/sample_grid.h"

namespace lc {

SampleGrid::SampleGrid(const GridConfig& cfg)
    : m_cfg(cfg),
      m_period_ns(static_cast<std::int64_t>(std::llround(1e9 / cfg.rate_hz))),
      m_stale_ns(static_cast<std::int64_t>(std::llround(cfg.staleness_s * 1e9))),
      m_gap_ns(static_cast<std::int64_t>(std::llround(cfg.segment_gap_s * 1e9))) {}

void SampleGrid::start_at(std::int64_t t_ns) {
  // Align to a multiple of the period (floor, also for negative times).
  std::int64_t q = t_ns / m_period_ns;
  if (t_ns % m_period_ns < 0) --q;
  m_tick_start_ns = q * m_period_ns;
  m_last_input_ns = t_ns;
  m_started = true;
  m_next_is_segment_start = true;
  ++m_stats.segments;
  for (auto& a : m_acc) a = Acc{};
}

}  // namespace lc
