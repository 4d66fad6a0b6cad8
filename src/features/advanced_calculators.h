// Entry points of the advanced tsfresh calculators (private to src/features; registered with their tsfresh
// parameter names in calc_advanced.cpp, whose name order is the order in which each function writes).
//
// Every function follows CalcFn: it writes exactly one double per parameter combination to `out`, takes its
// scratch from `ws` (bounded by Workspace::capacity_for(x.size())), never throws and never touches the heap.
// Three pairs keep a small thread-local, fixed-size "last input" cache keyed by the exact input bits
// (friedrich/langevin, the two welch users, FFT twiddles per length), so results never depend on call order.
//
// Bad input: every output is written whatever the input. Outputs are NaN where tsfresh gives NaN (empty or
// too-short series, zero variance, duplicate qcut edges, rank problems); NaN/inf inside the series give
// NaN/inf-contaminated but memory-safe results (the extractor rejects NaN series before calling).
#pragma once

#include <cstdint>
#include <span>

#include "features/workspace.h"

namespace lc::features::advanced {

// ---- calc_advanced_fft.cpp (numpy rfft) ----
// 400 outputs: real, imag, abs, angle (degrees) for coeff 0..99; NaN for coeff > n/2.
void fft_coefficient(std::span<const double> x, Workspace& ws, double* out);
// The same for the wanted outputs only (SomeFn): one direct DFT bin per wanted coefficient for n <= 64.
void fft_coefficient_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                          double* out);
// 4 outputs: centroid, variance, skew, kurtosis of |rfft| over the bin index; skew/kurtosis NaN when the
// variance is below 0.5, everything NaN for an all-zero series.
void fft_aggregated(std::span<const double> x, Workspace& ws, double* out);

// ---- calc_advanced_trend.cpp (scipy linregress against the sample index) ----
// 5 outputs: pvalue, rvalue, intercept, slope, stderr. n == 1: rvalue 0, the rest NaN; n == 0: all NaN.
void linear_trend(std::span<const double> x, Workspace& ws, double* out);
// The same for the wanted outputs only (SomeFn): the p-value only when it is wanted.
void linear_trend_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                       double* out);
// 48 outputs: attr (rvalue, intercept, slope, stderr) x chunk_len (5, 10, 50) x f_agg (max, min, mean, var);
// NaN where chunk_len >= n.
void agg_linear_trend(std::span<const double> x, Workspace& ws, double* out);
// The same for the wanted outputs only (SomeFn): only the wanted (chunk_len, f_agg) regressions.
void agg_linear_trend_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                           double* out);

// ---- calc_advanced_stats.cpp (statsmodels 0.13.5) ----
// 3 outputs: mean, median, var of acf(adjusted) lags 1..min(40, n-1); all 0.0 if var(x) < 1e-10 or n == 1.
void agg_autocorrelation(std::span<const double> x, Workspace& ws, double* out);
// 10 outputs: pacf (Levinson-Durbin) lags 0..9; lags >= n/2 NaN, all NaN for n < 4; a constant gives lag 0 = 1
// and NaN elsewhere.
void partial_autocorrelation(std::span<const double> x, Workspace& ws, double* out);
// 11 outputs: AutoReg(lags=10, trend "c") params, intercept first. n < 22: NaN except coeff_10 = 0.0
// (tsfresh's fallback quirk).
void ar_coefficient(std::span<const double> x, Workspace& ws, double* out);
// 3 outputs: adfuller(autolag "AIC", regression "c") teststat, MacKinnon p-value, usedlag. NaN for n < 4 or
// non-finite input, and for n > ~10000 (maxlag + 2 > numeric::kOlsMaxCols); a constant series gives
// (NaN, NaN, 0) like statsmodels 0.13.5.
void augmented_dickey_fuller(std::span<const double> x, Workspace& ws, double* out);

// ---- calc_advanced_cwt.cpp (scipy find_peaks_cwt / welch, pywt cwt) ----
// 2 outputs: number of find_peaks_cwt peaks with Ricker widths 1..1 and 1..5.
void number_cwt_peaks(std::span<const double> x, Workspace& ws, double* out);
// 60 outputs: pywt.cwt(x, (2, 5, 10, 20), "mexh") for coeff 0..14 (outer) x width (inner); NaN for coeff >= n.
void cwt_coefficients(std::span<const double> x, Workspace& ws, double* out);
// The same for the wanted outputs only (SomeFn): only the convolution samples the wanted (coeff, w) need.
void cwt_coefficients_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                           double* out);
// 3 outputs: welch power spectral density at bins 2, 5, 8; NaN beyond the min(n, 256)/2 + 1 bins.
void spkt_welch_density(std::span<const double> x, Workspace& ws, double* out);
// The same for the wanted outputs only (SomeFn): only those bins of the spectrum.
void spkt_welch_density_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                             double* out);
// 5 outputs: binned entropy (2, 3, 5, 10, 100 bins) of the welch spectrum / its maximum; NaN for a constant.
void fourier_entropy(std::span<const double> x, Workspace& ws, double* out);

// ---- calc_advanced_friedrich.cpp (pd.qcut + np.polyfit + np.roots) ----
// 4 outputs: cubic coefficients (x^3 first) of the drift fitted over 30 qcut bins of x[:-1]; all NaN when
// the bin edges repeat (ties, constant, n < 2).
void friedrich_coefficients(std::span<const double> x, Workspace& ws, double* out);
// 1 output: largest real part of the roots of that cubic; NaN when the coefficients are NaN.
void max_langevin_fixed_point(std::span<const double> x, Workspace& ws, double* out);

}  // namespace lc::features::advanced
