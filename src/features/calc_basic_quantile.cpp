// Basic tsfresh calculators built on order statistics: median, quantile, symmetry_looking,
// index_mass_quantile, change_quantiles, mean_n_absolute_max. Each sorts one copy of the series in
// workspace memory and answers all of its parameter combinations from it.
#include <algorithm>
#include <cmath>
#include <cstddef>
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
  const double* s = sorted_copy(x.data(), x.size(), ws.take(x.size()));
  out[0] = np_median_sorted(s, x.size());
}

void quantile(std::span<const double> x, Workspace& ws, double* out) {
  constexpr double kQ[] = {0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9};
  if (x.empty()) {
    for (std::size_t k = 0; k < 8; ++k) out[k] = kNaN;
    return;
  }
  const double* s = sorted_copy(x.data(), x.size(), ws.take(x.size()));
  for (std::size_t k = 0; k < 8; ++k) out[k] = np_quantile_sorted(s, x.size(), kQ[k]);
}

// |mean - median| < r * (max - min), strict, for r = i*0.05, i = 0..19 (r = 0 is therefore always false).
void symmetry_looking(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  if (n == 0) {
    for (int i = 0; i < 20; ++i) out[i] = kNaN;
    return;
  }
  const double* s = sorted_copy(x.data(), n, ws.take(n));
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

// Aggregates of the changes x[i+1]-x[i] whose two ends both lie in the corridor between the ql and qh
// quantiles, for every (ql < qh) of {0,.2,.4,.6,.8} x {.2,.4,.6,.8,1}, isabs False/True, mean/var:
// 60 outputs in tsfresh's order. The corridor is pd.qcut's bin 0: el < x <= eh, or x == el. Equal edges
// make qcut raise, and tsfresh then returns 0.0; so does a corridor without changes (NOTES.md item 8).
void change_quantiles(std::span<const double> x, Workspace& ws, double* out) {
  constexpr double kEdgeQ[] = {0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
  const std::size_t n = x.size();
  if (n == 0) {
    for (std::size_t k = 0; k < 60; ++k) out[k] = 0.0;  // qcut of nothing raises: tsfresh's 0
    return;
  }
  const double* s = sorted_copy(x.data(), n, ws.take(n));
  double edges[6];
  for (std::size_t e = 0; e < 6; ++e) edges[e] = np_quantile_sorted(s, n, kEdgeQ[e]);
  double* picked = ws.take(2 * n);  // selected changes, signed then absolute
  double* picked_abs = picked + n;
  double* tmp = ws.take(n);

  std::size_t k = 0;
  for (std::size_t lo = 0; lo < 5; ++lo) {
    for (std::size_t hi = 1; hi < 6; ++hi) {
      if (lo >= hi) continue;
      const double el = edges[lo];
      const double eh = edges[hi];
      std::size_t m = 0;
      if (el != eh) {
        auto inside = [&](double v) { return (el < v && v <= eh) || v == el; };
        bool prev = inside(x[0]);
        for (std::size_t i = 1; i < n; ++i) {
          const bool cur = inside(x[i]);
          if (prev && cur) {
            picked[m] = x[i] - x[i - 1];
            picked_abs[m] = std::fabs(picked[m]);
            ++m;
          }
          prev = cur;
        }
      }
      for (const double* d : {picked, picked_abs}) {
        if (m == 0) {
          out[k++] = 0.0;
          out[k++] = 0.0;
          continue;
        }
        const double mu = np_mean(d, m);
        out[k++] = mu;
        out[k++] = np_var(d, m, mu, tmp);
      }
    }
  }
}

// Mean of the 7 largest |x| (ascending order, as np.sort(...)[-7:] sums them); NaN when n <= 7.
void mean_n_absolute_max(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::size_t kMaxima = 7;
  const std::size_t n = x.size();
  if (n <= kMaxima) {
    out[0] = kNaN;
    return;
  }
  double* a = ws.take(n);
  for (std::size_t i = 0; i < n; ++i) a[i] = std::fabs(x[i]);
  std::sort(a, a + n);
  out[0] = np_mean(a + n - kMaxima, kMaxima);
}

}  // namespace lc::features::basic
