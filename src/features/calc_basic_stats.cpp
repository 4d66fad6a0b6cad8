// Basic tsfresh calculators: moments, extremes, changes, locations, counts and duplicates.
// Each one follows tsfresh 0.21.2's formula with numpy's operation order (basic_numpy.h); the quirks it
// copies are cited from NOTES.md (/work/shared/data/tsfresh/NOTES.md, "item N").
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

double max_of(std::span<const double> x) {
  double m = x[0];
  for (const double v : x) m = v > m ? v : m;
  return m;
}

double min_of(std::span<const double> x) {
  double m = x[0];
  for (const double v : x) m = v < m ? v : m;
  return m;
}

// np.std(x) (ddof 0) with the mean already known.
double std_of(std::span<const double> x, double mu, Workspace& ws) {
  return std::sqrt(np_var(x.data(), x.size(), mu, ws.take(x.size())));
}

// Writes |diff(x)| (or diff(x)) into workspace memory and returns it; n-1 values.
double* diffs(std::span<const double> x, Workspace& ws, bool absolute) {
  double* d = ws.take(x.size());
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double v = x[i + 1] - x[i];
    d[i] = absolute ? std::fabs(v) : v;
  }
  return d;
}

// Longest run of consecutive points where above (or below) `mu` holds strictly (NOTES.md item 16).
double longest_strike(std::span<const double> x, bool above) {
  const double mu = np_mean(x.data(), x.size());
  std::size_t best = 0;
  std::size_t run = 0;
  for (const double v : x) {
    const bool hit = above ? v > mu : v < mu;
    run = hit ? run + 1 : 0;
    best = run > best ? run : best;
  }
  return as_double(best);
}

// Sorted copy of x (the workspace's, shared with the other order statistics of the series) and the number of
// distinct values in it (np.unique, exact equality).
struct SortedUnique {
  const double* sorted;
  std::size_t unique;
};
SortedUnique sorted_unique(std::span<const double> x, Workspace& ws) {
  const double* s = ws.sorted(x).data();
  std::size_t u = x.empty() ? 0 : 1;
  for (std::size_t i = 1; i < x.size(); ++i) u += s[i] != s[i - 1] ? 1 : 0;
  return {s, u};
}

}  // namespace

void sum_values(std::span<const double> x, Workspace&, double* out) { out[0] = np_sum(x.data(), x.size()); }

void mean(std::span<const double> x, Workspace&, double* out) { out[0] = np_mean(x.data(), x.size()); }

void length(std::span<const double> x, Workspace&, double* out) { out[0] = as_double(x.size()); }

void standard_deviation(std::span<const double> x, Workspace& ws, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  out[0] = std_of(x, np_mean(x.data(), x.size()), ws);
}

void variance(std::span<const double> x, Workspace& ws, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  out[0] = np_var(x.data(), x.size(), np_mean(x.data(), x.size()), ws.take(x.size()));
}

void root_mean_square(std::span<const double> x, Workspace& ws, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  double* sq = ws.take(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) sq[i] = x[i] * x[i];
  out[0] = std::sqrt(np_mean(sq, x.size()));
}

void maximum(std::span<const double> x, Workspace&, double* out) { out[0] = x.empty() ? kNaN : max_of(x); }

void absolute_maximum(std::span<const double> x, Workspace&, double* out) {
  double m = x.empty() ? kNaN : 0.0;
  for (const double v : x) m = std::fabs(v) > m ? std::fabs(v) : m;
  out[0] = m;
}

void minimum(std::span<const double> x, Workspace&, double* out) { out[0] = x.empty() ? kNaN : min_of(x); }

void variance_larger_than_standard_deviation(std::span<const double> x, Workspace& ws, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  const double var = np_var(x.data(), x.size(), np_mean(x.data(), x.size()), ws.take(x.size()));
  out[0] = var > std::sqrt(var) ? 1.0 : 0.0;  // true exactly when var > 1
}

void has_duplicate_max(std::span<const double> x, Workspace&, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  const double m = max_of(x);
  std::size_t hits = 0;
  for (const double v : x) hits += v == m ? 1 : 0;
  out[0] = hits >= 2 ? 1.0 : 0.0;
}

void has_duplicate_min(std::span<const double> x, Workspace&, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  const double m = min_of(x);
  std::size_t hits = 0;
  for (const double v : x) hits += v == m ? 1 : 0;
  out[0] = hits >= 2 ? 1.0 : 0.0;
}

