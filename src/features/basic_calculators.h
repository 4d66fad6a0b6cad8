// Private: the basic tsfresh calculators, one function per tsfresh calculator (all parameter combinations in
// one call), registered in calc_basic.cpp with tsfresh's feature names.
//
// Every function has the CalcFn signature of features/calculator.h and writes as many outputs as its
// calculator has parameter combinations, in tsfresh's order.
// Bad input: x must not contain NaN (the Extractor skips such series; sorting NaN would be undefined
// behaviour). +-inf gives unspecified values but stays memory-safe. An empty series gives what numpy gives
// for an empty array: 0 for length, sums and counts (and tsfresh's 0 fallbacks of c3,
// time_reversal_asymmetry_statistic and change_quantiles), NaN for the rest.
// Temporaries come from the Workspace (at most 4n + 203 doubles, or n + d! for permutation_entropy's
// counting table on long series, d! <= 5040); nothing allocates.
#pragma once

#include "features/calculator.h"

namespace lc::features::basic {

// calc_basic_stats.cpp: moments, extremes, changes, locations, counts, duplicates.
void sum_values(std::span<const double> x, Workspace& ws, double* out);
void mean(std::span<const double> x, Workspace& ws, double* out);
void length(std::span<const double> x, Workspace& ws, double* out);
void standard_deviation(std::span<const double> x, Workspace& ws, double* out);
void variance(std::span<const double> x, Workspace& ws, double* out);
void root_mean_square(std::span<const double> x, Workspace& ws, double* out);
void maximum(std::span<const double> x, Workspace& ws, double* out);
void absolute_maximum(std::span<const double> x, Workspace& ws, double* out);
void minimum(std::span<const double> x, Workspace& ws, double* out);
void variance_larger_than_standard_deviation(std::span<const double> x, Workspace& ws, double* out);
void has_duplicate_max(std::span<const double> x, Workspace& ws, double* out);
void has_duplicate_min(std::span<const double> x, Workspace& ws, double* out);
void has_duplicate(std::span<const double> x, Workspace& ws, double* out);
void abs_energy(std::span<const double> x, Workspace& ws, double* out);
void mean_abs_change(std::span<const double> x, Workspace& ws, double* out);
void mean_change(std::span<const double> x, Workspace& ws, double* out);
void mean_second_derivative_central(std::span<const double> x, Workspace& ws, double* out);
void variation_coefficient(std::span<const double> x, Workspace& ws, double* out);
void skewness(std::span<const double> x, Workspace& ws, double* out);
void kurtosis(std::span<const double> x, Workspace& ws, double* out);
void absolute_sum_of_changes(std::span<const double> x, Workspace& ws, double* out);
void longest_strike_below_mean(std::span<const double> x, Workspace& ws, double* out);
void longest_strike_above_mean(std::span<const double> x, Workspace& ws, double* out);
void count_above_mean(std::span<const double> x, Workspace& ws, double* out);
void count_below_mean(std::span<const double> x, Workspace& ws, double* out);
void last_location_of_maximum(std::span<const double> x, Workspace& ws, double* out);
void first_location_of_maximum(std::span<const double> x, Workspace& ws, double* out);
void last_location_of_minimum(std::span<const double> x, Workspace& ws, double* out);
void first_location_of_minimum(std::span<const double> x, Workspace& ws, double* out);
void percentage_of_reoccurring_values_to_all_values(std::span<const double> x, Workspace& ws, double* out);
void percentage_of_reoccurring_datapoints_to_all_datapoints(std::span<const double> x, Workspace& ws, double* out);
void sum_of_reoccurring_values(std::span<const double> x, Workspace& ws, double* out);
void sum_of_reoccurring_data_points(std::span<const double> x, Workspace& ws, double* out);
void ratio_value_number_to_time_series_length(std::span<const double> x, Workspace& ws, double* out);
void time_reversal_asymmetry_statistic(std::span<const double> x, Workspace& ws, double* out);  // lag 1..3
void c3(std::span<const double> x, Workspace& ws, double* out);                                 // lag 1..3
void cid_ce(std::span<const double> x, Workspace& ws, double* out);                             // normalize True, False
void large_standard_deviation(std::span<const double> x, Workspace& ws, double* out);           // r = 0.05..0.95
void autocorrelation(std::span<const double> x, Workspace& ws, double* out);                    // lag 0..9
void number_peaks(std::span<const double> x, Workspace& ws, double* out);                       // n = 1,3,5,10,50
// The same two for the wanted outputs only (SomeFn).
void autocorrelation_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                          double* out);
void number_peaks_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                       double* out);
void value_count(std::span<const double> x, Workspace& ws, double* out);                        // value 0, 1, -1
void range_count(std::span<const double> x, Workspace& ws, double* out);
void number_crossing_m(std::span<const double> x, Workspace& ws, double* out);       // m = 0, -1, 1
void energy_ratio_by_chunks(std::span<const double> x, Workspace& ws, double* out);  // 10 segments
void ratio_beyond_r_sigma(std::span<const double> x, Workspace& ws, double* out);
void count_above(std::span<const double> x, Workspace& ws, double* out);  // t = 0
void count_below(std::span<const double> x, Workspace& ws, double* out);  // t = 0
void query_similarity_count(std::span<const double> x, Workspace& ws, double* out);

// calc_basic_quantile.cpp: order statistics.
void median(std::span<const double> x, Workspace& ws, double* out);
void quantile(std::span<const double> x, Workspace& ws, double* out);          // q = .1 .2 .3 .4 .6 .7 .8 .9
void symmetry_looking(std::span<const double> x, Workspace& ws, double* out);  // r = 0.00..0.95
void index_mass_quantile(std::span<const double> x, Workspace& ws, double* out);
void change_quantiles(std::span<const double> x, Workspace& ws, double* out);     // 60 combinations
// The same for the wanted outputs only (SomeFn): only the wanted corridors and aggregates.
void change_quantiles_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                           double* out);
void mean_n_absolute_max(std::span<const double> x, Workspace& ws, double* out);  // 7 maxima

// calc_basic_entropy.cpp: digit, histogram, symbol and ordinal-pattern statistics.
// First digit of np.format_float_scientific(v) for finite v >= 0 (0 for 0): the digit tsfresh's
// benford_correlation counts. Exposed for the differential test against std::to_chars.
int first_digit(double v);
void benford_correlation(std::span<const double> x, Workspace& ws, double* out);
void binned_entropy(std::span<const double> x, Workspace& ws, double* out);         // 10 bins
void lempel_ziv_complexity(std::span<const double> x, Workspace& ws, double* out);  // bins 2,3,5,10,100
void permutation_entropy(std::span<const double> x, Workspace& ws, double* out);    // dimension 3..7
// The same two for the wanted outputs only (SomeFn): each bin count / dimension is independent.
void lempel_ziv_complexity_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                                double* out);
void permutation_entropy_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                              double* out);

}  // namespace lc::features::basic
