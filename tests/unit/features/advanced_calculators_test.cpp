// Behaviour of the advanced tsfresh calculators that the 44 reference series (parity_test.cpp) do not pin
// down: lengths 0..4, tsfresh's length rules (AR needs n >= 22, pacf lags < n/2, ADF n >= 4, chunk and
// coefficient cut-offs), the ar_coefficient coeff_10 = 0.0 quirk, angles of exactly-zero FFT bins, the
// rank-deficient AR fit, workspace bounds and output completeness. Expected numbers come from tsfresh's
// reference.json where a reference series shows the case, otherwise from numpy/scipy (versions as in
// /work/shared/data/tsfresh/README.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "features/calculator.h"
#include "features/workspace.h"

namespace lc::features {
namespace {

constexpr std::uint32_t kSeed = 777;
constexpr double kUnwritten = -12345.678;

const Calculator& calc(std::string_view name) {
  for (const auto& c : advanced_calculators())
    if (c.name == name) return c;
  ADD_FAILURE() << "no advanced calculator " << name;
  std::abort();
}

// Runs one calculator and returns its outputs; checks that every output was written and the workspace held.
std::vector<double> run(std::string_view name, const std::vector<double>& x) {
  const Calculator& c = calc(name);
  std::vector<double> out(c.params.size(), kUnwritten);
  Workspace ws(std::max<std::size_t>(x.size(), 1));
  ws.reset();
  c.fn(x, ws, out.data());
  EXPECT_LE(ws.used(), Workspace::capacity_for(std::max<std::size_t>(x.size(), 1))) << name;
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_NE(out[i], kUnwritten) << name << " output " << i;
  return out;
}

double get(std::string_view name, std::string_view param, const std::vector<double>& x) {
  const Calculator& c = calc(name);
  const auto out = run(name, x);
  for (std::size_t i = 0; i < c.params.size(); ++i)
    if (c.params[i] == param) return out[i];
  ADD_FAILURE() << name << " has no parameter " << param;
  return 0.0;
}

std::vector<double> random_series(std::size_t n, std::mt19937& rng) {
  std::normal_distribution<double> nd;
  std::vector<double> x(n);
  for (auto& v : x) v = nd(rng);
  return x;
}

TEST(AdvancedCalculators, RegistryHasTheFourteenCalculatorsWithTsfreshOutputCounts) {
  const std::vector<std::pair<std::string_view, std::size_t>> expected = {
      {"agg_autocorrelation", 3}, {"partial_autocorrelation", 10}, {"number_cwt_peaks", 2},
      {"cwt_coefficients", 60},   {"spkt_welch_density", 3},       {"ar_coefficient", 11},
      {"fft_coefficient", 400},   {"fft_aggregated", 4},           {"friedrich_coefficients", 4},
      {"max_langevin_fixed_point", 1}, {"linear_trend", 5},       {"agg_linear_trend", 48},
      {"augmented_dickey_fuller", 3},  {"fourier_entropy", 5}};
  ASSERT_EQ(advanced_calculators().size(), expected.size());
  for (const auto& [name, count] : expected) {
    EXPECT_EQ(calc(name).params.size(), count) << name;
    std::set<std::string_view> unique(calc(name).params.begin(), calc(name).params.end());
    EXPECT_EQ(unique.size(), count) << name << " has duplicate parameter names";
  }
  EXPECT_EQ(calc("fft_coefficient").params[399], "attr_\"angle\"__coeff_99");
  EXPECT_EQ(calc("cwt_coefficients").params[1], "coeff_0__w_5__widths_(2, 5, 10, 20)");
  EXPECT_EQ(calc("agg_linear_trend").params[47], "attr_\"stderr\"__chunk_len_50__f_agg_\"var\"");
}

TEST(AdvancedCalculators, EveryOutputIsWrittenForLengthsZeroToTwelve) {
  std::printf("seed %u\n", kSeed);
  std::mt19937 rng(kSeed);
  for (std::size_t n = 0; n <= 12; ++n) {
    const auto x = random_series(n, rng);
    for (const auto& c : advanced_calculators()) run(c.name, x);
  }
}

TEST(AdvancedCalculators, EmptySeriesGivesNaNEverywhere) {
  const std::vector<double> x;
  for (const auto& c : advanced_calculators()) {
    const auto out = run(c.name, x);
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (c.name == "ar_coefficient" && i == 10) {
        EXPECT_EQ(out[i], 0.0);  // the tsfresh quirk applies to every short series
        continue;
      }
      EXPECT_TRUE(std::isnan(out[i])) << c.name << " " << c.params[i];
    }
  }
}

TEST(AdvancedCalculators, SinglePointSeries) {
  const std::vector<double> x = {-2.0};
  EXPECT_EQ(get("fft_coefficient", "attr_\"real\"__coeff_0", x), -2.0);
  EXPECT_EQ(get("fft_coefficient", "attr_\"angle\"__coeff_0", x), 180.0);
  EXPECT_TRUE(std::isnan(get("fft_coefficient", "attr_\"real\"__coeff_1", x)));
  EXPECT_EQ(get("linear_trend", "attr_\"rvalue\"", x), 0.0);  // scipy: zero variance -> r = 0
  EXPECT_TRUE(std::isnan(get("linear_trend", "attr_\"slope\"", x)));
  EXPECT_EQ(get("agg_autocorrelation", "f_agg_\"mean\"__maxlag_40", x), 0.0);  // tsfresh: n == 1 -> zeros
  EXPECT_TRUE(std::isnan(get("partial_autocorrelation", "lag_0", x)));
  EXPECT_TRUE(std::isnan(get("augmented_dickey_fuller", "attr_\"teststat\"__autolag_\"AIC\"", x)));
  EXPECT_TRUE(std::isnan(get("friedrich_coefficients", "coeff_0__m_3__r_30", x)));
}

TEST(AdvancedCalculators, PartialAutocorrelationOnlyBelowHalfTheLength) {
  std::mt19937 rng(kSeed);
  const auto p3 = run("partial_autocorrelation", random_series(3, rng));
  for (double v : p3) EXPECT_TRUE(std::isnan(v));  // n//2 - 1 == 0: tsfresh computes nothing, not even lag 0
  const auto p4 = run("partial_autocorrelation", random_series(4, rng));
  EXPECT_EQ(p4[0], 1.0);
  EXPECT_TRUE(std::isfinite(p4[1]));
  for (std::size_t l = 2; l < 10; ++l) EXPECT_TRUE(std::isnan(p4[l])) << l;
  const auto p12 = run("partial_autocorrelation", random_series(12, rng));
  for (std::size_t l = 0; l <= 5; ++l) EXPECT_TRUE(std::isfinite(p12[l])) << l;
  for (std::size_t l = 6; l < 10; ++l) EXPECT_TRUE(std::isnan(p12[l])) << l;
}

TEST(AdvancedCalculators, ArCoefficientNeedsTwentyTwoPointsAndKeepsTsfreshsCoeff10Quirk) {
  std::mt19937 rng(kSeed);
  const auto short_out = run("ar_coefficient", random_series(21, rng));
  for (std::size_t i = 0; i < 10; ++i) EXPECT_TRUE(std::isnan(short_out[i])) << i;
  EXPECT_EQ(short_out[10], 0.0);  // tsfresh's fallback list has 10 entries; index 10 -> IndexError -> 0
  const auto long_out = run("ar_coefficient", random_series(22, rng));
  for (std::size_t i = 0; i <= 10; ++i) EXPECT_TRUE(std::isfinite(long_out[i])) << i;
}

TEST(AdvancedCalculators, ArCoefficientOfConstantIsPinvMinimumNorm) {
  // reference.json constant_n50: intercept c/(1+10c^2), lag coefficients c^2/(1+10c^2) for c = 2.5.
  const std::vector<double> x(50, 2.5);
  const auto out = run("ar_coefficient", x);
  EXPECT_NEAR(out[0], 0.03937007874015752, 1e-12);
  for (std::size_t i = 1; i <= 10; ++i) EXPECT_NEAR(out[i], 0.09842519685039368, 1e-12) << i;
}

TEST(AdvancedCalculators, AugmentedDickeyFullerLengthRulesAndReferenceCase) {
  std::mt19937 rng(kSeed);
  const auto adf3 = run("augmented_dickey_fuller", random_series(3, rng));
  for (double v : adf3) EXPECT_TRUE(std::isnan(v));  // maxlag = n//2 - 2 < 0: statsmodels raises
  const auto adf4 = run("augmented_dickey_fuller", random_series(4, rng));
  EXPECT_TRUE(std::isfinite(adf4[0]));
  EXPECT_GE(adf4[1], 0.0);
  EXPECT_LE(adf4[1], 1.0);
  EXPECT_EQ(adf4[2], 0.0);
  // reference.json single_spike_n10: (-3.0, 0.034894400275345266, 0)
  const std::vector<double> spike = {0, 0, 0, 5, 0, 0, 0, 0, 0, 0};
  const auto adf = run("augmented_dickey_fuller", spike);
  EXPECT_NEAR(adf[0], -3.0, 1e-12);
  EXPECT_NEAR(adf[1], 0.034894400275345266, 1e-12);
  EXPECT_EQ(adf[2], 0.0);
  // statsmodels 0.13.5 on a constant series: (nan, nan, 0)
  const auto flat = run("augmented_dickey_fuller", std::vector<double>(10, 2.5));
  EXPECT_TRUE(std::isnan(flat[0]));
  EXPECT_TRUE(std::isnan(flat[1]));
  EXPECT_EQ(flat[2], 0.0);
}

TEST(AdvancedCalculators, AugmentedDickeyFullerBeyondTheSolverSizeIsNaN) {
  std::mt19937 rng(kSeed);
  const auto ok = run("augmented_dickey_fuller", random_series(10000, rng));  // maxlag 38: 40 columns
  EXPECT_TRUE(std::isfinite(ok[0]));
  EXPECT_EQ(ok[2], std::round(ok[2]));
  const auto too_long = run("augmented_dickey_fuller", random_series(10100, rng));  // maxlag 39
  for (double v : too_long) EXPECT_TRUE(std::isnan(v));
}

TEST(AdvancedCalculators, AggLinearTrendChunkRules) {
  std::mt19937 rng(kSeed);
  const Calculator& c = calc("agg_linear_trend");
  const auto five = run("agg_linear_trend", random_series(5, rng));
  for (double v : five) EXPECT_TRUE(std::isnan(v));  // every chunk_len >= n
  // n = 6: chunk_len 5 gives two chunks (the partial one counts) -> scipy's n == 2 branch: |r| = 1, stderr 0.
  const auto six = run("agg_linear_trend", random_series(6, rng));
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    const std::string_view p = c.params[i];
    if (p.find("chunk_len_5__") == std::string_view::npos) {
      EXPECT_TRUE(std::isnan(six[i])) << p;
    } else if (p.find("rvalue") != std::string_view::npos) {
      EXPECT_NEAR(std::fabs(six[i]), 1.0, 1e-15) << p;
    } else if (p.find("stderr") != std::string_view::npos) {
      EXPECT_EQ(six[i], 0.0) << p;
    }
  }
}