void has_duplicate(std::span<const double> x, Workspace& ws, double* out) {
  out[0] = sorted_unique(x, ws).unique != x.size() ? 1.0 : 0.0;
}

void abs_energy(std::span<const double> x, Workspace&, double* out) {
  out[0] = dot(x.data(), x.data(), x.size());  // np.dot(x, x): BLAS ddot
}

void mean_abs_change(std::span<const double> x, Workspace& ws, double* out) {
  if (x.size() < 2) {
    out[0] = kNaN;  // mean of an empty diff
    return;
  }
  out[0] = np_mean(diffs(x, ws, true), x.size() - 1);
}

void mean_change(std::span<const double> x, Workspace&, double* out) {
  const std::size_t n = x.size();
  out[0] = n > 1 ? (x[n - 1] - x[0]) / as_double(n - 1) : kNaN;
}

void mean_second_derivative_central(std::span<const double> x, Workspace&, double* out) {
  const std::size_t n = x.size();
  out[0] = n > 2 ? (x[n - 1] - x[n - 2] - x[1] + x[0]) / (2.0 * as_double(n - 2)) : kNaN;
}

void variation_coefficient(std::span<const double> x, Workspace& ws, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  const double mu = np_mean(x.data(), x.size());
  out[0] = mu != 0.0 ? std_of(x, mu, ws) / mu : kNaN;
}

namespace {

// pandas' nanops._zero_out_fperr: an absolute (not scaled) 1e-14 cut-off (NOTES.md item 1).
double zero_out_fperr(double v) { return std::fabs(v) < 1e-14 ? 0.0 : v; }

struct CentralSums {
  double m2;
  double m3;
  double m4;
};

// Sums of squared, cubed and fourth-power deviations, as pandas nanskew/nankurt compute them.
CentralSums central_sums(std::span<const double> x, Workspace& ws) {
  const std::size_t n = x.size();
  const double mu = np_sum(x.data(), n) / as_double(n);
  double* a2 = ws.take(n);
  double* a3 = ws.take(n);
  double* a4 = ws.take(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double d = x[i] - mu;
    a2[i] = d * d;
    a3[i] = a2[i] * d;
    a4[i] = a2[i] * a2[i];
  }
  return {np_sum(a2, n), np_sum(a3, n), np_sum(a4, n)};
}

}  // namespace

// pandas Series.skew: bias-corrected G1; NaN for n < 3, 0 when the (zeroed-out) m2 is 0.
void skewness(std::span<const double> x, Workspace& ws, double* out) {
  if (x.size() < 3) {
    out[0] = kNaN;
    return;
  }
  const double count = as_double(x.size());
  const CentralSums s = central_sums(x, ws);
  const double m2 = zero_out_fperr(s.m2);
  const double m3 = zero_out_fperr(s.m3);
  if (m2 == 0.0) {
    out[0] = 0.0;
    return;
  }
  out[0] = (count * std::pow(count - 1.0, 0.5) / (count - 2.0)) * (m3 / std::pow(m2, 1.5));
}

// pandas Series.kurt: bias-corrected excess kurtosis G2; NaN for n < 4, 0 when the denominator is zeroed.
void kurtosis(std::span<const double> x, Workspace& ws, double* out) {
  if (x.size() < 4) {
    out[0] = kNaN;
    return;
  }
  const double count = as_double(x.size());
  const CentralSums s = central_sums(x, ws);
  const double adj = 3.0 * ((count - 1.0) * (count - 1.0)) / ((count - 2.0) * (count - 3.0));
  const double numerator = zero_out_fperr(count * (count + 1.0) * (count - 1.0) * s.m4);
  const double denominator = zero_out_fperr((count - 2.0) * (count - 3.0) * (s.m2 * s.m2));
  if (denominator == 0.0) {
    out[0] = 0.0;
    return;
  }
  out[0] = numerator / denominator - adj;
}

void absolute_sum_of_changes(std::span<const double> x, Workspace& ws, double* out) {
  out[0] = x.size() < 2 ? 0.0 : np_sum(diffs(x, ws, true), x.size() - 1);
}

void longest_strike_below_mean(std::span<const double> x, Workspace&, double* out) {
  out[0] = x.empty() ? 0.0 : longest_strike(x, false);
}

