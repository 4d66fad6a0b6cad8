// Entry points of the advanced tsfresh calculators (private to src/features; registered in
// calc_advanced.cpp). Every function follows CalcFn: it writes one double per parameter combination, in the
// order of the matching `k...Params` name list in calc_advanced.cpp, and writes NaN where tsfresh does
// (short series, zero variance, rank problems), never throws and never allocates.
#pragma once

#include <span>

#include "features/workspace.h"

namespace lc::features::advanced {

// calc_advanced_fft.cpp
void fft_coefficient(std::span<const double> x, Workspace& ws, double* out);    // 400: real/imag/abs/angle x 0..99
void fft_aggregated(std::span<const double> x, Workspace& ws, double* out);     // 4: centroid/variance/skew/kurtosis

// calc_advanced_trend.cpp
void linear_trend(std::span<const double> x, Workspace& ws, double* out);       // 5: pvalue/rvalue/intercept/slope/stderr
void agg_linear_trend(std::span<const double> x, Workspace& ws, double* out);   // 48

// calc_advanced_stats.cpp
void agg_autocorrelation(std::span<const double> x, Workspace& ws, double* out);      // 3
void partial_autocorrelation(std::span<const double> x, Workspace& ws, double* out);  // 10: lag 0..9
void ar_coefficient(std::span<const double> x, Workspace& ws, double* out);           // 11: coeff 0..10, k=10
void augmented_dickey_fuller(std::span<const double> x, Workspace& ws, double* out);  // 3: teststat/pvalue/usedlag

// calc_advanced_cwt.cpp
void number_cwt_peaks(std::span<const double> x, Workspace& ws, double* out);    // 2: n=1,5
void cwt_coefficients(std::span<const double> x, Workspace& ws, double* out);    // 60
void spkt_welch_density(std::span<const double> x, Workspace& ws, double* out);  // 3: coeff 2,5,8
void fourier_entropy(std::span<const double> x, Workspace& ws, double* out);     // 5: bins 2,3,5,10,100

// calc_advanced_friedrich.cpp
void friedrich_coefficients(std::span<const double> x, Workspace& ws, double* out);    // 4: coeff 0..3 (x^3 first)
void max_langevin_fixed_point(std::span<const double> x, Workspace& ws, double* out);  // 1

}  // namespace lc::features::advanced