TEST(AdvancedCalculators, CoefficientCutOffsFollowTheSeriesLength) {
  std::mt19937 rng(kSeed);
  const auto x3 = random_series(3, rng);
  const Calculator& cwt = calc("cwt_coefficients");
  const auto cw = run("cwt_coefficients", x3);
  for (std::size_t i = 0; i < cw.size(); ++i) {
    const bool valid = i < 3 * 4;  // coeff 0..2 for each of the 4 widths
    EXPECT_EQ(std::isfinite(cw[i]), valid) << cwt.params[i];
  }
  const auto fft = run("fft_coefficient", x3);  // bins 0..n/2 = 0..1
  EXPECT_TRUE(std::isfinite(fft[1]));
  EXPECT_TRUE(std::isnan(fft[2]));
  const auto w5 = run("spkt_welch_density", random_series(5, rng));  // 3 welch bins
  EXPECT_TRUE(std::isfinite(w5[0]));
  EXPECT_TRUE(std::isnan(w5[1]));
  EXPECT_TRUE(std::isnan(w5[2]));
  const auto w16 = run("spkt_welch_density", random_series(16, rng));  // 9 bins: coeff 8 exists
  for (double v : w16) EXPECT_TRUE(std::isfinite(v));
}

TEST(AdvancedCalculators, AngleOfExactlyZeroOrRealBins) {
  // A constant has exactly zero bins k >= 1, whose angle is atan2(0, 0) = 0 (as pocketfft gives for 2.5).
  const auto flat = run("fft_coefficient", std::vector<double>(10, 2.5));
  for (std::size_t k = 0; k <= 5; ++k) EXPECT_EQ(flat[300 + k], 0.0) << k;
  // Symmetric integer input: every bin is real; negative bins must read 180, never -180.
  const std::vector<double> sym = {-3.0, 1.0, 4.0, -2.0, 4.0, 1.0};
  const auto s = run("fft_coefficient", sym);
  for (std::size_t k = 0; k <= 3; ++k) {
    EXPECT_EQ(s[100 + k], 0.0) << k;
    EXPECT_TRUE(s[300 + k] == 0.0 || s[300 + k] == 180.0) << k << ": " << s[300 + k];
  }
}

