// The hypothesis tests against SciPy 1.10: p-values in tests/data/features/pvalues.json were written by
// tools/gen_pvalue_fixtures.py calling SciPy exactly as tsfresh does; each must match to 1e-9 relative.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "features/hypothesis.h"

namespace lc::features {
namespace {

constexpr double kRelTol = 1e-9;

const nlohmann::json& fixture() {
  static const nlohmann::json kFixture = [] {
    std::ifstream in(std::string(LC_TEST_DATA_DIR) + "/features/pvalues.json");
    nlohmann::json j;
    if (in) j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    return j;
  }();
  return kFixture;
}

// |got - want| <= 1e-9 |want|, with an absolute floor far below any p-value a selection could act on.
::testing::AssertionResult close_rel(double got, double want) {
  if (std::fabs(got - want) <= kRelTol * std::fabs(want) + 1e-300) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << " want " << want << " (rel err "
                                       << std::fabs(got - want) / std::fabs(want) << ")";
}

std::vector<double> doubles(const nlohmann::json& a) { return a.get<std::vector<double>>(); }

TEST(HypothesisScipy, FixtureIsPresent) {
  ASSERT_TRUE(fixture().is_object()) << "missing or unreadable " << LC_TEST_DATA_DIR
                                     << "/features/pvalues.json (run tools/gen_pvalue_fixtures.py)";
  EXPECT_EQ(fixture().value("scipy_version", ""), "1.10.1");
}

TEST(HypothesisScipy, NormalSfMatchesScipy) {
  ASSERT_TRUE(fixture().contains("norm_sf"));
  for (const auto& c : fixture()["norm_sf"]) {
    EXPECT_TRUE(close_rel(normal_sf(c["z"].get<double>()), c["p"].get<double>())) << "z=" << c["z"];
  }
}

TEST(HypothesisScipy, HypergeomPmfMatchesScipy) {
  ASSERT_TRUE(fixture().contains("hypergeom_pmf"));
  for (const auto& c : fixture()["hypergeom_pmf"]) {
    const double got = hypergeom_pmf(c["k"].get<std::int64_t>(), c["M"].get<std::int64_t>(),
                                     c["n"].get<std::int64_t>(), c["N"].get<std::int64_t>());
    EXPECT_TRUE(close_rel(got, c["p"].get<double>())) << c.dump();
  }
}

TEST(HypothesisScipy, FisherExactMatchesScipy) {
  ASSERT_TRUE(fixture().contains("fisher_exact"));
  for (const auto& c : fixture()["fisher_exact"]) {
    const auto& t = c["table"];
    const double got = fisher_exact_pvalue(t[0][0].get<std::uint64_t>(), t[0][1].get<std::uint64_t>(),
                                           t[1][0].get<std::uint64_t>(), t[1][1].get<std::uint64_t>());
    EXPECT_TRUE(close_rel(got, c["p"].get<double>())) << "table " << t.dump();
  }
}

TEST(HypothesisScipy, MannWhitneyMatchesScipyInBothMethods) {
  ASSERT_TRUE(fixture().contains("mannwhitneyu"));
  int exact = 0;
  int asymptotic = 0;
  for (const auto& c : fixture()["mannwhitneyu"]) {
    const auto x = doubles(c["x"]);
    const auto y = doubles(c["y"]);
    EXPECT_TRUE(close_rel(mann_whitney_u_pvalue(x, y), c["p"].get<double>()))
        << "n_x=" << x.size() << " n_y=" << y.size() << " method=" << c["method"];
    // The test is symmetric in its samples (two-sided).
    EXPECT_TRUE(close_rel(mann_whitney_u_pvalue(y, x), c["p"].get<double>()));
    (c["method"] == "exact" ? exact : asymptotic)++;
  }
  // The fixture must exercise both of SciPy's branches, or this test proves less than it claims.
  EXPECT_GE(exact, 5);
  EXPECT_GE(asymptotic, 5);
}

TEST(HypothesisScipy, KsTwoSampleMatchesScipy) {
  ASSERT_TRUE(fixture().contains("ks_2samp"));
  for (const auto& c : fixture()["ks_2samp"]) {
    const auto x = doubles(c["x"]);
    const auto y = doubles(c["y"]);
    EXPECT_TRUE(close_rel(ks_2samp_pvalue(x, y), c["p"].get<double>()))
        << "n_x=" << x.size() << " n_y=" << y.size();
    EXPECT_TRUE(close_rel(ks_2samp_pvalue(y, x), c["p"].get<double>()));
  }
}

// ------------------------------------------------------------------------------------------------------
// Hand-checkable values and edge cases.

TEST(Hypothesis, RankAverageGivesTiesTheirMeanRank) {
  const std::vector<double> v = {3.0, 1.0, 3.0, 2.0, 3.0};
  const Ranking r = rank_average(v);
  EXPECT_EQ(r.ranks, (std::vector<double>{4.0, 1.0, 4.0, 2.0, 4.0}));
  EXPECT_TRUE(r.has_ties);
  EXPECT_DOUBLE_EQ(r.tie_term, 27.0 - 3.0);  // one group of three
  EXPECT_FALSE(rank_average(std::vector<double>{1.0, 2.0}).has_ties);
}

TEST(Hypothesis, MannWhitneyExactSfByHand) {
  // m = n = 2: U in {0,1,2,2,3,4} over the C(4,2) = 6 arrangements; P(U >= 3) = 2/6.
  EXPECT_DOUBLE_EQ(mann_whitney_u_exact_sf(3, 2, 2), 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(mann_whitney_u_exact_sf(4, 2, 2), 1.0 / 6.0);
  EXPECT_DOUBLE_EQ(mann_whitney_u_exact_sf(0, 2, 2), 1.0);
  // Complete separation of 3 vs 4: 2 * 1/C(7,3).
  EXPECT_DOUBLE_EQ(mann_whitney_u_pvalue(std::vector<double>{5, 6, 7}, std::vector<double>{1, 2, 3, 4}),
                   2.0 / 35.0);
}

TEST(Hypothesis, FisherByHand) {
  // [[3,1],[1,3]]: margins 4/4/4/4, P(a)=C(4,a)C(4,4-a)/70 -> {1,16,36,16,1}/70; two-sided p = 34/70.
  EXPECT_NEAR(fisher_exact_pvalue(3, 1, 1, 3), 34.0 / 70.0, 1e-15);
  EXPECT_DOUBLE_EQ(fisher_exact_pvalue(0, 0, 3, 4), 1.0);  // an empty row: SciPy returns 1
}

TEST(Hypothesis, EmptySamplesAreNaN) {
  const std::vector<double> some = {1.0, 2.0};
  EXPECT_TRUE(std::isnan(mann_whitney_u_pvalue({}, some)));
  EXPECT_TRUE(std::isnan(ks_2samp_pvalue(some, {})));
  EXPECT_TRUE(std::isnan(normal_sf(std::nan(""))));
}

TEST(Hypothesis, KsIdenticalSamplesGiveOne) {
  const std::vector<double> x = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(ks_2samp_pvalue(x, x), 1.0);
}

TEST(Hypothesis, KolmogorovSfIsContinuousAcrossItsTwoSeries) {
  // The small-x and large-x series meet at x = 1; both sides must agree there.
  EXPECT_NEAR(kolmogorov_sf(1.0 - 1e-12), kolmogorov_sf(1.0), 1e-10);
  // scipy.special.kolmogorov
  EXPECT_TRUE(close_rel(kolmogorov_sf(1.0), 0.26999967167735456));
  EXPECT_TRUE(close_rel(kolmogorov_sf(0.5), 0.9639452436648751));
  EXPECT_TRUE(close_rel(kolmogorov_sf(2.0), 0.0006709252557796953));
}

}  // namespace
}  // namespace lc::features
