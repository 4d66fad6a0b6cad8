// tsfresh friedrich_coefficients and max_langevin_fixed_point (m=3, r=30): pd.qcut(x[:-1], 30) bins, per-bin
// means of x[:-1] and diff(x), np.polyfit(deg=3), then the largest real root (np.roots).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "features/advanced_calculators.h"
#include "features/numeric_advanced.h"

namespace lc::features::advanced {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kBins = 30;  // r
constexpr std::size_t kDeg = 3;    // m

// Fills coef[0..3] (x^3 term first); all NaN when qcut would raise (duplicate edges) or the fit fails.
void friedrich_uncached(std::span<const double> x, Workspace& ws, double* coef) {
  std::fill(coef, coef + kDeg + 1, kNaN);
  const std::size_t n = x.size();
  if (n < 2) return;  // x[:-1] empty: qcut raises
  const std::size_t m = n - 1;
  double* sorted = ws.take(m);
  std::copy(x.begin(), x.end() - 1, sorted);
  for (std::size_t i = 0; i < m; ++i)
    if (std::isnan(sorted[i])) return;
  numeric::sort_ascending(sorted, m);
  // Edges: np.quantile(x, np.linspace(0, 1, 31)); duplicates make pd.qcut raise.
  std::array<double, kBins + 1> edges{};
  const double qstep = 1.0 / static_cast<double>(kBins);
  for (std::size_t i = 0; i <= kBins; ++i) {
    const double q = i == kBins ? 1.0 : static_cast<double>(i) * qstep;
    edges[i] = numeric::quantile_sorted(sorted, m, q);
  }
  for (std::size_t i = 1; i <= kBins; ++i)
    if (!(edges[i] != edges[i - 1])) return;
  std::array<double, kBins> sx{};
  std::array<double, kBins> sy{};
  std::array<double, kBins> cnt{};
  for (std::size_t i = 0; i < m; ++i) {
    const double v = x[i];
    // Interval (e[b], e[b+1]], the first one closed on the left (include_lowest).
    auto it = std::lower_bound(edges.begin(), edges.end(), v);
    std::size_t b = static_cast<std::size_t>(it - edges.begin());
    b = b == 0 ? 0 : b - 1;
    sx[b] += v;
    sy[b] += x[i + 1] - x[i];
    cnt[b] += 1.0;
  }
  // Non-empty bins become the polyfit points.
  std::size_t pts = 0;
  double* px = ws.take(kBins);
  double* py = ws.take(kBins);
  for (std::size_t b = 0; b < kBins; ++b) {
    if (cnt[b] == 0.0) continue;
    px[pts] = sx[b] / cnt[b];
    py[pts] = sy[b] / cnt[b];
    ++pts;
  }
  // np.polyfit: Vandermonde [x^3, x^2, x, 1], columns scaled to unit norm, lstsq with rcond = len * eps.
  constexpr std::size_t kCols = kDeg + 1;
  double* design = ws.take(pts * kCols);
  std::array<double, kCols> scale{};
  for (std::size_t j = 0; j < kCols; ++j) {
    double ss = 0.0;
    for (std::size_t i = 0; i < pts; ++i) {
      double v = 1.0;  // np.vander: repeated multiplication, x^3 = (x*x)*x
      for (std::size_t k = 0; k < kDeg - j; ++k) v = k == 0 ? px[i] : v * px[i];
      design[j * pts + i] = v;
      ss += v * v;
    }
    scale[j] = std::sqrt(ss);
    for (std::size_t i = 0; i < pts; ++i) design[j * pts + i] /= scale[j];
  }
  double* scratch = ws.take(pts * (kCols + 1));
  std::array<double, kCols> beta{};
  const double rcond = static_cast<double>(pts) * std::numeric_limits<double>::epsilon();
  const numeric::OlsResult r = numeric::ols_pinv(design, py, pts, kCols, rcond, 0, beta.data(), scratch);
  if (!r.ok) return;
  for (std::size_t j = 0; j < kCols; ++j) coef[j] = beta[j] / scale[j];
}

// max_langevin_fixed_point re-runs tsfresh's friedrich estimate on the same series right after
// friedrich_coefficients; remember the last input (exact bits) and its coefficients so the second call is
// free. Thread-local fixed storage: no heap, no sharing between extractor threads.
constexpr std::size_t kCacheMaxN = 512;
struct FriedrichCache {
  std::size_t n = 0;
  bool valid = false;
  std::array<double, kCacheMaxN> x{};
  std::array<double, kDeg + 1> coef{};
};

void friedrich(std::span<const double> x, Workspace& ws, double* coef) {
  thread_local FriedrichCache cache;
  const std::size_t n = x.size();
  const bool cacheable = n <= kCacheMaxN;
  if (cacheable && cache.valid && cache.n == n &&
      (n == 0 || std::memcmp(cache.x.data(), x.data(), n * sizeof(double)) == 0)) {
    std::copy(cache.coef.begin(), cache.coef.end(), coef);
    return;
  }
  friedrich_uncached(x, ws, coef);
  if (cacheable) {
    cache.n = n;
    std::copy(x.begin(), x.end(), cache.x.begin());
    std::copy(coef, coef + kDeg + 1, cache.coef.begin());
    cache.valid = true;
  }
}

// Two Newton steps on the monic cubic x^3 + a x^2 + b x + c: the closed-form root is accurate to a few ulp
// of the largest root only, polishing brings each simple root to full precision (as LAPACK's eigvals).
double polish(double r, double a, double b, double c) {
  for (int it = 0; it < 2; ++it) {
    const double f = ((r + a) * r + b) * r + c;
    const double df = (3.0 * r + 2.0 * a) * r + b;
    if (df == 0.0 || !std::isfinite(f / df)) break;
    r -= f / df;
  }
  return r;
}

// Largest real part among the roots of x^3 + a x^2 + b x + c (np.max(np.real(np.roots(...)))).
double max_real_part_cubic(double a, double b, double c) {
  const double q = (a * a - 3.0 * b) / 9.0;
  const double r = (2.0 * a * a * a - 9.0 * a * b + 27.0 * c) / 54.0;
  const double q3 = q * q * q;
  if (r * r < q3) {  // three real roots (trigonometric form)
    const double theta = std::acos(std::clamp(r / std::sqrt(q3), -1.0, 1.0));
    const double m = -2.0 * std::sqrt(q);
    double best = -std::numeric_limits<double>::infinity();
    for (int k = 0; k < 3; ++k) {
      const double root = m * std::cos((theta + 2.0 * std::numbers::pi * k) / 3.0) - a / 3.0;
      best = std::max(best, polish(root, a, b, c));
    }
    return best;
  }
  // One real root; the complex pair's real part follows from the root sum -a.
  const double big_a = -std::copysign(std::cbrt(std::fabs(r) + std::sqrt(r * r - q3)), r);
  const double big_b = big_a != 0.0 ? q / big_a : 0.0;
  const double root = polish(big_a + big_b - a / 3.0, a, b, c);
  const double pair_re = -(a + root) / 2.0;
  return std::max(root, pair_re);
}

}  // namespace