TEST(AdvancedCalculators, FftAggregatedNeedsSpectralVarianceOfOneHalf) {
  const auto flat = run("fft_aggregated", std::vector<double>(8, 2.0));  // all mass in bin 0: variance 0
  EXPECT_EQ(flat[0], 0.0);
  EXPECT_EQ(flat[1], 0.0);
  EXPECT_TRUE(std::isnan(flat[2]));
  EXPECT_TRUE(std::isnan(flat[3]));
  const auto zero = run("fft_aggregated", std::vector<double>(8, 0.0));  // 0/0
  for (double v : zero) EXPECT_TRUE(std::isnan(v));
}

TEST(AdvancedCalculators, LangevinFixedPointIsTheLargestRealRootOfTheFriedrichPolynomial) {
  std::mt19937 rng(kSeed);
  for (std::size_t n : {5u, 10u, 50u, 300u}) {
    const auto x = random_series(n, rng);
    const auto c = run("friedrich_coefficients", x);
    const double r = run("max_langevin_fixed_point", x)[0];
    ASSERT_TRUE(std::isfinite(r)) << n;
    // r is a root of c0 x^3 + c1 x^2 + c2 x + c3 (or the real part of a complex pair) and no real root
    // lies above it: the cubic keeps the sign of c0 beyond r.
    const auto p = [&](double v) { return ((c[0] * v + c[1]) * v + c[2]) * v + c[3]; };
    const double scale = std::fabs(c[0]) * std::pow(std::fabs(r) + 1.0, 3) + std::fabs(c[3]) + 1.0;
    for (double v = r + 1e-6 * (std::fabs(r) + 1.0); v < r + 100.0 * (std::fabs(r) + 1.0); v *= 1.5) {
      if (v <= r) v = r + 1.0;
      EXPECT_GT(p(v) * c[0], -1e-9 * scale) << "a root above the reported maximum, n=" << n;
    }
  }
}

