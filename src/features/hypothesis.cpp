#include "features/hypothesis.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace lc::features {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSqrt1_2 = 0.70710678118654752440;

// SciPy's mannwhitneyu(method="auto") uses the exact distribution unless both samples exceed this size.
constexpr std::size_t kMwuExactMaxSmallSample = 8;
// ks_2samp(method="auto") computes exactly while max(n_x, n_y) <= this (scipy's MAX_AUTO_N).
constexpr std::uint64_t kKsExactMaxN = 10000;
// Tables at least this likely relative to the observed one are "as extreme" (see the header).
constexpr double kFisherRelTol = 1e-7;

double clip01(double p) { return std::isnan(p) ? p : std::clamp(p, 0.0, 1.0); }

// floor(a / b) and ceil(a / b) for b > 0, exact in integers (SciPy does them in float64, exactly for these
// sizes).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

// Hypergeometric probabilities over the whole support [lo, lo + size), normalised to sum 1. Computed by the
// pmf ratio recurrence outward from the mode (whose weight is 1), so no factorial overflows and the relative
// error of each term is a few ulps per step.
struct HypergeomTable {
  std::int64_t lo = 0;
  std::vector<double> pmf;
};
HypergeomTable hypergeom_table(std::int64_t M, std::int64_t n, std::int64_t N) {
  HypergeomTable t;
  t.lo = std::max<std::int64_t>(0, N - (M - n));
  const std::int64_t hi = std::min(n, N);
  t.pmf.assign(static_cast<std::size_t>(hi - t.lo + 1), 0.0);
  const std::int64_t mode = std::clamp<std::int64_t>((N + 1) * (n + 1) / (M + 2), t.lo, hi);
  auto at = [&](std::int64_t k) -> double& { return t.pmf[static_cast<std::size_t>(k - t.lo)]; };
  at(mode) = 1.0;
  // pmf(k+1) / pmf(k) = (n - k)(N - k) / ((k + 1)(M - n - N + k + 1))
  for (std::int64_t k = mode; k < hi; ++k) {
    at(k + 1) = at(k) * (static_cast<double>(n - k) * static_cast<double>(N - k)) /
                (static_cast<double>(k + 1) * static_cast<double>(M - n - N + k + 1));
  }
  for (std::int64_t k = mode; k > t.lo; --k) {
    at(k - 1) = at(k) * (static_cast<double>(k) * static_cast<double>(M - n - N + k)) /
                (static_cast<double>(n - k + 1) * static_cast<double>(N - k + 1));
  }
  double total = 0;
  for (double v : t.pmf) total += v;
  for (double& v : t.pmf) v /= total;
  return t;
}

// scipy.stats._stats_py._compute_prob_outside_square: P(D_{n,n} >= h/n), Horner-like to avoid cancellation.
double prob_outside_square(std::int64_t n, std::int64_t h) {
  double P = 0.0;
  std::int64_t k = n / h;
  while (k >= 0) {
    double p1 = 1.0;
    for (std::int64_t j = 0; j < h; ++j) {
      p1 = static_cast<double>(n - k * h - j) * p1 / static_cast<double>(n + k * h + j + 1);
    }
    P = p1 * (1.0 - P);
    --k;
  }
  return 2 * P;
}

// scipy.stats._stats_pythran._compute_outer_prob_inside_method: the proportion of lattice paths from (0,0) to
// (m,n) that leave |x/m - y/n| < h/lcm(m,n), by Viehmann's recursion for 1 - p (Hodges' inside method).
double outer_prob_inside(std::int64_t m, std::int64_t n, std::int64_t g, std::int64_t h) {
  if (m < n) std::swap(m, n);
  const std::int64_t mg = m / g;
  const std::int64_t ng = n / g;
  std::int64_t minj = 0;
  std::int64_t maxj = std::min(ceil_div(h, mg), n + 1);
  std::int64_t curlen = maxj - minj;
  // SciPy sizes A at min(2 maxj + 2, n + 1); entries past the live window are always 1, so a longer array
  // of ones behaves the same.
  std::vector<double> A(static_cast<std::size_t>(n + 2), 1.0);
  std::fill(A.begin(), A.begin() + maxj, 0.0);
  for (std::int64_t i = 1; i <= m; ++i) {
    const std::int64_t lastminj = minj;
    const std::int64_t lastlen = curlen;
    minj = std::min(std::max<std::int64_t>(floor_div(ng * i - h, mg) + 1, 0), n);
    maxj = std::min(ceil_div(ng * i + h, mg), n + 1);
    if (maxj <= minj) return 1.0;
    double val = minj == 0 ? 0.0 : 1.0;
    for (std::int64_t jj = 0; jj < maxj - minj; ++jj) {
      const std::int64_t j = jj + minj;
      val = (A[static_cast<std::size_t>(jj + minj - lastminj)] * static_cast<double>(i) +
             val * static_cast<double>(j)) /
            static_cast<double>(i + j);
      A[static_cast<std::size_t>(jj)] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      const auto from = static_cast<std::size_t>(maxj - minj);
      const auto to = std::min(A.size(), static_cast<std::size_t>(maxj - minj + (lastlen - curlen)));
      std::fill(A.begin() + static_cast<std::ptrdiff_t>(from), A.begin() + static_cast<std::ptrdiff_t>(to), 1.0);
    }
  }
  return A[static_cast<std::size_t>(maxj - minj - 1)];
}

}  // namespace

