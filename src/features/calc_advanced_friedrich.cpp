// tsfresh friedrich_coefficients and max_langevin_fixed_point (m=3, r=30): pd.qcut(x[:-1], 30) bins, per-bin
// means of x[:-1] and diff(x), np.polyfit(deg=3), then the largest real root (np.roots).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <Eigen/Eigenvalues>

#include "features/advanced_calculators.h"
#include "features/numeric_advanced.h"

namespace lc::features::advanced {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kBins = 30;  // r
constexpr std::size_t kDeg = 3;    // m

// Fills coef[0..3] (x^3 term first); all NaN when qcut would raise (duplicate edges) or the fit fails.
void friedrich(std::span<const double> x, Workspace& ws, double* coef) {
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

}  // namespace

void friedrich_coefficients(std::span<const double> x, Workspace& ws, double* out) { friedrich(x, ws, out); }

void max_langevin_fixed_point(std::span<const double> x, Workspace& ws, double* out) {
  std::array<double, kDeg + 1> c{};
  friedrich(x, ws, c.data());
  out[0] = kNaN;
  for (double v : c)
    if (std::isnan(v)) return;  // np.roots -> eigvals raises on NaN
  // np.roots: strip leading and trailing zeros (each trailing zero is a root at 0), companion eigenvalues.
  std::size_t first = 0;
  while (first <= kDeg && c[first] == 0.0) ++first;
  if (first > kDeg) return;  // all zero: no roots, np.max of empty raises
  std::size_t last = kDeg;
  while (c[last] == 0.0) --last;
  const std::size_t trailing = kDeg - last;
  const std::size_t deg = last - first;
  double best = -std::numeric_limits<double>::infinity();
  bool any = false;
  if (trailing > 0) {
    best = 0.0;
    any = true;
  }
  if (deg == 1) {
    best = any ? std::max(best, -c[first + 1] / c[first]) : -c[first + 1] / c[first];
    any = true;
  } else if (deg >= 2) {
    using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, kDeg, kDeg>;
    const auto d = static_cast<Eigen::Index>(deg);
    Mat a = Mat::Zero(d, d);
    for (Eigen::Index i = 1; i < d; ++i) a(i, i - 1) = 1.0;
    for (Eigen::Index j = 0; j < d; ++j) a(0, j) = -c[first + 1 + static_cast<std::size_t>(j)] / c[first];
    Eigen::EigenSolver<Mat> es(a, false);
    if (es.info() != Eigen::Success) return;
    for (Eigen::Index i = 0; i < d; ++i) {
      const double re = es.eigenvalues()(i).real();
      best = any ? std::max(best, re) : re;
      any = true;
    }
  }
  if (any) out[0] = best;
}

}  // namespace lc::features::advanced
