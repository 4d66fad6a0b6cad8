// Decoded signal values -> a regular sample grid (default 1 Hz, as the reference design).
//
// Tick k covers [k*P, (k+1)*P) on the log's own clock (P = 1/rate_hz; ticks are aligned to multiples of P
// since the clock's epoch, so live and replay agree on tick boundaries whatever the first frame's time).
// A tick's value for a signal is the MEAN of the values received in it: EEC1 arrives every 10-20 ms, so a
// 1 s tick averages 50-100 readings, which removes sensor noise and makes the value independent of how many
// frames happened to land in the tick (the last value or a decimation would alias the 2-4 Hz torque swings of
// digging). A tick without a value carries the last value forward while it is at most `staleness_s` old,
// then the signal is missing (NaN). A raw "not available"/"error" value (NaN from the decode plan) is not
// averaged and also ends carrying forward: the sensor said it has no value.
//
// A silence longer than `segment_gap_s` (engine off, bus down) ends the segment: no rows are made for the
// gap, and the first row after it has `segment_start` set so windows and decoders restart cleanly.
// A segment's end (the gap, or the end of input) follows the same carry-forward rule as any silence: after the
// open tick, ticks are closed as long as every signal the last row had is still at most `staleness_s` old.
// So the last 2-3 s of a segment are not cut off short of a whole window: a loader dumps and the key goes off
// seconds later, and without these ticks the window holding that last trip was never made.
// Values arriving slightly out of order (older than the open tick) are added to the open tick and counted.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "signals/engine_signals.h"

namespace lc {

struct GridConfig {
  double rate_hz = 1.0;
  double staleness_s = 3.0;
  double segment_gap_s = 30.0;
};

struct GridRow {
  std::int64_t time_ns = 0;  // start of the tick
  std::array<double, kSignalCount> values{};
  std::uint16_t missing_mask = 0;  // bit i set: signal i is NaN in this row
  bool segment_start = false;      // first row after the start or a long gap
};

struct GridStats {
  std::uint64_t rows = 0;
  std::uint64_t late_values = 0;
  std::uint64_t na_values = 0;
  std::uint64_t segments = 0;
};

class SampleGrid {
 public:
  explicit SampleGrid(const GridConfig& cfg);

  const GridConfig& config() const { return m_cfg; }
  std::int64_t period_ns() const { return m_period_ns; }
  const GridStats& stats() const { return m_stats; }

  // Time has reached t_ns (any frame, wanted or not): closes every tick that ended at or before t_ns,
  // calling on_row(const GridRow&) for each, oldest first.
  template <class Sink>
  void advance(std::int64_t t_ns, Sink&& on_row) {
    if (!m_started) {
      start_at(t_ns);
      return;
    }
    if (t_ns - m_last_input_ns > m_gap_ns) {
      close_segment(on_row);
      start_at(t_ns);
      return;
    }
    if (t_ns > m_last_input_ns) m_last_input_ns = t_ns;
    while (t_ns >= m_tick_start_ns + m_period_ns) close_tick(on_row);
  }

  // One decoded value (NaN = not available) of signal `slot` at t_ns.
  template <class Sink>
  void push(std::int64_t t_ns, std::size_t slot, double value, Sink&& on_row) {
    advance(t_ns, on_row);
    if (t_ns < m_tick_start_ns) ++m_stats.late_values;
    Acc& a = m_acc[slot];
    if (std::isnan(value)) {
      ++m_stats.na_values;
      a.na_seen = true;
      return;
    }
    a.sum += value;
    ++a.count;
    if (t_ns > a.last_valid_ns) a.last_valid_ns = t_ns;
  }

  // End of input: closes the open tick and the segment's carried ticks (see above).
  template <class Sink>
  void flush(Sink&& on_row) {
    if (m_started) close_segment(on_row);
    m_started = false;
  }

 private:
  struct Acc {
    double sum = 0;
    std::uint32_t count = 0;
    bool na_seen = false;
    double last = std::numeric_limits<double>::quiet_NaN();
    std::int64_t last_valid_ns = std::numeric_limits<std::int64_t>::min() / 2;
  };

  void start_at(std::int64_t t_ns);

  // The open tick, then the ticks in which every signal present in the last row still carries its value.
  // Bounded: a tick closes only while it ends within staleness_s of the last input.
  template <class Sink>
  void close_segment(Sink&& on_row) {
    close_tick(on_row);
    const std::uint16_t present = static_cast<std::uint16_t>(~m_row.missing_mask & ((1u << kSignalCount) - 1));
    if (present == 0) return;
    for (;;) {
      const std::int64_t tick_end = m_tick_start_ns + m_period_ns;
      if (tick_end - m_last_input_ns > m_stale_ns) return;
      for (std::size_t i = 0; i < kSignalCount; ++i)
        if ((present >> i & 1u) && tick_end - m_acc[i].last_valid_ns > m_stale_ns) return;
      close_tick(on_row);
    }
  }

  template <class Sink>
  void close_tick(Sink&& on_row) {
    GridRow& row = m_row;
    row.time_ns = m_tick_start_ns;
    row.segment_start = m_next_is_segment_start;
    row.missing_mask = 0;
    const std::int64_t tick_end = m_tick_start_ns + m_period_ns;
    for (std::size_t i = 0; i < kSignalCount; ++i) {
      Acc& a = m_acc[i];
      double v;
      if (a.count > 0) {
        v = a.sum / a.count;
        a.last = v;
      } else if (a.na_seen) {
        v = std::numeric_limits<double>::quiet_NaN();
        a.last = v;
      } else if (tick_end - a.last_valid_ns <= m_stale_ns) {
        v = a.last;
      } else {
        v = std::numeric_limits<double>::quiet_NaN();
      }
      if (std::isnan(v)) row.missing_mask = static_cast<std::uint16_t>(row.missing_mask | (1u << i));
      row.values[i] = v;
      a.sum = 0;
      a.count = 0;
      a.na_seen = false;
    }
    m_next_is_segment_start = false;
    ++m_stats.rows;
    m_tick_start_ns = tick_end;
    on_row(static_cast<const GridRow&>(row));
  }

  GridConfig m_cfg;
  std::int64_t m_period_ns;
  std::int64_t m_stale_ns;
  std::int64_t m_gap_ns;
  bool m_started = false;
  bool m_next_is_segment_start = true;
  std::int64_t m_tick_start_ns = 0;
  std::int64_t m_last_input_ns = 0;
  std::array<Acc, kSignalCount> m_acc{};
  GridRow m_row;
  GridStats m_stats;
};

}  // namespace lc
