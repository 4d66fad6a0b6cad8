// Basic tsfresh calculators built on order statistics: median, quantile, symmetry_looking,
// index_mass_quantile, change_quantiles, mean_n_absolute_max. They read the series' ascending copy from
// Workspace::sorted(), which sorts each series once for all of them.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "features/basic_calculators.h"
#include "features/basic_numpy.h"

namespace lc::features::basic {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double as_double(std::size_t v) { return static_cast<double>(v); }

}  // namespace

void median(std::span<const double> x, Workspace& ws, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  out[0] = np_median_sorted(ws.sorted(x).data(), x.size());
}

void quantile(std::span<const double> x, Workspace& ws, double* out) {
  constexpr double kQ[] = {0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9};
  if (x.empty()) {
    for (std::size_t k = 0; k < 8; ++k) out[k] = kNaN;
    return;
  }
  const double* s = ws.sorted(x).data();
  for (std::size_t k = 0; k < 8; ++k) out[k] = np_quantile_sorted(s, x.size(), kQ[k]);
}

// |mean - median| < r * (max - min), strict, for r = i*0.05, i = 0..19 (r = 0 is therefore always false).
void symmetry_looking(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  if (n == 0) {
    for (int i = 0; i < 20; ++i) out[i] = kNaN;
    return;
  }
  const double* s = ws.sorted(x).data();
  const double mean_median_difference = std::fabs(np_mean(x.data(), n) - np_median_sorted(s, n));
  const double max_min_difference = s[n - 1] - s[0];
  for (int i = 0; i < 20; ++i) {
    out[i] = mean_median_difference < (static_cast<double>(i) * 0.05) * max_min_difference ? 1.0 : 0.0;
  }
}

// (first index where cumsum|x| / sum|x| >= q) + 1, over n; NaN for all q when sum|x| == 0 (NOTES.md item 17).
void index_mass_quantile(std::span<const double> x, Workspace& ws, double* out) {
  constexpr double kQ[] = {0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9};
  const std::size_t n = x.size();
  double* a = ws.take(n);
  for (std::size_t i = 0; i < n; ++i) a[i] = std::fabs(x[i]);
  const double total = np_sum(a, n);
  if (total == 0.0) {
    for (std::size_t k = 0; k < 8; ++k) out[k] = kNaN;
    return;
  }
  // mass = cumsum(|x|) / sum(|x|), with numpy's sequential cumsum; it never decreases, so the search for
  // each (ascending) q continues where the previous one stopped.
  double running = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    running += a[i];
    a[i] = running / total;
  }
  std::size_t i = 0;
  for (std::size_t k = 0; k < 8; ++k) {
    while (i < n && !(a[i] >= kQ[k])) ++i;
    // np.argmax of an all-false mask is 0 (rounding could leave even the full mass short of q).
    const std::size_t idx = i < n ? i : 0;
    out[k] = as_double(idx + 1) / as_double(n);
  }
}

