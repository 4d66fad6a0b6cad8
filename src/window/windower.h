// Grid rows -> fixed-length windows (default 5 points = 5 s at 1 Hz, not overlapping).
//
// Windows are aligned to multiples of the hop on the log's clock (a 5 s hop starts windows at Unix times that
// are multiples of 5 s), so live and replay cut the same windows from the same traffic. After a segment start
// (first row, or the first row after a long gap) rows are collected from the first aligned row on; rows before
// it cannot form a whole window and are skipped. Storage is one boost::circular_buffer per signal, sized at
// construction; making a window copies the buffers into contiguous arrays that the Window points into, so
// nothing is allocated per row or per window.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <boost/circular_buffer.hpp>

#include "signals/sample_grid.h"

namespace lc {

struct WindowConfig {
  std::size_t points = 5;  // samples per window
  std::size_t hop = 5;     // samples between window starts (== points: no overlap)
};

struct Window {
  std::uint64_t index = 0;  // windows made so far in this run, from 0
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;  // start + points * period
  std::array<std::span<const double>, kSignalCount> series{};
  std::uint16_t missing_mask = 0;  // bit i: signal i has at least one missing sample in this window
  bool degraded() const { return missing_mask != 0; }
  bool segment_start = false;  // first window of a segment (decoders restart here)
};

class Windower {
 public:
  Windower(const WindowConfig& cfg, std::int64_t period_ns);

  // Adds a row; returns true when it completed a window, which window() then shows until the next push.
  bool push(const GridRow& row);
  const Window& window() const { return m_window; }
  const WindowConfig& config() const { return m_cfg; }
  std::int64_t window_ns() const { return static_cast<std::int64_t>(m_cfg.points) * m_period_ns; }

 private:
  WindowConfig m_cfg;
  std::int64_t m_period_ns;
  std::int64_t m_hop_ns;
  std::array<boost::circular_buffer<double>, kSignalCount> m_buf;
  boost::circular_buffer<std::int64_t> m_times;
  std::vector<double> m_linear;  // kSignalCount * points, the window's contiguous copy
  bool m_aligned = false;
  bool m_segment_start_pending = true;
  std::size_t m_since_emit = 0;  // rows since the aligned start of the segment
  std::uint64_t m_emitted = 0;
  std::int64_t m_expected_next_ns = 0;
  Window m_window;
};

}  // namespace lc