TEST(AdvancedCalculators, FriedrichIsNaNWhenQuantileEdgesRepeat) {
  // Ties make pd.qcut's 31 edges non-unique: it raises and tsfresh returns NaN.
  const auto out = run("friedrich_coefficients", {1.0, 1.0, 1.0, 2.0, 3.0, 1.0});
  for (double v : out) EXPECT_TRUE(std::isnan(v));
  EXPECT_TRUE(std::isnan(run("max_langevin_fixed_point", {1.0, 1.0, 1.0, 2.0, 3.0, 1.0})[0]));
}

TEST(AdvancedCalculators, RepeatedCallsAreDeterministicAcrossCachedPairs) {
  // friedrich/langevin and the two welch users share a last-input cache: results must not depend on what ran
  // before.
  std::mt19937 rng(kSeed);
  const auto a = random_series(40, rng);
  const auto b = random_series(40, rng);
  const auto fa = run("friedrich_coefficients", a);
  run("friedrich_coefficients", b);
  run("max_langevin_fixed_point", b);
  const auto fa2 = run("friedrich_coefficients", a);
  for (std::size_t i = 0; i < fa.size(); ++i) EXPECT_EQ(fa[i], fa2[i]);
  const auto wa = run("spkt_welch_density", a);
  run("fourier_entropy", b);
  const auto wa2 = run("spkt_welch_density", a);
  for (std::size_t i = 0; i < wa.size(); ++i) EXPECT_EQ(wa[i], wa2[i]);
}

TEST(AdvancedCalculators, NonFiniteInputNeverCrashesAndWritesEveryOutput) {
  // The extractor filters such series, but a calculator must stay memory-safe on them (NaN breaks `<` as a
  // sort order). Values are not checked: tsfresh itself is inconsistent here.
  std::mt19937 rng(kSeed);
  for (std::size_t n : {5u, 12u, 40u, 300u}) {
    auto x = random_series(n, rng);
    x[n / 2] = NAN;
    for (const auto& c : advanced_calculators()) run(c.name, x);
    x[n / 2] = INFINITY;
    for (const auto& c : advanced_calculators()) run(c.name, x);
  }
}

TEST(AdvancedCalculators, WorkspaceSufficesForLongSeries) {
  std::mt19937 rng(kSeed);
  for (std::size_t n : {64u, 65u, 256u, 300u, 600u}) {
    const auto x = random_series(n, rng);
    for (const auto& c : advanced_calculators()) run(c.name, x);  // run() checks the capacity
  }
}

}  // namespace
}  // namespace lc::features