void longest_strike_above_mean(std::span<const double> x, Workspace&, double* out) {
  out[0] = x.empty() ? 0.0 : longest_strike(x, true);
}

void count_above_mean(std::span<const double> x, Workspace&, double* out) {
  const double mu = np_mean(x.data(), x.size());
  std::size_t c = 0;
  for (const double v : x) c += v > mu ? 1 : 0;
  out[0] = as_double(c);
}

void count_below_mean(std::span<const double> x, Workspace&, double* out) {
  const double mu = np_mean(x.data(), x.size());
  std::size_t c = 0;
  for (const double v : x) c += v < mu ? 1 : 0;
  out[0] = as_double(c);
}

// Locations are fractions of the length: argmax/n for the first, 1 - argmax(reversed)/n for the last
// occurrence (NOTES.md item 17).
void last_location_of_maximum(std::span<const double> x, Workspace&, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  std::size_t best = 0;  // index counted from the end
  const std::size_t n = x.size();
  for (std::size_t r = 1; r < n; ++r) best = x[n - 1 - r] > x[n - 1 - best] ? r : best;
  out[0] = 1.0 - as_double(best) / as_double(n);
}

void first_location_of_maximum(std::span<const double> x, Workspace&, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < x.size(); ++i) best = x[i] > x[best] ? i : best;
  out[0] = as_double(best) / as_double(x.size());
}

void last_location_of_minimum(std::span<const double> x, Workspace&, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  std::size_t best = 0;
  const std::size_t n = x.size();
  for (std::size_t r = 1; r < n; ++r) best = x[n - 1 - r] < x[n - 1 - best] ? r : best;
  out[0] = 1.0 - as_double(best) / as_double(n);
}

void first_location_of_minimum(std::span<const double> x, Workspace&, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < x.size(); ++i) best = x[i] < x[best] ? i : best;
  out[0] = as_double(best) / as_double(x.size());
}

// Fraction of distinct values that occur more than once.
void percentage_of_reoccurring_values_to_all_values(std::span<const double> x, Workspace& ws, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  const SortedUnique su = sorted_unique(x, ws);
  std::size_t reoccurring = 0;
  for (std::size_t i = 0; i < x.size();) {
    std::size_t j = i + 1;
    while (j < x.size() && su.sorted[j] == su.sorted[i]) ++j;
    reoccurring += j - i > 1 ? 1 : 0;
    i = j;
  }
  out[0] = as_double(reoccurring) / as_double(su.unique);
}

// Fraction of data points whose value occurs more than once.
void percentage_of_reoccurring_datapoints_to_all_datapoints(std::span<const double> x, Workspace& ws, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    return;
  }
  const SortedUnique su = sorted_unique(x, ws);
  std::size_t points = 0;
  for (std::size_t i = 0; i < x.size();) {
    std::size_t j = i + 1;
    while (j < x.size() && su.sorted[j] == su.sorted[i]) ++j;
    points += j - i > 1 ? j - i : 0;
    i = j;
  }
  out[0] = as_double(points) / as_double(x.size());
}

namespace {

// np.sum(weight(count) * unique) over the distinct values in ascending order, as tsfresh's
// sum_of_reoccurring_* compute it; `each_point` selects count (data points) over 1 (values) as the weight.
double reoccurring_sum(std::span<const double> x, Workspace& ws, bool each_point) {
  const SortedUnique su = sorted_unique(x, ws);
  double* terms = ws.take(su.unique);
  std::size_t k = 0;
  for (std::size_t i = 0; i < x.size();) {
    std::size_t j = i + 1;
    while (j < x.size() && su.sorted[j] == su.sorted[i]) ++j;
    const std::size_t count = j - i;
    const double weight = count < 2 ? 0.0 : (each_point ? as_double(count) : 1.0);
    terms[k++] = weight * su.sorted[i];
    i = j;
  }
  return np_sum(terms, k);
}

}  // namespace

void sum_of_reoccurring_values(std::span<const double> x, Workspace& ws, double* out) {
  out[0] = reoccurring_sum(x, ws, false);
}

void sum_of_reoccurring_data_points(std::span<const double> x, Workspace& ws, double* out) {
  out[0] = reoccurring_sum(x, ws, true);
}

void ratio_value_number_to_time_series_length(std::span<const double> x, Workspace& ws, double* out) {
  out[0] = x.empty() ? kNaN : as_double(sorted_unique(x, ws).unique) / as_double(x.size());
}