namespace {

// change_quantiles' corridors in tsfresh's order: (ql, qh) index pairs into kEdgeQ with ql < qh, ql major.
constexpr double kEdgeQ[] = {0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
struct Corridor {
  std::uint8_t lo;
  std::uint8_t hi;
};
constexpr auto kCorridors = [] {
  std::array<Corridor, 15> c{};
  std::size_t k = 0;
  for (std::uint8_t lo = 0; lo < 5; ++lo)
    for (std::uint8_t hi = lo + 1; hi < 6; ++hi) c[k++] = {lo, hi};
  return c;
}();
// Outputs per corridor: (isabs False, True) x (mean, var).
constexpr std::size_t kPerCorridor = 4;

// The changes x[i]-x[i-1] whose two ends both lie in the corridor: pd.qcut's bin 0, el < x <= eh or x == el.
// Writes them to `picked` and their absolute values to `picked_abs` (x.size() doubles each); returns their
// count. Equal edges make qcut raise (tsfresh then returns 0.0), which the caller sees as no changes. Every
// change is written and only kept if both ends are inside: no branch on the data, which is as unpredictable
// as the series.
std::size_t corridor_changes(std::span<const double> x, double el, double eh, double* picked, double* picked_abs) {
  std::size_t m = 0;
  if (el == eh) return 0;
  auto inside = [&](double v) { return ((el < v) & (v <= eh)) | (v == el); };
  bool prev = inside(x[0]);
  for (std::size_t i = 1; i < x.size(); ++i) {
    const bool cur = inside(x[i]);
    const double d = x[i] - x[i - 1];
    picked[m] = d;
    picked_abs[m] = std::fabs(d);
    m += static_cast<std::size_t>(prev & cur);
    prev = cur;
  }
  return m;
}

// Writes the outputs of one corridor selected by `mask` (bit j = output j of kPerCorridor) to out[0..3]: mean
// and var of the signed, then of the absolute changes; 0.0 for a corridor without changes.
void corridor_outputs(const double* picked, const double* picked_abs, std::size_t m, unsigned mask, double* tmp,
                      double* out) {
  for (std::size_t a = 0; a < 2; ++a) {
    const double* d = a == 0 ? picked : picked_abs;
    const bool want_mean = (mask >> (2 * a)) & 1u;
    const bool want_var = (mask >> (2 * a + 1)) & 1u;
    if (!want_mean && !want_var) continue;
    if (m == 0) {
      if (want_mean) out[2 * a] = 0.0;
      if (want_var) out[2 * a + 1] = 0.0;
      continue;
    }
    const double mu = np_mean(d, m);
    if (want_mean) out[2 * a] = mu;
    if (want_var) out[2 * a + 1] = np_var(d, m, mu, tmp);
  }
}

}  // namespace

// Aggregates of the changes x[i+1]-x[i] whose two ends both lie in the corridor between the ql and qh
// quantiles, for every (ql < qh) of {0,.2,.4,.6,.8} x {.2,.4,.6,.8,1}, isabs False/True, mean/var:
// 60 outputs in tsfresh's order. The corridor is pd.qcut's bin 0: el < x <= eh, or x == el. Equal edges
// make qcut raise, and tsfresh then returns 0.0; so does a corridor without changes (NOTES.md item 8).
void change_quantiles(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::uint16_t kAll[] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                                    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
                                    30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
                                    45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59};
  static_assert(std::size(kAll) == kCorridors.size() * kPerCorridor);
  change_quantiles_some(x, ws, kAll, out);
}

// Each wanted corridor on its own: the sort (shared through the workspace) and its two edges, then only
// the wanted aggregates. The full calculator is this with every output wanted.
void change_quantiles_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                           double* out) {
  const std::size_t n = x.size();
  if (n == 0) {
    for (const auto k : wanted) out[k] = 0.0;  // qcut of nothing raises: tsfresh's 0
    return;
  }
  const double* s = ws.sorted(x).data();
  double* picked = ws.take(2 * n);  // selected changes, signed then absolute
  double* picked_abs = picked + n;
  double* tmp = ws.take(n);
  for (std::size_t w = 0; w < wanted.size();) {
    const std::size_t c = wanted[w] / kPerCorridor;
    unsigned mask = 0;
    for (; w < wanted.size() && wanted[w] / kPerCorridor == c; ++w) mask |= 1u << (wanted[w] % kPerCorridor);
    const double el = np_quantile_sorted(s, n, kEdgeQ[kCorridors[c].lo]);
    const double eh = np_quantile_sorted(s, n, kEdgeQ[kCorridors[c].hi]);
    const std::size_t m = corridor_changes(x, el, eh, picked, picked_abs);
    corridor_outputs(picked, picked_abs, m, mask, tmp, out + c * kPerCorridor);
  }
}

// Mean of the 7 largest |x| (ascending order, as np.sort(...)[-7:] sums them); NaN when n <= 7.
// The largest |x| of a sorted range is at one of its ends (|v| is convex), so the 7 come from walking in
// from both ends of the shared sorted copy; equal |x| are equal bits, so the sum is np.sort's exactly.
void mean_n_absolute_max(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::size_t kMaxima = 7;
  const std::size_t n = x.size();
  if (n <= kMaxima) {
    out[0] = kNaN;
    return;
  }
  const double* s = ws.sorted(x).data();
  double top[kMaxima];  // ascending, filled from the largest down
  std::size_t lo = 0;
  std::size_t hi = n - 1;
  for (std::size_t k = kMaxima; k-- > 0;) {
    const double a = std::fabs(s[lo]);
    const double b = std::fabs(s[hi]);
    if (a > b) {
      top[k] = a;
      ++lo;
    } else {
      top[k] = b;
      --hi;
    }
  }
  out[0] = np_mean(top, kMaxima);
}

}  // namespace lc::features::basic