void friedrich_coefficients(std::span<const double> x, Workspace& ws, double* out) { friedrich(x, ws, out); }

void max_langevin_fixed_point(std::span<const double> x, Workspace& ws, double* out) {
  std::array<double, kDeg + 1> c{};
  friedrich(x, ws, c.data());
  out[0] = kNaN;
  for (double v : c)
    if (std::isnan(v)) return;  // np.roots -> eigvals raises on NaN
  // np.roots: strip leading and trailing zeros (each trailing zero is a root at 0).
  std::size_t first = 0;
  while (first <= kDeg && c[first] == 0.0) ++first;
  if (first > kDeg) return;  // all zero: no roots, np.max of empty raises
  std::size_t last = kDeg;
  while (c[last] == 0.0) --last;
  const std::size_t deg = last - first;
  const bool zero_root = last < kDeg;
  if (deg == 0) {
    if (zero_root) out[0] = 0.0;
    return;  // a nonzero constant has no roots
  }
  double best = 0.0;
  const double lead = c[first];
  if (deg == 1) {
    best = -c[first + 1] / lead;
  } else if (deg == 2) {
    const double p = c[first + 1] / lead;
    const double qq = c[first + 2] / lead;
    const double disc = p * p / 4.0 - qq;
    if (disc < 0.0) {
      best = -p / 2.0;
    } else {  // cancellation-free pair: r1 = -(p/2 + sign(p) sqrt(disc)), r2 = q / r1
      const double r1 = -(p / 2.0 + std::copysign(std::sqrt(disc), p));
      best = r1 != 0.0 ? std::max(r1, qq / r1) : 0.0;
    }
  } else {
    best = max_real_part_cubic(c[1] / lead, c[2] / lead, c[3] / lead);
  }
  out[0] = zero_root ? std::max(best, 0.0) : best;
}

}  // namespace lc::features::advanced