// mean(x[i+2l]^2 x[i+l] - x[i+l] x[i]^2) over i < n-2l; 0.0 (not NaN) when 2l >= n (NOTES.md item 6).
void time_reversal_asymmetry_statistic(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  double* terms = ws.take(n);
  for (std::size_t lag = 1; lag <= 3; ++lag) {
    if (2 * lag >= n) {
      out[lag - 1] = 0.0;
      continue;
    }
    const std::size_t m = n - 2 * lag;
    for (std::size_t i = 0; i < m; ++i) {
      const double two = x[i + 2 * lag];
      const double one = x[i + lag];
      terms[i] = two * two * one - one * x[i] * x[i];
    }
    out[lag - 1] = np_mean(terms, m);
  }
}

// mean(x[i+2l] x[i+l] x[i]) over i < n-2l; 0.0 when 2l >= n (NOTES.md item 6).
void c3(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  double* terms = ws.take(n);
  for (std::size_t lag = 1; lag <= 3; ++lag) {
    if (2 * lag >= n) {
      out[lag - 1] = 0.0;
      continue;
    }
    const std::size_t m = n - 2 * lag;
    for (std::size_t i = 0; i < m; ++i) terms[i] = x[i + 2 * lag] * x[i + lag] * x[i];
    out[lag - 1] = np_mean(terms, m);
  }
}

// Complexity estimate sqrt(sum diff^2), on the z-scored series (ddof 0; 0.0 if std == 0) and on the raw one.
void cid_ce(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  if (n == 0) {
    out[0] = out[1] = kNaN;
    return;
  }
  const double mu = np_mean(x.data(), n);
  const double sd = std_of(x, mu, ws);
  double* d = ws.take(n);
  if (sd != 0.0) {
    double* z = ws.take(n);
    for (std::size_t i = 0; i < n; ++i) z[i] = (x[i] - mu) / sd;
    for (std::size_t i = 0; i + 1 < n; ++i) d[i] = z[i + 1] - z[i];
    out[0] = std::sqrt(dot(d, d, n - 1));
  } else {
    out[0] = 0.0;
  }
  for (std::size_t i = 0; i + 1 < n; ++i) d[i] = x[i + 1] - x[i];
  out[1] = std::sqrt(dot(d, d, n - 1));
}

// std(x) > r * (max - min), strict, for r = i*0.05, i = 1..19 (r built as tsfresh builds it, NOTES.md item 16).
void large_standard_deviation(std::span<const double> x, Workspace& ws, double* out) {
  if (x.empty()) {
    for (int i = 1; i <= 19; ++i) out[i - 1] = kNaN;
    return;
  }
  const double sd = std_of(x, np_mean(x.data(), x.size()), ws);
  const double range = max_of(x) - min_of(x);
  for (int i = 1; i <= 19; ++i) out[i - 1] = sd > (static_cast<double>(i) * 0.05) * range ? 1.0 : 0.0;
}

// sum((x_t - mu)(x_{t+l} - mu)) / ((n - l) var) for l = 0..9. NaN when var is np.isclose to 0 (<= 1e-8), when
// l > n, and (0/0) when l == n (NOTES.md item 2).
void autocorrelation(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::uint16_t kAll[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  autocorrelation_some(x, ws, kAll, out);
}

// Output k is lag k; the lags share the mean and variance and are otherwise independent.
void autocorrelation_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                          double* out) {
  const std::size_t n = x.size();
  const double mu = np_mean(x.data(), n);
  double* tmp = ws.take(n);
  const double var = n == 0 ? kNaN : np_var(x.data(), n, mu, tmp);
  for (const std::size_t lag : wanted) {
    if (n < lag || n == 0) {
      out[lag] = kNaN;
      continue;
    }
    const std::size_t m = n - lag;
    for (std::size_t i = 0; i < m; ++i) tmp[i] = (x[i] - mu) * (x[i + lag] - mu);
    const double sum_product = np_sum(tmp, m);
    out[lag] = std::fabs(var) <= 1e-8 ? kNaN : sum_product / (as_double(m) * var);
  }
}

// Points larger than their n neighbours on both sides, for n = 1, 3, 5, 10, 50; 0 when 2n >= len.
void number_peaks(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::uint16_t kAll[] = {0, 1, 2, 3, 4};
  number_peaks_some(x, ws, kAll, out);
}

