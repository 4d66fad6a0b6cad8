// Private helpers of the basic calculators: numpy's own arithmetic, reproduced so results agree with tsfresh
// to the last bits where that is cheap (NOTES.md in /work/shared/data/tsfresh/).
//
// All functions take finite values (the extractor's callers never pass NaN/inf) and never allocate.
#pragma once

#include <cstddef>

namespace lc::features::basic {

// numpy's pairwise summation of a contiguous float64 array (umath loops, PW_BLOCKSIZE 128): a plain loop
// below 8 values, eight interleaved accumulators up to 128, halves above. Agrees bit for bit with numpy.
inline double pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (std::size_t j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

// np.sum: add.reduce starts from the identity 0.0, so a sum of -0.0 values is +0.0 as in numpy.
inline double np_sum(const double* a, std::size_t n) { return 0.0 + pairwise_sum(a, n); }

// np.mean. NaN for n == 0 (0/0), as numpy.
inline double np_mean(const double* a, std::size_t n) { return np_sum(a, n) / static_cast<double>(n); }

// np.var with ddof=0 (two passes: mean, then the mean of squared deviations). `tmp` holds n doubles.
inline double np_var(const double* a, std::size_t n, double mean, double* tmp) {
  for (std::size_t i = 0; i < n; ++i) {
    const double d = a[i] - mean;
    tmp[i] = d * d;
  }
  return np_sum(tmp, n) / static_cast<double>(n);
}

// Plain left-to-right sum of products, as reference BLAS ddot accumulates (np.dot of two vectors).
inline double dot(const double* a, const double* b, std::size_t n) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// numpy's _lerp (used by np.quantile "linear"): a+(b-a)t for t<0.5, else b-(b-a)(1-t).
inline double np_lerp(double a, double b, double t) {
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// np.quantile(x, q) with the default "linear" method on an ascending-sorted array of n >= 1 values.
inline double np_quantile_sorted(const double* sorted, std::size_t n, double q) {
  const double virtual_index = static_cast<double>(n - 1) * q;
  if (virtual_index >= static_cast<double>(n - 1)) return sorted[n - 1];
  if (virtual_index < 0.0) return sorted[0];
  const double below = static_cast<double>(static_cast<std::size_t>(virtual_index));  // floor, index >= 0
  const auto i = static_cast<std::size_t>(below);
  return np_lerp(sorted[i], sorted[i + 1], virtual_index - below);
}

// np.median of an ascending-sorted array of n >= 1 values (mean of the middle one or two).
inline double np_median_sorted(const double* sorted, std::size_t n) {
  const std::size_t h = n / 2;
  if (n % 2 == 1) return sorted[h];
  return (0.0 + sorted[h - 1] + sorted[h]) / 2.0;
}

}  // namespace lc::features::basic
