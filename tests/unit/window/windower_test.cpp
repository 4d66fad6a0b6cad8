// Windower: windows aligned to the hop on the log's clock, restarts at segment starts and holes, and (with the
// grid's carried ticks) the last window of a segment that ends up to staleness_s short of it.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "signals/sample_grid.h"
#include "window/windower.h"

namespace lc {
namespace {

constexpr std::int64_t kS = 1'000'000'000;
constexpr std::int64_t kMs = 1'000'000;

GridRow row(std::int64_t t_ns, double v, bool seg = false) {
  GridRow r;
  r.time_ns = t_ns;
  r.values.fill(v);
  r.segment_start = seg;
  return r;
}

TEST(Windower, WindowsStartOnHopMultiplesAndHoldTheirOwnRows) {
  WindowConfig c;
  c.points = 5;
  c.hop = 5;
  Windower w(c, kS);
  std::vector<Window> made;
  std::vector<std::vector<double>> firsts;
  // Rows from t = 103 s: 103 and 104 come before the first multiple of 5 s and are skipped.
  for (int k = 103; k < 121; ++k) {
    if (w.push(row(k * kS, k, k == 103))) {
      made.push_back(w.window());
      firsts.emplace_back(w.window().series[0].begin(), w.window().series[0].end());
    }
  }
  ASSERT_EQ(made.size(), 3u);  // [105,110) [110,115) [115,120)
  EXPECT_EQ(made[0].start_ns, 105 * kS);
  EXPECT_EQ(made[0].end_ns, 110 * kS);
  EXPECT_TRUE(made[0].segment_start);
  EXPECT_FALSE(made[1].segment_start);
  EXPECT_EQ(made[2].index, 2u);
  EXPECT_EQ(firsts[1], (std::vector<double>{110, 111, 112, 113, 114}));
}

TEST(Windower, HoleInTheRowsRestartsAtTheNextAlignedRow) {
  WindowConfig c;
  c.points = 5;
  c.hop = 5;
  Windower w(c, kS);
  std::vector<Window> made;
  for (int k = 100; k < 108; ++k)
    if (w.push(row(k * kS, k, k == 100))) made.push_back(w.window());
  // Row 108 is missing: the half-filled window [105,110) is dropped, collection restarts at 110.
  for (int k = 109; k < 116; ++k)
    if (w.push(row(k * kS, k))) made.push_back(w.window());
  ASSERT_EQ(made.size(), 2u);
  EXPECT_EQ(made[1].start_ns, 110 * kS);
  EXPECT_TRUE(made[1].segment_start);
}

// A segment whose engine stops `tail_s` into a 5 s window (every signal every 20 ms, 8 Hz grid, 40 points):
// how many windows does it make?
std::size_t windows_when_input_stops(double tail_s) {
  GridConfig g;
  g.rate_hz = 8.0;
  g.staleness_s = 3.0;
  SampleGrid grid(g);
  WindowConfig c;
  c.points = 40;
  c.hop = 40;
  Windower w(c, grid.period_ns());
  std::size_t made = 0;
  auto sink = [&](const GridRow& r) {
    if (w.push(r)) ++made;
  };
  const std::int64_t t0 = 1000 * kS;
  const std::int64_t end = t0 + 10 * kS + static_cast<std::int64_t>(tail_s * 1e9);
  for (std::int64_t t = t0; t < end; t += 20 * kMs)
    for (std::size_t s = 0; s < kSignalCount; ++s) grid.push(t, s, 1.0, sink);
  grid.flush(sink);
  return made;
}

TEST(Windower, SegmentEndingUpToStalenessShortOfAWindowStillMakesIt) {
  EXPECT_EQ(windows_when_input_stops(0.0), 2u);
  // The loader dumps and the key goes off 2.2 s into the third window: the carried ticks complete it.
  EXPECT_EQ(windows_when_input_stops(2.2), 3u);
  EXPECT_EQ(windows_when_input_stops(4.9), 3u);
  // 1.5 s in, 3.5 s would have to be carried: more than staleness, so the window is not made.
  EXPECT_EQ(windows_when_input_stops(1.5), 2u);
}

}  // namespace
}  // namespace lc
