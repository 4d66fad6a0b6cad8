// SampleGrid: tick means, carry-forward within staleness, segment gaps, and the carried ticks at a segment's
// end (a loader dumps and the key goes off 2-3 s later: without them the window holding that trip is never
// made, and the shift loses a trip).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "signals/sample_grid.h"

namespace lc {
namespace {

constexpr std::int64_t kS = 1'000'000'000;
constexpr std::int64_t kMs = 1'000'000;

struct Rows {
  std::vector<GridRow> rows;
  void operator()(const GridRow& r) { rows.push_back(r); }
};

GridConfig one_hz() {
  GridConfig c;
  c.rate_hz = 1.0;
  c.staleness_s = 3.0;
  c.segment_gap_s = 30.0;
  return c;
}

TEST(SampleGrid, TickIsTheMeanOfItsValuesAndCarriesForwardOnlyWhileFresh) {
  SampleGrid g(one_hz());
  Rows out;
  const std::int64_t t0 = 1000 * kS;
  g.push(t0 + 100 * kMs, 0, 10.0, out);
  g.push(t0 + 600 * kMs, 0, 20.0, out);
  // Signal 0 falls silent; signal 1 keeps the clock going for 6 more seconds.
  for (int k = 0; k <= 6; ++k) g.push(t0 + k * kS + 500 * kMs, 1, 1.0, out);
  ASSERT_EQ(out.rows.size(), 6u);
  EXPECT_EQ(out.rows[0].time_ns, t0);
  EXPECT_TRUE(out.rows[0].segment_start);
  EXPECT_DOUBLE_EQ(out.rows[0].values[0], 15.0);
  // Last value at t0+0.6 s: ticks ending at t0+2, t0+3 are within 3 s, the tick ending at t0+4 is not.
  EXPECT_DOUBLE_EQ(out.rows[1].values[0], 15.0);
  EXPECT_DOUBLE_EQ(out.rows[2].values[0], 15.0);
  EXPECT_TRUE(std::isnan(out.rows[3].values[0]));
  EXPECT_EQ(out.rows[3].missing_mask & 1u, 1u);
  EXPECT_FALSE(out.rows[1].segment_start);
}

TEST(SampleGrid, GapEndsTheSegmentWithItsCarriedTicksAndMakesNoRowsForTheGap) {
  SampleGrid g(one_hz());
  Rows out;
  const std::int64_t t0 = 1000 * kS;
  // Every signal every 100 ms for 10 s; the last input is at t0 + 9.9 s.
  for (int k = 0; k < 100; ++k)
    for (std::size_t s = 0; s < kSignalCount; ++s) g.push(t0 + k * 100 * kMs, s, static_cast<double>(s + k), out);
  ASSERT_EQ(out.rows.size(), 9u);  // the tick [t0+9, t0+10) is still open
  g.push(t0 + 100 * kS, 0, 7.0, out);  // 90 s of silence
  // The open tick, then the ticks ending at t0+11 and t0+12 (within 3 s of t0+9.9); t0+13 would be 3.1 s after.
  ASSERT_EQ(out.rows.size(), 12u);
  for (std::size_t i = 9; i < 12; ++i) {
    EXPECT_EQ(out.rows[i].time_ns, t0 + static_cast<std::int64_t>(i) * kS);
    EXPECT_EQ(out.rows[i].missing_mask, 0u) << "row " << i;
    EXPECT_FALSE(out.rows[i].segment_start);
  }
  EXPECT_DOUBLE_EQ(out.rows[11].values[3], out.rows[9].values[3]);  // carried: the last tick's mean
  g.flush(out);
  ASSERT_EQ(out.rows.size(), 15u);  // the new segment's tick plus the 2 ticks ending within 3 s of its input
  EXPECT_EQ(out.rows[12].time_ns, t0 + 100 * kS);
  EXPECT_TRUE(out.rows[12].segment_start);
  EXPECT_DOUBLE_EQ(out.rows[12].values[0], 7.0);
  EXPECT_EQ(g.stats().segments, 2u);
}

TEST(SampleGrid, CarryAtTheEndStopsBeforeAnySignalTheLastRowHadGoesStale) {
  GridConfig c = one_hz();
  c.rate_hz = 8.0;
  SampleGrid g(c);
  Rows out;
  const std::int64_t t0 = 1000 * kS;
  // Signal 0 every 10 ms, signal 1 (a slow one) every second, the others never. Last inputs: s1 at t0+9 s,
  // s0 at t0+9.99 s.
  for (int k = 0; k < 1000; ++k) {
    g.push(t0 + k * 10 * kMs, 0, 1.0, out);
    if (k % 100 == 0) g.push(t0 + k * 10 * kMs, 1, 2.0, out);
  }
  const std::size_t before = out.rows.size();
  g.flush(out);
  // s1 stays fresh for ticks ending up to t0+12 s: the ticks [t0+9.875, t0+12) = 17 rows, none with s1 missing.
  ASSERT_EQ(out.rows.size(), before + 17);
  EXPECT_EQ(out.rows.back().time_ns + g.period_ns(), t0 + 12 * kS);
  for (std::size_t i = before; i < out.rows.size(); ++i) EXPECT_EQ(out.rows[i].missing_mask, 0b1111111100u);
}

TEST(SampleGrid, NothingIsCarriedWhenTheLastRowHasNoValues) {
  SampleGrid g(one_hz());
  Rows out;
  const std::int64_t t0 = 1000 * kS;
  g.push(t0, 0, std::numeric_limits<double>::quiet_NaN(), out);  // "not available"
  g.flush(out);
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0].missing_mask, (1u << kSignalCount) - 1);
  g.flush(out);  // a second flush adds nothing
  EXPECT_EQ(out.rows.size(), 1u);
}

TEST(SampleGrid, FlushAtTheEndGivesTheRowsAGapWould) {
  auto feed = [](SampleGrid& g, Rows& out) {
    const std::int64_t t0 = 2000 * kS;
    for (int k = 0; k < 73; ++k)
      for (std::size_t s = 0; s < kSignalCount; ++s) g.push(t0 + k * 37 * kMs, s, static_cast<double>(k % 5), out);
  };
  SampleGrid a(one_hz()), b(one_hz());
  Rows ra, rb;
  feed(a, ra);
  a.flush(ra);
  feed(b, rb);
  b.push(5000 * kS, 0, 1.0, rb);  // a gap instead of the end: closes nothing of the new segment yet
  ASSERT_EQ(ra.rows.size(), rb.rows.size());
  for (std::size_t i = 0; i < ra.rows.size(); ++i) {
    EXPECT_EQ(ra.rows[i].time_ns, rb.rows[i].time_ns);
    EXPECT_EQ(ra.rows[i].missing_mask, rb.rows[i].missing_mask);
  }
}

}  // namespace
}  // namespace lc