void number_peaks_some(std::span<const double> x, Workspace&, std::span<const std::uint16_t> wanted, double* out) {
  constexpr std::size_t kSupport[] = {1, 3, 5, 10, 50};
  const std::size_t len = x.size();
  for (const auto k : wanted) {
    const std::size_t s = kSupport[k];
    std::size_t peaks = 0;
    for (std::size_t j = s; j + s < len; ++j) {
      bool peak = true;
      for (std::size_t i = 1; i <= s && peak; ++i) peak = x[j] > x[j - i] && x[j] > x[j + i];
      peaks += peak ? 1 : 0;
    }
    out[k] = as_double(peaks);
  }
}

// Exact-equality counts of 0, 1 and -1.
void value_count(std::span<const double> x, Workspace&, double* out) {
  constexpr double kValues[] = {0.0, 1.0, -1.0};
  for (std::size_t k = 0; k < 3; ++k) {
    std::size_t c = 0;
    for (const double v : x) c += v == kValues[k] ? 1 : 0;
    out[k] = as_double(c);
  }
}

// Counts of min <= x < max for (min, max) = (-1, 1), (-1e12, 0), (0, 1e12).
void range_count(std::span<const double> x, Workspace&, double* out) {
  constexpr double kMin[] = {-1.0, -1e12, 0.0};
  constexpr double kMax[] = {1.0, 0.0, 1e12};
  for (std::size_t k = 0; k < 3; ++k) {
    std::size_t c = 0;
    for (const double v : x) c += (v >= kMin[k] && v < kMax[k]) ? 1 : 0;
    out[k] = as_double(c);
  }
}

// Changes of (x > m) between neighbours, for m = 0, -1, 1.
void number_crossing_m(std::span<const double> x, Workspace&, double* out) {
  constexpr double kM[] = {0.0, -1.0, 1.0};
  for (std::size_t k = 0; k < 3; ++k) {
    std::size_t c = 0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) c += (x[i] > kM[k]) != (x[i + 1] > kM[k]) ? 1 : 0;
    out[k] = as_double(c);
  }
}

// Energy of each of np.array_split's 10 chunks over the total energy. The first n % 10 chunks get one
// extra point; an empty chunk gives 0.0; an all-zero series gives NaN (NOTES.md item 6).
void energy_ratio_by_chunks(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::size_t kSegments = 10;
  const std::size_t n = x.size();
  double* sq = ws.take(n);
  for (std::size_t i = 0; i < n; ++i) sq[i] = x[i] * x[i];
  const double total = np_sum(sq, n);
  std::size_t start = 0;
  for (std::size_t k = 0; k < kSegments; ++k) {
    const std::size_t len = n / kSegments + (k < n % kSegments ? 1 : 0);
    // x ** 2.0 and x ** 2 are the same square in numpy.
    out[k] = total == 0.0 ? kNaN : np_sum(sq + start, len) / total;
    start += len;
  }
}

// Fraction of points with |x - mean| > r * std (strict, ddof 0).
void ratio_beyond_r_sigma(std::span<const double> x, Workspace& ws, double* out) {
  constexpr double kR[] = {0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 6.0, 7.0, 10.0};
  const std::size_t n = x.size();
  const double mu = np_mean(x.data(), n);
  const double sd = n == 0 ? kNaN : std_of(x, mu, ws);
  for (std::size_t k = 0; k < 10; ++k) {
    std::size_t c = 0;
    for (const double v : x) c += std::fabs(v - mu) > kR[k] * sd ? 1 : 0;
    out[k] = as_double(c) / as_double(n);
  }
}

// Fraction of points >= 0 (inclusive, NOTES.md item 16).
void count_above(std::span<const double> x, Workspace&, double* out) {
  std::size_t c = 0;
  for (const double v : x) c += v >= 0.0 ? 1 : 0;
  out[0] = as_double(c) / as_double(x.size());
}

// Fraction of points <= 0 (inclusive).
void count_below(std::span<const double> x, Workspace&, double* out) {
  std::size_t c = 0;
  for (const double v : x) c += v <= 0.0 ? 1 : 0;
  out[0] = as_double(c) / as_double(x.size());
}

// tsfresh's default settings give no query, so the feature is always NaN.
void query_similarity_count(std::span<const double>, Workspace&, double* out) { out[0] = kNaN; }

}  // namespace lc::features::basic
