// Kernels behind the advanced calculators (numeric_advanced.h): the real FFT against a long-double DFT,
// Student-t / normal tails and linregress against scipy 1.10.1 values, numpy's pairwise sum, histogram
// entropy and the pseudo-inverse least squares on a rank-deficient design.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <vector>

#include "features/numeric_advanced.h"
#include "features/workspace.h"

namespace lc::features::numeric {
namespace {

constexpr std::uint32_t kSeed = 20261122;

// Naive DFT in long double: the oracle for rfft.
void naive_rfft(const std::vector<double>& x, std::vector<long double>& re, std::vector<long double>& im) {
  const std::size_t n = x.size();
  re.assign(n / 2 + 1, 0.0L);
  im.assign(n / 2 + 1, 0.0L);
  for (std::size_t k = 0; k <= n / 2; ++k) {
    for (std::size_t m = 0; m < n; ++m) {
      const long double a = 2.0L * std::numbers::pi_v<long double> * static_cast<long double>((k * m) % n) /
                            static_cast<long double>(n);
      re[k] += static_cast<long double>(x[m]) * std::cos(a);
      im[k] -= static_cast<long double>(x[m]) * std::sin(a);
    }
  }
}

TEST(AdvancedNumeric, RfftMatchesNaiveDftForDirectAndMixedRadixLengths) {
  std::printf("seed %u\n", kSeed);
  std::mt19937 rng(kSeed);
  std::normal_distribution<double> nd(3.0, 2.0);
  std::vector<std::size_t> lengths;
  for (std::size_t n = 1; n <= 70; ++n) lengths.push_back(n);
  for (std::size_t n : {97u, 101u, 127u, 128u, 255u, 256u, 257u, 300u, 301u}) lengths.push_back(n);
  for (std::size_t n : lengths) {
    std::vector<double> x(n);
    for (auto& v : x) v = nd(rng);
    Workspace ws(n);
    std::vector<double> re(n / 2 + 1), im(n / 2 + 1);
    rfft(x.data(), n, re.data(), im.data(), ws);
    EXPECT_LE(ws.used(), Workspace::capacity_for(n));
    std::vector<long double> rre, rim;
    naive_rfft(x, rre, rim);
    long double scale = 0.0L;
    for (std::size_t k = 0; k < rre.size(); ++k) scale = std::max(scale, std::hypot(rre[k], rim[k]));
    for (std::size_t k = 0; k < rre.size(); ++k) {
      EXPECT_NEAR(re[k], static_cast<double>(rre[k]), 1e-13 * static_cast<double>(scale)) << "n=" << n << " k=" << k;
      EXPECT_NEAR(im[k], static_cast<double>(rim[k]), 1e-13 * static_cast<double>(scale)) << "n=" << n << " k=" << k;
    }
    EXPECT_EQ(im[0], 0.0);
    if (n % 2 == 0) {
      EXPECT_EQ(im[n / 2], 0.0) << "Nyquist bin must be exactly real, n=" << n;
    }
  }
}

TEST(AdvancedNumeric, RfftOfConstantHasExactZeroBins) {
  for (std::size_t n : {5u, 7u, 10u, 64u, 65u, 300u}) {
    std::vector<double> x(n, 0.3);
    Workspace ws(n);
    std::vector<double> re(n / 2 + 1), im(n / 2 + 1);
    rfft(x.data(), n, re.data(), im.data(), ws);
    for (std::size_t k = 1; k < re.size(); ++k) {
      EXPECT_EQ(re[k], 0.0) << "n=" << n << " k=" << k;
      EXPECT_EQ(im[k], 0.0) << "n=" << n << " k=" << k;
    }
  }
}

TEST(AdvancedNumeric, RfftOfSymmetricIntegerInputHasExactlyRealBins) {
  // x[m] == x[n-m]: every bin is real; the imaginary parts must be exact zeros (+0.0), as pocketfft gives,
  // so np.angle reports 0 or 180 and never -180.
  const std::vector<double> x = {-3.0, 1.0, 4.0, -2.0, 4.0, 1.0};
  Workspace ws(x.size());
  std::vector<double> re(4), im(4);
  rfft(x.data(), x.size(), re.data(), im.data(), ws);
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(im[k], 0.0) << k;
    EXPECT_FALSE(std::signbit(im[k])) << k;
  }
}

TEST(AdvancedNumeric, StudentTTwoSidedPMatchesScipy) {
  // 2 * scipy.stats.t.sf(t, df), scipy 1.10.1
  EXPECT_NEAR(student_t_two_sided_p(2.0, 10.0), 0.07338803477074039, 1e-14);
  EXPECT_NEAR(student_t_two_sided_p(-0.5, 3.0), 0.651447964848151, 1e-14);
  EXPECT_NEAR(student_t_two_sided_p(8.0, 298.0) / 2.785347459831838e-14, 1.0, 1e-9);
  EXPECT_EQ(student_t_two_sided_p(0.0, 5.0), 1.0);
  EXPECT_EQ(student_t_two_sided_p(INFINITY, 5.0), 0.0);
  EXPECT_TRUE(std::isnan(student_t_two_sided_p(NAN, 5.0)));
}

TEST(AdvancedNumeric, NormalCdfMatchesScipy) {
  EXPECT_NEAR(normal_cdf(1.96), 0.9750021048517795, 1e-15);
  EXPECT_NEAR(normal_cdf(-7.5) / 3.1908916729108844e-14, 1.0, 1e-12);
  EXPECT_EQ(normal_cdf(0.0), 0.5);
}

TEST(AdvancedNumeric, LinregressMatchesScipy) {
  const double y[] = {1.0, 3.0, 2.0, 5.0, 4.0, 6.0};
  const LinRegress r = linregress_index(y, 6);
  EXPECT_NEAR(r.slope, 0.8857142857142857, 1e-15);
  EXPECT_NEAR(r.intercept, 1.2857142857142856, 1e-14);
  EXPECT_NEAR(r.rvalue, 0.8857142857142857, 1e-15);
  EXPECT_NEAR(r.pvalue, 0.018845481049562695, 1e-14);
  EXPECT_NEAR(r.stderr_slope, 0.2321153829895989, 1e-15);
}

TEST(AdvancedNumeric, LinregressEdgeCasesFollowScipy) {
  const double flat[] = {2.0, 2.0, 2.0, 2.0};
  const LinRegress f = linregress_index(flat, 4);
  EXPECT_EQ(f.rvalue, 0.0);
  EXPECT_EQ(f.slope, 0.0);
  EXPECT_EQ(f.pvalue, 1.0);
  EXPECT_EQ(f.stderr_slope, 0.0);
  const double two[] = {1.0, 4.0};  // scipy's n == 2 branch
  const LinRegress t = linregress_index(two, 2);
  EXPECT_EQ(t.rvalue, 1.0);
  EXPECT_EQ(t.pvalue, 0.0);
  EXPECT_EQ(t.stderr_slope, 0.0);
  const double one[] = {1.0};
  const LinRegress o = linregress_index(one, 1);
  EXPECT_TRUE(std::isnan(o.slope));
  EXPECT_TRUE(std::isnan(o.pvalue));
}

TEST(AdvancedNumeric, NpSumIsNumpysPairwiseSum) {
  // numpy: np.mean(np.full(8, 0.1)) == 0.1 exactly (8 accumulators), np.mean(np.full(7, 0.1)) != 0.1.
  const std::vector<double> eight(8, 0.1);
  const std::vector<double> seven(7, 0.1);
  EXPECT_EQ(np_mean(eight.data(), 8), 0.1);
  EXPECT_NE(np_mean(seven.data(), 7), 0.1);
  // Exact for integers at any length (block split above 128).
  std::vector<double> ints(1000);
  for (std::size_t i = 0; i < ints.size(); ++i) ints[i] = static_cast<double>(i);
  EXPECT_EQ(np_sum(ints.data(), ints.size()), 499500.0);
}

TEST(AdvancedNumeric, BinnedEntropyFollowsNumpyHistogram) {
  const double x[] = {0.0, 0.25, 0.5, 1.0};  // 2 bins: [0, .5) gets 2, [.5, 1] gets 2 (last bin closed)
  EXPECT_NEAR(binned_entropy(x, 4, 2), std::log(2.0), 1e-15);
  const double c[] = {3.0, 3.0, 3.0};  // constant: one bin, entropy 0
  EXPECT_NEAR(binned_entropy(c, 3, 10), 0.0, 1e-15);
  const double nan_in[] = {1.0, NAN};
  EXPECT_TRUE(std::isnan(binned_entropy(nan_in, 2, 10)));
}

TEST(AdvancedNumeric, OlsPinvGivesMinimumNormSolutionForCollinearColumns) {
  // y = 1 on columns [1, 1]: any b0 + b1 = 1 fits; pinv picks b0 = b1 = 0.5.
  const std::size_t rows = 4;
  std::vector<double> x(rows * 2, 1.0);
  std::vector<double> y(rows, 1.0);
  std::vector<double> scratch(rows * 3);
  double beta[2] = {0.0, 0.0};
  const OlsResult r = ols_pinv(x.data(), y.data(), rows, 2, 1e-15, 0, beta, scratch.data());
  ASSERT_TRUE(r.ok);
  EXPECT_NEAR(beta[0], 0.5, 1e-14);
  EXPECT_NEAR(beta[1], 0.5, 1e-14);
  EXPECT_EQ(r.rank, 1u);
}

TEST(AdvancedNumeric, OlsPinvFullRankIsOrdinaryLeastSquares) {
  // y = 2 + 3 t exactly, columns [1, t].
  const std::size_t rows = 5;
  std::vector<double> x(rows * 2), y(rows), scratch(rows * 3);
  for (std::size_t i = 0; i < rows; ++i) {
    x[i] = 1.0;
    x[rows + i] = static_cast<double>(i);
    y[i] = 2.0 + 3.0 * static_cast<double>(i);
  }
  double beta[2];
  const OlsResult r = ols_pinv(x.data(), y.data(), rows, 2, 1e-15, 1, beta, scratch.data());
  ASSERT_TRUE(r.ok);
  EXPECT_NEAR(beta[0], 2.0, 1e-13);
  EXPECT_NEAR(beta[1], 3.0, 1e-14);
  EXPECT_EQ(r.rank, 2u);
  EXPECT_NEAR(r.var_index, 0.1, 1e-14);  // [(X^T X)^-1]_{11} = 1 / sum (t - 2)^2 = 1/10
  EXPECT_LT(r.ssr, 1e-20);
}

TEST(AdvancedNumeric, OlsPinvRejectsNonFiniteInput) {
  std::vector<double> x = {1.0, 1.0, NAN, 2.0};
  std::vector<double> y = {1.0, 2.0};
  std::vector<double> scratch(6);
  double beta[2];
  EXPECT_FALSE(ols_pinv(x.data(), y.data(), 2, 2, 1e-15, 0, beta, scratch.data()).ok);
}

}  // namespace
}  // namespace lc::features::numeric
