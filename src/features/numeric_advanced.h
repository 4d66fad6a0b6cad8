// Numerical kernels shared by the advanced tsfresh calculators (private to src/features).
//
// Each kernel reproduces the numpy / scipy / statsmodels routine named in its comment closely enough that the
// calculators built on it agree with tsfresh 0.21.2 to ~1e-12 relative on well-conditioned input. None of
// them allocates: scratch arrays come from the caller's Workspace.
#pragma once

#include <cstddef>
#include <span>

#include "features/workspace.h"

namespace lc::features::numeric {

// numpy.fft.rfft(x): bins 0..n/2 (n/2+1 of them), unnormalised, kernel e^{-2*pi*i*k*m/n}. `re`/`im` must hold
// n/2+1 doubles. Bins k >= 1 are computed on x - x[0] (same spectrum, but a constant series gets exact zeros
// and hence angle 0 like pocketfft). Direct DFT with cached twiddles for n <= 64, mixed-radix FFT above.
// n == 0 writes nothing.
void rfft(const double* x, std::size_t n, double* re, double* im, Workspace& ws);

// rfft() of the bins k with k < want.size() and want[k] only: writes re[k] and im[k] for those, bit for bit
// what rfft() writes. For n <= 64 each bin is rfft()'s own direct sum, O(n) per bin; longer series run the
// whole FFT (writing every bin, so re/im must hold n/2+1 doubles as for rfft()). n == 0 writes nothing.
void rfft_some(const double* x, std::size_t n, std::span<const bool> want, double* re, double* im, Workspace& ws);

// scipy.stats.linregress(range(n), y) (scipy 1.10). n == 1 gives NaN slope/intercept/pvalue/stderr.
struct LinRegress {
  double slope;
  double intercept;
  double rvalue;
  double pvalue;
  double stderr_slope;
};
// The p-value costs more than the rest together (an incomplete beta function); PValue::skip leaves it NaN
// for n >= 3, every other field unchanged.
enum class PValue { compute, skip };
LinRegress linregress_index(const double* y, std::size_t n, PValue p = PValue::compute);

// Two-sided Student-t p-value 2*P(T > |t|) with `df` degrees of freedom (scipy t.sf). NaN if t or df is NaN.
double student_t_two_sided_p(double t, double df);

// Standard normal CDF (scipy.stats.norm.cdf).
double normal_cdf(double x);

// Least squares through the Moore-Penrose pseudo-inverse, as statsmodels OLS(method="pinv") and
// np.linalg.lstsq do: singular values <= rcond * s_max are treated as zero, giving the minimum-norm
// solution for rank-deficient designs. `x` is column-major (rows x cols, leading dimension rows),
// cols <= kOlsMaxCols (more columns: ok = false, nothing written). Fills `beta` (cols values) and returns the
// extra quantities the callers need.
// `scratch` must hold rows * (cols + 1) doubles (the caller reuses it across fits).
// 40 columns cover adfuller's maxlag + 2 up to n ~ 10000 (maxlag = ceil(12 (n/100)^(1/4))); the SVD fallback
// keeps its matrices on the stack at this size (~60 KB).
inline constexpr std::size_t kOlsMaxCols = 40;
struct OlsResult {
  double ssr;          // sum of squared residuals y - X beta
  double var_index;    // [pinv(X) pinv(X)^T](i,i) for i = `var_index`: unscaled variance of that beta
  std::size_t rank;    // numpy matrix_rank (tol = s_max * max(rows, cols) * eps)
  bool ok;             // false if the input holds NaN/inf (LAPACK would raise)
};
OlsResult ols_pinv(const double* x, const double* y, std::size_t rows, std::size_t cols, double rcond,
                   std::size_t var_index, double* beta, double* scratch);

// In-place Householder QR of the column-major rows x cols matrix `a` (R in the upper triangle, zeros below),
// applying the same reflections to `qty` (rows values, becomes Q^T y). The factorisation of the first p
// columns equals the QR of X[:, :p], so nested regressions can share one factorisation.
void householder_qr(double* a, double* qty, std::size_t rows, std::size_t cols);

// ols_pinv on the first `cols` columns of an already factorised X (a, qty from householder_qr, whose own
// column count may be larger; `x` and `y` are the original data, used for the residuals).
OlsResult ols_from_qr(const double* x, const double* y, const double* a, const double* qty, std::size_t rows,
                      std::size_t cols, double rcond, std::size_t var_index, double* beta);

// np.quantile(sorted, q, method="linear") on an ascending array of n >= 1 values, with numpy's _lerp.
double quantile_sorted(const double* sorted, std::size_t n, double q);

// tsfresh binned_entropy(x, bins): np.histogram equal-width bins, -sum p ln p. NaN if any x is NaN, n == 0
// or n > 512 (fixed scratch; callers pass welch spectra of <= 129 bins).
double binned_entropy(const double* x, std::size_t n, std::size_t bins);

// np.sum of a contiguous array: numpy's pairwise summation (8 accumulators per block of <= 128, halves
// above). Means taken with it are bit-identical to numpy's, which decides whether e.g. full(8, 0.1) has
// exactly zero deviations (as numpy finds) or rounding-noise ones.
double np_sum(const double* a, std::size_t n);
inline double np_mean(const double* a, std::size_t n) { return np_sum(a, n) / static_cast<double>(n); }

// In-place ascending sort with NaN last (np.sort order); safe on any input.
void sort_ascending(double* a, std::size_t n);

}  // namespace lc::features::numeric
