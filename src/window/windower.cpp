#include "window/windower.h"

namespace lc {

Windower::Windower(const WindowConfig& cfg, std::int64_t period_ns)
    : m_cfg(cfg),
      m_period_ns(period_ns),
      m_hop_ns(static_cast<std::int64_t>(cfg.hop) * period_ns),
      m_times(cfg.points),
      m_linear(kSignalCount * cfg.points) {
  for (auto& b : m_buf) b.set_capacity(cfg.points);
  for (std::size_t s = 0; s < kSignalCount; ++s)
    m_window.series[s] = std::span<const double>(m_linear.data() + s * cfg.points, cfg.points);
}

bool Windower::push(const GridRow& row) {
  // A new segment, or a hole in the row sequence, restarts collection.
  if (row.segment_start || (m_aligned && row.time_ns != m_expected_next_ns)) {
    for (auto& b : m_buf) b.clear();
    m_times.clear();
    m_aligned = false;
    m_segment_start_pending = true;
  }
  m_expected_next_ns = row.time_ns + m_period_ns;
  if (!m_aligned) {
    std::int64_t rem = row.time_ns % m_hop_ns;
    if (rem < 0) rem += m_hop_ns;
    if (rem != 0) return false;
    m_aligned = true;
    m_since_emit = 0;
  }
  for (std::size_t s = 0; s < kSignalCount; ++s) m_buf[s].push_back(row.values[s]);
  m_times.push_back(row.time_ns);
  ++m_since_emit;  // rows since alignment
  // Windows end at rows points, points + hop, points + 2*hop, ... after alignment.
  if (m_since_emit < m_cfg.points || (m_since_emit - m_cfg.points) % m_cfg.hop != 0) return false;
  std::uint16_t mask = 0;
  for (std::size_t s = 0; s < kSignalCount; ++s) {
    double* dst = m_linear.data() + s * m_cfg.points;
    std::size_t i = 0;
    for (double v : m_buf[s]) {
      dst[i++] = v;
      if (v != v) mask = static_cast<std::uint16_t>(mask | (1u << s));
    }
  }
  m_window.start_ns = m_times.front();
  m_window.end_ns = m_times.front() + window_ns();
  m_window.missing_mask = mask;
  m_window.segment_start = m_segment_start_pending;
  m_segment_start_pending = false;
  ++m_emitted;
  m_window.index = m_emitted - 1;
  return true;
}

}  // namespace lc