double normal_sf(double z) {
  if (std::isnan(z)) return kNaN;
  // scipy: norm.sf(z) = ndtr(-z); cephes ndtr switches between erf and erfc at |x| = 1/sqrt(2).
  const double x = -z * kSqrt1_2;
  const double ax = std::fabs(x);
  if (ax < kSqrt1_2) return 0.5 + 0.5 * std::erf(x);
  const double y = 0.5 * std::erfc(ax);
  return x > 0 ? 1.0 - y : y;
}

Ranking rank_average(std::span<const double> values) {
  Ranking r;
  const std::size_t n = values.size();
  r.ranks.assign(n, 0.0);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i + 1;
    while (j < n && values[order[j]] == values[order[i]]) ++j;
    // positions i..j-1 hold ranks i+1..j; each gets their mean
    const double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (std::size_t k = i; k < j; ++k) r.ranks[order[k]] = rank;
    const auto t = static_cast<double>(j - i);
    if (j - i > 1) {
      r.has_ties = true;
      r.tie_term += t * t * t - t;
    }
    i = j;
  }
  return r;
}

double mann_whitney_u_exact_sf(std::int64_t u, std::size_t m, std::size_t n) {
  if (m == 0 || n == 0) return kNaN;
  const auto mn = static_cast<std::int64_t>(m) * static_cast<std::int64_t>(n);
  u = std::clamp<std::int64_t>(u, 0, mn);
  // P(U >= u) = P(U <= mn - u) by symmetry; the counts f(k) of arrangements with U = k are the coefficients
  // of the Gaussian binomial [m+n choose m]_q = prod_{i=1..s} (1 - q^(b+i)) / (1 - q^i), s = min, b = max.
  // Every step only looks back, so coefficients 0..k0 need only the first k0 + 1 entries.
  const std::int64_t k0 = mn - u;
  const auto s = static_cast<std::int64_t>(std::min(m, n));
  const auto b = static_cast<std::int64_t>(std::max(m, n));
  std::vector<double> c(static_cast<std::size_t>(k0 + 1), 0.0);
  c[0] = 1.0;
  for (std::int64_t i = 1; i <= s; ++i) {
    for (std::int64_t k = k0; k >= b + i; --k) c[static_cast<std::size_t>(k)] -= c[static_cast<std::size_t>(k - b - i)];
    for (std::int64_t k = i; k <= k0; ++k) c[static_cast<std::size_t>(k)] += c[static_cast<std::size_t>(k - i)];
  }
  double binom = 1.0;  // C(m+n, s)
  for (std::int64_t i = 1; i <= s; ++i) binom = binom * static_cast<double>(b + i) / static_cast<double>(i);
  double count = 0;
  for (double v : c) count += v;
  return count / binom;
}

double mann_whitney_u_pvalue_from_ranks(std::size_t n_x, std::size_t n_y, double rank_sum_x, double tie_term,
                                        bool has_ties) {
  if (n_x == 0 || n_y == 0) return kNaN;
  const auto n1 = static_cast<double>(n_x);
  const auto n2 = static_cast<double>(n_y);
  const double u1 = rank_sum_x - n1 * (n1 + 1) / 2;
  const double u2 = n1 * n2 - u1;
  const double u = std::max(u1, u2);  // two-sided: SF of the larger statistic, doubled
  const bool exact = !(n_x > kMwuExactMaxSmallSample && n_y > kMwuExactMaxSmallSample) && !has_ties;
  double p = 0;
  if (exact) {
    p = mann_whitney_u_exact_sf(static_cast<std::int64_t>(u), n_x, n_y);
  } else {
    const double mu = n1 * n2 / 2;
    const double n = n1 + n2;
    const double sd = std::sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))));
    const double z = (u - mu - 0.5) / sd;  // continuity correction: always toward the mean
    p = normal_sf(z);
  }
  return clip01(2 * p);
}

double mann_whitney_u_pvalue(std::span<const double> x, std::span<const double> y) {
  if (x.empty() || y.empty()) return kNaN;
  std::vector<double> pooled(x.begin(), x.end());
  pooled.insert(pooled.end(), y.begin(), y.end());
  const Ranking r = rank_average(pooled);
  double rank_sum_x = 0;
  for (std::size_t i = 0; i < x.size(); ++i) rank_sum_x += r.ranks[i];
  return mann_whitney_u_pvalue_from_ranks(x.size(), y.size(), rank_sum_x, r.tie_term, r.has_ties);
}

