#include <algorithm>
#include <array>
#include <vector>

#include "features/calculator.h"

namespace lc::features {

std::span<const std::string_view> tsfresh_calculator_order() {
  static constexpr std::array<std::string_view, 72> kOrder = {
      "sum_values", "median", "mean", "length", "standard_deviation", "variance", "root_mean_square",
      "maximum", "absolute_maximum", "minimum", "variance_larger_than_standard_deviation",
      "has_duplicate_max", "has_duplicate_min", "has_duplicate", "abs_energy", "mean_abs_change",
      "mean_change", "mean_second_derivative_central", "variation_coefficient", "skewness", "kurtosis",
      "absolute_sum_of_changes", "longest_strike_below_mean", "longest_strike_above_mean",
      "count_above_mean", "count_below_mean", "last_location_of_maximum", "first_location_of_maximum",
      "last_location_of_minimum", "first_location_of_minimum",
      "percentage_of_reoccurring_values_to_all_values",
      "percentage_of_reoccurring_datapoints_to_all_datapoints", "sum_of_reoccurring_values",
      "sum_of_reoccurring_data_points", "ratio_value_number_to_time_series_length", "benford_correlation",
      "time_reversal_asymmetry_statistic", "c3", "cid_ce", "symmetry_looking", "large_standard_deviation",
      "quantile", "autocorrelation", "agg_autocorrelation", "partial_autocorrelation", "number_cwt_peaks",
      "number_peaks", "binned_entropy", "index_mass_quantile", "cwt_coefficients", "spkt_welch_density",
      "ar_coefficient", "change_quantiles", "fft_coefficient", "fft_aggregated", "value_count",
      "range_count", "friedrich_coefficients", "max_langevin_fixed_point", "linear_trend",
      "agg_linear_trend", "augmented_dickey_fuller", "number_crossing_m", "energy_ratio_by_chunks",
      "ratio_beyond_r_sigma", "count_above", "count_below", "lempel_ziv_complexity", "fourier_entropy",
      "permutation_entropy", "query_similarity_count", "mean_n_absolute_max"};
  return kOrder;
}

std::span<const Calculator> all_calculators() {
  static const std::vector<Calculator> kAll = [] {
    std::vector<Calculator> all;
    const auto order = tsfresh_calculator_order();
    auto rank = [&](std::string_view name) {
      return static_cast<std::size_t>(std::find(order.begin(), order.end(), name) - order.begin());
    };
    for (const auto& c : basic_calculators()) all.push_back(c);
    for (const auto& c : advanced_calculators()) all.push_back(c);
    std::stable_sort(all.begin(), all.end(),
                     [&](const Calculator& a, const Calculator& b) { return rank(a.name) < rank(b.name); });
    return all;
  }();
  return kAll;
}

}  // namespace lc::features
