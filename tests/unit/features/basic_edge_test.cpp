// Edge cases of the basic tsfresh calculators that the 44 reference series do not reach: n = 1, n = 2,
// boundary lengths of the lag/support rules, ties in permutation_entropy, pandas' absolute 1e-14 zeroing.
// Expected values were computed by hand and checked with Debian's numpy 1.24.2 (the snippet is in each
// comment); NaN/inf input is not tested because callers pass finite values only (basic_calculators.h).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include "features/calculator.h"
#include "features/workspace.h"

namespace lc::features {
namespace {

// Runs the basic calculator `name` on x and returns all of its outputs.
std::vector<double> run(std::string_view name, const std::vector<double>& x) {
  for (const auto& c : basic_calculators()) {
    if (c.name != name) continue;
    Workspace ws(x.size());
    std::vector<double> out(c.params.size(), -12345.678);
    c.fn(x, ws, out.data());
    return out;
  }
  ADD_FAILURE() << "no basic calculator named " << name;
  return {};
}

double run1(std::string_view name, const std::vector<double>& x) {
  const auto out = run(name, x);
  return out.empty() ? -12345.678 : out[0];
}

TEST(BasicEdge, SinglePoint) {
  const std::vector<double> x = {3.0};
  EXPECT_EQ(run1("sum_values", x), 3.0);
  EXPECT_EQ(run1("median", x), 3.0);
  EXPECT_EQ(run1("length", x), 1.0);
  EXPECT_EQ(run1("standard_deviation", x), 0.0);
  EXPECT_EQ(run1("root_mean_square", x), 3.0);
  EXPECT_EQ(run1("abs_energy", x), 9.0);
  EXPECT_EQ(run1("has_duplicate", x), 0.0);
  EXPECT_EQ(run1("has_duplicate_max", x), 0.0);
  // np.mean(np.abs(np.diff([3.]))) is the mean of nothing: NaN; the change rules need 2 and 3 points.
  EXPECT_TRUE(std::isnan(run1("mean_abs_change", x)));
  EXPECT_TRUE(std::isnan(run1("mean_change", x)));
  EXPECT_TRUE(std::isnan(run1("mean_second_derivative_central", x)));
  EXPECT_EQ(run1("absolute_sum_of_changes", x), 0.0);
  EXPECT_EQ(run1("variation_coefficient", x), 0.0);  // std 0 / mean 3
  EXPECT_TRUE(std::isnan(run1("skewness", x)));      // pandas: NaN below 3 points
  EXPECT_TRUE(std::isnan(run1("kurtosis", x)));      // and below 4
  EXPECT_EQ(run1("first_location_of_maximum", x), 0.0);
  EXPECT_EQ(run1("last_location_of_maximum", x), 1.0);  // 1 - argmax(reversed)/n
  EXPECT_EQ(run1("ratio_value_number_to_time_series_length", x), 1.0);
  // np.corrcoef(log10(1+1/d), one-hot digit 3)[0,1] = 0.06291512241389031
  EXPECT_DOUBLE_EQ(run1("benford_correlation", x), 0.06291512241389031);
  // 2*lag >= n: tsfresh returns 0, not NaN.
  for (const double v : run("c3", x)) EXPECT_EQ(v, 0.0);
  for (const double v : run("time_reversal_asymmetry_statistic", x)) EXPECT_EQ(v, 0.0);
  // cid_ce: std == 0 gives 0 for the normalised one; sqrt(dot([], [])) = 0 for the raw one.
  EXPECT_EQ(run("cid_ce", x), (std::vector<double>{0.0, 0.0}));
  for (const double v : run("quantile", x)) EXPECT_EQ(v, 3.0);
  for (const double v : run("autocorrelation", x)) EXPECT_TRUE(std::isnan(v));  // var 0, or lag > n
  for (const double v : run("index_mass_quantile", x)) EXPECT_EQ(v, 1.0);       // (0 + 1) / 1
  for (const double v : run("change_quantiles", x)) EXPECT_EQ(v, 0.0);          // equal qcut edges
  for (const double v : run("permutation_entropy", x)) EXPECT_TRUE(std::isnan(v));
  for (const double v : run("lempel_ziv_complexity", x)) EXPECT_EQ(v, 1.0);  // one phrase "0"
  EXPECT_EQ(run1("binned_entropy", x), 0.0);  // numpy gives -0.0: range [2.5, 3.5], one full bin
  EXPECT_TRUE(std::isnan(run1("mean_n_absolute_max", x)));
  EXPECT_TRUE(std::isnan(run1("query_similarity_count", x)));
}

TEST(BasicEdge, TwoPoints) {
  const std::vector<double> x = {1.0, 3.0};
  EXPECT_EQ(run1("median", x), 2.0);
  EXPECT_EQ(run1("mean_change", x), 2.0);
  EXPECT_TRUE(std::isnan(run1("mean_second_derivative_central", x)));
  EXPECT_TRUE(std::isnan(run1("skewness", x)));
  // np.quantile([1., 3.], [.1, .2, .3, .4, .6, .7, .8, .9]) = [1.2, 1.4, 1.6, 1.8, 2.2, 2.4, 2.6, 2.8]
  const std::vector<double> q = run("quantile", x);
  const double want_q[] = {1.2, 1.4, 1.6, 1.8, 2.2, 2.4, 2.6, 2.8};
  for (std::size_t i = 0; i < 8; ++i) EXPECT_DOUBLE_EQ(q[i], want_q[i]) << "q index " << i;
  // autocorrelation lag 0 = 1, lag 1 = (1-2)(3-2)/(1*1) = -1, lag 2 == n: 0/0 = NaN, lag 3 > n: NaN.
  const std::vector<double> ac = run("autocorrelation", x);
  EXPECT_EQ(ac[0], 1.0);
  EXPECT_EQ(ac[1], -1.0);
  for (std::size_t lag = 2; lag < 10; ++lag) EXPECT_TRUE(std::isnan(ac[lag])) << "lag " << lag;
  // Two bins of np.histogram(x, 10) hold one point each: ln 2.
  EXPECT_DOUBLE_EQ(run1("binned_entropy", x), 0.6931471805599453);
  // Digits 1 and 3: np.corrcoef(benford, [.5, 0, .5, 0, 0, 0, 0, 0, 0])[0, 1] = 0.7007749859383811
  EXPECT_DOUBLE_EQ(run1("benford_correlation", x), 0.7007749859383811);
  // cid_ce: z-scores [-1, 1] differ by 2; the raw values by 2 as well.
  EXPECT_EQ(run("cid_ce", x), (std::vector<double>{2.0, 2.0}));
  // Symbols [0, 1] for every bin count: two phrases over two points.
  for (const double v : run("lempel_ziv_complexity", x)) EXPECT_EQ(v, 1.0);
  EXPECT_EQ(run1("count_above", x), 1.0);
  EXPECT_EQ(run1("number_crossing_m", x), 0.0);    // m = 0: both above
  EXPECT_EQ(run("number_crossing_m", x)[2], 1.0);  // m = 1: 1 is not > 1, 3 is
}

TEST(BasicEdge, ConstantSeries) {
  const std::vector<double> x(6, 2.5);
  EXPECT_EQ(run1("skewness", x), 0.0);  // m2 == 0: pandas returns 0, not NaN
  EXPECT_EQ(run1("kurtosis", x), 0.0);
  EXPECT_EQ(run1("variation_coefficient", x), 0.0);
  EXPECT_EQ(run1("has_duplicate_max", x), 1.0);
  EXPECT_EQ(run1("percentage_of_reoccurring_values_to_all_values", x), 1.0);
  EXPECT_EQ(run1("sum_of_reoccurring_values", x), 2.5);
  EXPECT_EQ(run1("sum_of_reoccurring_data_points", x), 15.0);
  EXPECT_EQ(run1("longest_strike_above_mean", x), 0.0);
  for (const double v : run("autocorrelation", x)) EXPECT_TRUE(std::isnan(v));
  for (const double v : run("large_standard_deviation", x)) EXPECT_EQ(v, 0.0);  // 0 > r*0 is false
  for (const double v : run("symmetry_looking", x)) EXPECT_EQ(v, 0.0);          // 0 < r*0 is false
  for (const double v : run("change_quantiles", x)) EXPECT_EQ(v, 0.0);
  // One pattern for d = 3..6 (numpy: -0.0); d = 7 exceeds the 6 points.
  const std::vector<double> pe = run("permutation_entropy", x);
  for (std::size_t k = 0; k < 4; ++k) EXPECT_EQ(pe[k], 0.0) << "dimension " << k + 3;
  EXPECT_TRUE(std::isnan(pe[4]));
}

// pandas zeroes m2, m3 and kurt's numerator/denominator below an ABSOLUTE 1e-14, whatever the scale.
TEST(BasicEdge, PandasAbsoluteZeroingOfTinyMoments) {
  // Deviations +-0.5e-8: m2 = 4 * 0.25e-16 = 1e-16 < 1e-14, so skew and kurt are 0 although x varies.
  const std::vector<double> x = {1.0, 1.0 + 1e-8, 1.0, 1.0 + 1e-8};
  EXPECT_EQ(run1("skewness", x), 0.0);
  EXPECT_EQ(run1("kurtosis", x), 0.0);
  EXPECT_GT(run1("standard_deviation", x), 0.0);
}

// Ties inside a window rank by position (numpy's argsort is stable on these short rows, NOTES.md item 15).
TEST(BasicEdge, PermutationEntropyTiesRankByPosition) {
  // d = 3 windows of [1,1,2,2,1]: [1,1,2] -> (0,1,2), [1,2,2] -> (0,1,2), [2,2,1] -> (1,2,0).
  // Probabilities 2/3, 1/3: -(2/3 ln 2/3 + 1/3 ln 1/3) = 0.6365141682948128 (numpy, kind="stable").
  // Ranking ties the other way round would give three distinct patterns, ln 3.
  const std::vector<double> pe = run("permutation_entropy", {1.0, 1.0, 2.0, 2.0, 1.0});
  EXPECT_DOUBLE_EQ(pe[0], 0.6365141682948128);
  // d = 4: [1,1,2,2] -> (0,1,2,3) and [1,2,2,1] -> (0,2,3,1), two patterns: ln 2.
  EXPECT_DOUBLE_EQ(pe[1], 0.6931471805599453);
  EXPECT_EQ(pe[2], 0.0);           // d = 5: a single window (numpy: -0.0)
  EXPECT_TRUE(std::isnan(pe[3]));  // d = 6 > n
  EXPECT_TRUE(std::isnan(pe[4]));
}

TEST(BasicEdge, BoundaryLengthsOfLagAndSupportRules) {
  // number_peaks n=3 needs 2n < len: at len 7 only index 3 can be a peak.
  const std::vector<double> p = {0, 1, 2, 9, 2, 1, 0};
  EXPECT_EQ(run("number_peaks", p)[1], 1.0);
  EXPECT_EQ(run("number_peaks", std::vector<double>(p.begin(), p.end() - 1))[1], 0.0);  // len 6: 2n >= len
  // c3 lag 1 at n = 3: mean(x2*x1*x0) over one term; lag 2, 3: 2*lag >= n gives 0.
  const std::vector<double> c3 = run("c3", {2.0, 3.0, 4.0});
  EXPECT_EQ(c3, (std::vector<double>{24.0, 0.0, 0.0}));
  // energy_ratio_by_chunks at n = 3: np.array_split gives chunks [1], [2], [2], then seven empty ones (0.0).
  const std::vector<double> e = run("energy_ratio_by_chunks", {1.0, 2.0, 2.0});
  EXPECT_DOUBLE_EQ(e[0], 1.0 / 9.0);
  EXPECT_DOUBLE_EQ(e[1], 4.0 / 9.0);
  EXPECT_DOUBLE_EQ(e[2], 4.0 / 9.0);
  for (std::size_t k = 3; k < 10; ++k) EXPECT_EQ(e[k], 0.0) << "segment " << k;
  // All zeros: 0/0 energy gives NaN in every segment.
  for (const double v : run("energy_ratio_by_chunks", std::vector<double>(4, 0.0))) EXPECT_TRUE(std::isnan(v));
  // mean_n_absolute_max: NaN up to 7 points, then the mean of the 7 largest |x|.
  EXPECT_TRUE(std::isnan(run1("mean_n_absolute_max", {1, 2, 3, 4, 5, 6, 7})));
  EXPECT_EQ(run1("mean_n_absolute_max", {-8, 1, 2, 3, 4, 5, 6, 7}), 5.0);  // mean of 2..8
}

// Empty input is outside tsfresh's contract; the calculators must still be memory-safe and give length 0.
TEST(BasicEdge, EmptySeriesIsSafe) {
  const std::vector<double> x;
  for (const auto& c : basic_calculators()) {
    Workspace ws(0);
    std::vector<double> out(c.params.size());
    c.fn(x, ws, out.data());
  }
  EXPECT_EQ(run1("length", x), 0.0);
  EXPECT_EQ(run1("sum_values", x), 0.0);
}

// Infinite values have no tsfresh meaning (numpy warns or raises), but must not make a calculator read or
// write out of bounds: run every calculator on series holding +-inf (best under LC_SANITIZE=ON).
TEST(BasicEdge, InfiniteValuesStayMemorySafe) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::vector<double>> inputs = {
      {inf}, {1.0, inf, 2.0}, {-inf, 0.0, inf, 1.0, 2.0}, {inf, inf, inf, inf, inf, inf, inf, inf, -inf, 3.0}};
  for (const auto& x : inputs) {
    for (const auto& c : basic_calculators()) {
      Workspace ws(x.size());
      std::vector<double> out(c.params.size());
      c.fn(x, ws, out.data());
      EXPECT_LE(ws.used(), Workspace::capacity_for(x.size())) << c.name;
    }
  }
  EXPECT_TRUE(std::isnan(run1("binned_entropy", {1.0, inf})));  // np.histogram refuses a non-finite range
}

}  // namespace
}  // namespace lc::features