double hypergeom_pmf(std::int64_t k, std::int64_t M, std::int64_t n, std::int64_t N) {
  if (M < 0 || n < 0 || N < 0 || n > M || N > M) return kNaN;
  const HypergeomTable t = hypergeom_table(M, n, N);
  if (k < t.lo || k >= t.lo + static_cast<std::int64_t>(t.pmf.size())) return 0.0;
  return t.pmf[static_cast<std::size_t>(k - t.lo)];
}

double fisher_exact_pvalue(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
  if (a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0) return 1.0;
  const auto n1 = static_cast<std::int64_t>(a + b);  // first row: the "successes" population
  const auto n2 = static_cast<std::int64_t>(c + d);
  const auto n = static_cast<std::int64_t>(a + c);  // first column: the draws
  const HypergeomTable t = hypergeom_table(n1 + n2, n1, n);
  const double p_obs = t.pmf[static_cast<std::size_t>(static_cast<std::int64_t>(a) - t.lo)];
  const double limit = p_obs * (1 + kFisherRelTol);
  double p = 0;
  for (double v : t.pmf) {
    if (v <= limit) p += v;
  }
  return std::min(p, 1.0);
}

double kolmogorov_sf(double x) {
  if (std::isnan(x)) return kNaN;
  if (x <= 0) return 1.0;
  if (x < 1.0) {
    // Small x: the Jacobi-theta form of the CDF converges fast; sf = 1 - cdf.
    const double pi = 3.14159265358979323846;
    const double w = -pi * pi / (8 * x * x);
    double cdf = 0;
    for (int k = 1; k < 100; k += 2) {
      const double term = std::exp(w * k * k);
      cdf += term;
      if (term < 1e-20) break;
    }
    cdf *= std::sqrt(2 * pi) / x;
    return clip01(1.0 - cdf);
  }
  double sf = 0;
  double sign = 1;
  for (int k = 1; k < 100; ++k) {
    const double term = std::exp(-2.0 * k * k * x * x);
    sf += sign * term;
    if (term < 1e-20) break;
    sign = -sign;
  }
  return clip01(2 * sf);
}

double ks_2samp_pvalue_from_h(std::uint64_t n_x, std::uint64_t n_y, std::uint64_t h) {
  if (n_x == 0 || n_y == 0) return kNaN;
  if (h == 0) return 1.0;
  const std::uint64_t g = std::gcd(n_x, n_y);
  const std::uint64_t lcm = (n_x / g) * n_y;
  double p = kNaN;
  if (std::max(n_x, n_y) <= kKsExactMaxN) {
    p = n_x == n_y ? prob_outside_square(static_cast<std::int64_t>(n_x), static_cast<std::int64_t>(h))
                   : outer_prob_inside(static_cast<std::int64_t>(n_x), static_cast<std::int64_t>(n_y),
                                       static_cast<std::int64_t>(g), static_cast<std::int64_t>(h));
  }
  if (!(p >= 0 && p <= 1)) {  // too large for the exact method, or it failed numerically (as SciPy falls back)
    const double m = static_cast<double>(std::max(n_x, n_y));
    const double n = static_cast<double>(std::min(n_x, n_y));
    const double en = std::round(m * n / (m + n));
    const double d = static_cast<double>(h) / static_cast<double>(lcm);
    p = kolmogorov_sf(std::sqrt(en) * d);
  }
  return clip01(p);
}

double ks_2samp_pvalue(std::span<const double> x, std::span<const double> y) {
  if (x.empty() || y.empty()) return kNaN;
  std::vector<double> xs(x.begin(), x.end());
  std::vector<double> ys(y.begin(), y.end());
  std::sort(xs.begin(), xs.end());
  std::sort(ys.begin(), ys.end());
  const std::uint64_t g = std::gcd(xs.size(), ys.size());
  const auto wx = static_cast<std::int64_t>(ys.size() / g);  // lcm / n_x
  const auto wy = static_cast<std::int64_t>(xs.size() / g);  // lcm / n_y
  // Walk the pooled values in order; after each distinct value, |c_x wx - c_y wy| = |F_x - F_y| * lcm.
  std::size_t i = 0;
  std::size_t j = 0;
  std::int64_t h = 0;
  while (i < xs.size() || j < ys.size()) {
    const double v = (j >= ys.size() || (i < xs.size() && xs[i] <= ys[j])) ? xs[i] : ys[j];
    while (i < xs.size() && xs[i] == v) ++i;
    while (j < ys.size() && ys[j] == v) ++j;
    const std::int64_t diff = static_cast<std::int64_t>(i) * wx - static_cast<std::int64_t>(j) * wy;
    h = std::max(h, diff < 0 ? -diff : diff);
  }
  return ks_2samp_pvalue_from_h(xs.size(), ys.size(), static_cast<std::uint64_t>(h));
}

}  // namespace lc::features
