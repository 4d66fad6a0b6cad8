// Basic tsfresh calculators (statistics, counts, locations, entropies, quantiles, change_quantiles, ...):
// the registry that names each calculator's outputs as tsfresh names them. The implementations live in
// calc_basic_stats.cpp, calc_basic_quantile.cpp and calc_basic_entropy.cpp (basic_calculators.h).
#include <string_view>

#include "features/basic_calculators.h"
#include "features/calculator.h"

namespace lc::features {
namespace {

constexpr std::string_view kNoParams[] = {""};

// Parameter names copied from /work/shared/data/tsfresh/reference.json["feature_names"], in tsfresh's order
// within each calculator; the parity test checks them against that file. Laid out by hand, as tables.
// clang-format off
constexpr std::string_view kTimeReversalAsymmetryStatisticParams[] = {"lag_1", "lag_2", "lag_3"};
constexpr std::string_view kC3Params[] = {"lag_1", "lag_2", "lag_3"};
constexpr std::string_view kCidCeParams[] = {"normalize_True", "normalize_False"};
constexpr std::string_view kSymmetryLookingParams[] = {
    "r_0.0", "r_0.05", "r_0.1", "r_0.15000000000000002", "r_0.2", "r_0.25", "r_0.30000000000000004",
    "r_0.35000000000000003", "r_0.4", "r_0.45", "r_0.5", "r_0.55", "r_0.6000000000000001", "r_0.65",
    "r_0.7000000000000001", "r_0.75", "r_0.8", "r_0.8500000000000001", "r_0.9", "r_0.9500000000000001"
};
constexpr std::string_view kLargeStandardDeviationParams[] = {
    "r_0.05", "r_0.1", "r_0.15000000000000002", "r_0.2", "r_0.25", "r_0.30000000000000004",
    "r_0.35000000000000003", "r_0.4", "r_0.45", "r_0.5", "r_0.55", "r_0.6000000000000001", "r_0.65",
    "r_0.7000000000000001", "r_0.75", "r_0.8", "r_0.8500000000000001", "r_0.9", "r_0.9500000000000001"
};
constexpr std::string_view kQuantileParams[] = {
    "q_0.1", "q_0.2", "q_0.3", "q_0.4", "q_0.6", "q_0.7", "q_0.8", "q_0.9"
};
constexpr std::string_view kAutocorrelationParams[] = {
    "lag_0", "lag_1", "lag_2", "lag_3", "lag_4", "lag_5", "lag_6", "lag_7", "lag_8", "lag_9"
};
constexpr std::string_view kNumberPeaksParams[] = {"n_1", "n_3", "n_5", "n_10", "n_50"};
constexpr std::string_view kBinnedEntropyParams[] = {"max_bins_10"};
constexpr std::string_view kIndexMassQuantileParams[] = {
    "q_0.1", "q_0.2", "q_0.3", "q_0.4", "q_0.6", "q_0.7", "q_0.8", "q_0.9"
};
constexpr std::string_view kChangeQuantilesParams[] = {
    "f_agg_\"mean\"__isabs_False__qh_0.2__ql_0.0", "f_agg_\"var\"__isabs_False__qh_0.2__ql_0.0",
    "f_agg_\"mean\"__isabs_True__qh_0.2__ql_0.0", "f_agg_\"var\"__isabs_True__qh_0.2__ql_0.0",
    "f_agg_\"mean\"__isabs_False__qh_0.4__ql_0.0", "f_agg_\"var\"__isabs_False__qh_0.4__ql_0.0",
    "f_agg_\"mean\"__isabs_True__qh_0.4__ql_0.0", "f_agg_\"var\"__isabs_True__qh_0.4__ql_0.0",
    "f_agg_\"mean\"__isabs_False__qh_0.6__ql_0.0", "f_agg_\"var\"__isabs_False__qh_0.6__ql_0.0",
    "f_agg_\"mean\"__isabs_True__qh_0.6__ql_0.0", "f_agg_\"var\"__isabs_True__qh_0.6__ql_0.0",
    "f_agg_\"mean\"__isabs_False__qh_0.8__ql_0.0", "f_agg_\"var\"__isabs_False__qh_0.8__ql_0.0",
    "f_agg_\"mean\"__isabs_True__qh_0.8__ql_0.0", "f_agg_\"var\"__isabs_True__qh_0.8__ql_0.0",
    "f_agg_\"mean\"__isabs_False__qh_1.0__ql_0.0", "f_agg_\"var\"__isabs_False__qh_1.0__ql_0.0",
    "f_agg_\"mean\"__isabs_True__qh_1.0__ql_0.0", "f_agg_\"var\"__isabs_True__qh_1.0__ql_0.0",
    "f_agg_\"mean\"__isabs_False__qh_0.4__ql_0.2", "f_agg_\"var\"__isabs_False__qh_0.4__ql_0.2",
    "f_agg_\"mean\"__isabs_True__qh_0.4__ql_0.2", "f_agg_\"var\"__isabs_True__qh_0.4__ql_0.2",
    "f_agg_\"mean\"__isabs_False__qh_0.6__ql_0.2", "f_agg_\"var\"__isabs_False__qh_0.6__ql_0.2",
    "f_agg_\"mean\"__isabs_True__qh_0.6__ql_0.2", "f_agg_\"var\"__isabs_True__qh_0.6__ql_0.2",
    "f_agg_\"mean\"__isabs_False__qh_0.8__ql_0.2", "f_agg_\"var\"__isabs_False__qh_0.8__ql_0.2",
    "f_agg_\"mean\"__isabs_True__qh_0.8__ql_0.2", "f_agg_\"var\"__isabs_True__qh_0.8__ql_0.2",
    "f_agg_\"mean\"__isabs_False__qh_1.0__ql_0.2", "f_agg_\"var\"__isabs_False__qh_1.0__ql_0.2",
    "f_agg_\"mean\"__isabs_True__qh_1.0__ql_0.2", "f_agg_\"var\"__isabs_True__qh_1.0__ql_0.2",
    "f_agg_\"mean\"__isabs_False__qh_0.6__ql_0.4", "f_agg_\"var\"__isabs_False__qh_0.6__ql_0.4",
    "f_agg_\"mean\"__isabs_True__qh_0.6__ql_0.4", "f_agg_\"var\"__isabs_True__qh_0.6__ql_0.4",
    "f_agg_\"mean\"__isabs_False__qh_0.8__ql_0.4", "f_agg_\"var\"__isabs_False__qh_0.8__ql_0.4",
    "f_agg_\"mean\"__isabs_True__qh_0.8__ql_0.4", "f_agg_\"var\"__isabs_True__qh_0.8__ql_0.4",
    "f_agg_\"mean\"__isabs_False__qh_1.0__ql_0.4", "f_agg_\"var\"__isabs_False__qh_1.0__ql_0.4",
    "f_agg_\"mean\"__isabs_True__qh_1.0__ql_0.4", "f_agg_\"var\"__isabs_True__qh_1.0__ql_0.4",
    "f_agg_\"mean\"__isabs_False__qh_0.8__ql_0.6", "f_agg_\"var\"__isabs_False__qh_0.8__ql_0.6",
    "f_agg_\"mean\"__isabs_True__qh_0.8__ql_0.6", "f_agg_\"var\"__isabs_True__qh_0.8__ql_0.6",
    "f_agg_\"mean\"__isabs_False__qh_1.0__ql_0.6", "f_agg_\"var\"__isabs_False__qh_1.0__ql_0.6",
    "f_agg_\"mean\"__isabs_True__qh_1.0__ql_0.6", "f_agg_\"var\"__isabs_True__qh_1.0__ql_0.6",
    "f_agg_\"mean\"__isabs_False__qh_1.0__ql_0.8", "f_agg_\"var\"__isabs_False__qh_1.0__ql_0.8",
    "f_agg_\"mean\"__isabs_True__qh_1.0__ql_0.8", "f_agg_\"var\"__isabs_True__qh_1.0__ql_0.8"
};
constexpr std::string_view kValueCountParams[] = {"value_0", "value_1", "value_-1"};
constexpr std::string_view kRangeCountParams[] = {
    "max_1__min_-1", "max_0__min_-1000000000000.0", "max_1000000000000.0__min_0"
};
constexpr std::string_view kNumberCrossingMParams[] = {"m_0", "m_-1", "m_1"};
constexpr std::string_view kEnergyRatioByChunksParams[] = {
    "num_segments_10__segment_focus_0", "num_segments_10__segment_focus_1",
    "num_segments_10__segment_focus_2", "num_segments_10__segment_focus_3",
    "num_segments_10__segment_focus_4", "num_segments_10__segment_focus_5",
    "num_segments_10__segment_focus_6", "num_segments_10__segment_focus_7",
    "num_segments_10__segment_focus_8", "num_segments_10__segment_focus_9"
};
constexpr std::string_view kRatioBeyondRSigmaParams[] = {
    "r_0.5", "r_1", "r_1.5", "r_2", "r_2.5", "r_3", "r_5", "r_6", "r_7", "r_10"
};
constexpr std::string_view kCountAboveParams[] = {"t_0"};
constexpr std::string_view kCountBelowParams[] = {"t_0"};
constexpr std::string_view kLempelZivComplexityParams[] = {
    "bins_2", "bins_3", "bins_5", "bins_10", "bins_100"
};
constexpr std::string_view kPermutationEntropyParams[] = {
    "dimension_3__tau_1", "dimension_4__tau_1", "dimension_5__tau_1", "dimension_6__tau_1",
    "dimension_7__tau_1"
};
constexpr std::string_view kQuerySimilarityCountParams[] = {"query_None__threshold_0.0"};
constexpr std::string_view kMeanNAbsoluteMaxParams[] = {"number_of_maxima_7"};

// Registered in tsfresh's calculator order; all_calculators() re-sorts anyway. A fourth entry is the
// calculator's selective entry point (Calculator::some), for those whose outputs cost very different amounts.
constexpr Calculator kBasic[] = {
    {"sum_values", kNoParams, &basic::sum_values},
    {"median", kNoParams, &basic::median},
    {"mean", kNoParams, &basic::mean},
    {"length", kNoParams, &basic::length},
    {"standard_deviation", kNoParams, &basic::standard_deviation},
    {"variance", kNoParams, &basic::variance},
    {"root_mean_square", kNoParams, &basic::root_mean_square},
    {"maximum", kNoParams, &basic::maximum},
    {"absolute_maximum", kNoParams, &basic::absolute_maximum},
    {"minimum", kNoParams, &basic::minimum},
    {"variance_larger_than_standard_deviation", kNoParams, &basic::variance_larger_than_standard_deviation},
    {"has_duplicate_max", kNoParams, &basic::has_duplicate_max},
    {"has_duplicate_min", kNoParams, &basic::has_duplicate_min},
    {"has_duplicate", kNoParams, &basic::has_duplicate},
    {"abs_energy", kNoParams, &basic::abs_energy},
    {"mean_abs_change", kNoParams, &basic::mean_abs_change},
    {"mean_change", kNoParams, &basic::mean_change},
    {"mean_second_derivative_central", kNoParams, &basic::mean_second_derivative_central},
    {"variation_coefficient", kNoParams, &basic::variation_coefficient},
    {"skewness", kNoParams, &basic::skewness},
    {"kurtosis", kNoParams, &basic::kurtosis},
    {"absolute_sum_of_changes", kNoParams, &basic::absolute_sum_of_changes},
    {"longest_strike_below_mean", kNoParams, &basic::longest_strike_below_mean},
    {"longest_strike_above_mean", kNoParams, &basic::longest_strike_above_mean},
    {"count_above_mean", kNoParams, &basic::count_above_mean},
    {"count_below_mean", kNoParams, &basic::count_below_mean},
    {"last_location_of_maximum", kNoParams, &basic::last_location_of_maximum},
    {"first_location_of_maximum", kNoParams, &basic::first_location_of_maximum},
    {"last_location_of_minimum", kNoParams, &basic::last_location_of_minimum},
    {"first_location_of_minimum", kNoParams, &basic::first_location_of_minimum},
    {"percentage_of_reoccurring_values_to_all_values",
     kNoParams, &basic::percentage_of_reoccurring_values_to_all_values},
    {"percentage_of_reoccurring_datapoints_to_all_datapoints",
     kNoParams, &basic::percentage_of_reoccurring_datapoints_to_all_datapoints},
    {"sum_of_reoccurring_values", kNoParams, &basic::sum_of_reoccurring_values},
    {"sum_of_reoccurring_data_points", kNoParams, &basic::sum_of_reoccurring_data_points},
    {"ratio_value_number_to_time_series_length", kNoParams, &basic::ratio_value_number_to_time_series_length},
    {"benford_correlation", kNoParams, &basic::benford_correlation},
    {"time_reversal_asymmetry_statistic",
     kTimeReversalAsymmetryStatisticParams, &basic::time_reversal_asymmetry_statistic},
    {"c3", kC3Params, &basic::c3},
    {"cid_ce", kCidCeParams, &basic::cid_ce},
    {"symmetry_looking", kSymmetryLookingParams, &basic::symmetry_looking},
    {"large_standard_deviation", kLargeStandardDeviationParams, &basic::large_standard_deviation},
    {"quantile", kQuantileParams, &basic::quantile},
    {"autocorrelation", kAutocorrelationParams, &basic::autocorrelation, &basic::autocorrelation_some},
    {"number_peaks", kNumberPeaksParams, &basic::number_peaks, &basic::number_peaks_some},
    {"binned_entropy", kBinnedEntropyParams, &basic::binned_entropy},
    {"index_mass_quantile", kIndexMassQuantileParams, &basic::index_mass_quantile},
    {"change_quantiles", kChangeQuantilesParams, &basic::change_quantiles, &basic::change_quantiles_some},
    {"value_count", kValueCountParams, &basic::value_count},
    {"range_count", kRangeCountParams, &basic::range_count},
    {"number_crossing_m", kNumberCrossingMParams, &basic::number_crossing_m},
    {"energy_ratio_by_chunks", kEnergyRatioByChunksParams, &basic::energy_ratio_by_chunks},
    {"ratio_beyond_r_sigma", kRatioBeyondRSigmaParams, &basic::ratio_beyond_r_sigma},
    {"count_above", kCountAboveParams, &basic::count_above},
    {"count_below", kCountBelowParams, &basic::count_below},
    {"lempel_ziv_complexity", kLempelZivComplexityParams,
     &basic::lempel_ziv_complexity, &basic::lempel_ziv_complexity_some},
    {"permutation_entropy", kPermutationEntropyParams, &basic::permutation_entropy, &basic::permutation_entropy_some},
    {"query_similarity_count", kQuerySimilarityCountParams, &basic::query_similarity_count},
    {"mean_n_absolute_max", kMeanNAbsoluteMaxParams, &basic::mean_n_absolute_max},
};

// clang-format on

}  // namespace

std::span<const Calculator> basic_calculators() { return kBasic; }

}  // namespace lc::features
