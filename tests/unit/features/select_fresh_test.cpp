// FRESH selection: tsfresh's Benjamini-Yekutieli on hand-made p-values, the whole relevance table against a
// line-by-line Python port of tsfresh (tests/data/features/pvalues.json, "relevance"), and selection on
// synthetic data with a fixed, printed seed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "features/select.h"

namespace lc::features {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Standard normal draws from mt19937_64 by Box-Muller: the engine's output is fixed by the standard, so the
// data are the same with every standard library (std::normal_distribution is not).
class Gauss {
 public:
  explicit Gauss(std::uint64_t seed) : m_rng(seed) {}
  double operator()() {
    const double u1 = (static_cast<double>(m_rng() >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = (static_cast<double>(m_rng() >> 11) + 0.5) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  std::uint64_t next() { return m_rng(); }

 private:
  std::mt19937_64 m_rng;
};

// ------------------------------------------------------------------------------------------------------
// Benjamini-Yekutieli as tsfresh does it.

TEST(SelectBY, HandMadeCase) {
  // m = 5, fdr 0.05, thresholds fdr * k / (m * H_k):
  //   k=1: 0.01            k=2: 0.02/1.5 = 0.013333   k=3: 0.03/1.833333 = 0.016364
  //   k=4: 0.04/2.083333 = 0.0192   k=5: 0.05/2.283333 = 0.021898
  // Sorted p: 0.001 (pass), 0.013 (pass), 0.017 (FAIL at k=3, 0.017 > 0.016364), 0.018, 0.5.
  // tsfresh stops at the first failure: only the first two are rejected, although 0.018 <= T_4 = 0.0192
  // (a textbook step-up procedure would reject four).
  const std::vector<double> p = {0.5, 0.017, 0.001, 0.018, 0.013};
  EXPECT_EQ(benjamini_hochberg_tsfresh(p, 0.05, false), (std::vector<std::uint8_t>{0, 0, 1, 0, 1}));
  // Independent hypotheses (c(k) = 1): thresholds 0.01 k; 0.001, 0.013 <= 0.02, 0.017 <= 0.03, 0.018 <= 0.04.
  EXPECT_EQ(benjamini_hochberg_tsfresh(p, 0.05, true), (std::vector<std::uint8_t>{0, 1, 1, 1, 1}));
}

TEST(SelectBY, BoundaryIsInclusiveAndNaNStops) {
  // k=1 threshold with m=2 is 0.05 * 1/2 = 0.025; equal passes (p <= T).
  EXPECT_EQ(benjamini_hochberg_tsfresh(std::vector<double>{0.025, 0.9}, 0.05, false),
            (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(benjamini_hochberg_tsfresh(std::vector<double>{kNaN, 0.0}, 0.05, false),
            (std::vector<std::uint8_t>{0, 1}));
  EXPECT_TRUE(benjamini_hochberg_tsfresh(std::vector<double>{}, 0.05, false).empty());
}

// ------------------------------------------------------------------------------------------------------
// The relevance table against the Python port of tsfresh.

const nlohmann::json& relevance_fixture() {
  static const nlohmann::json kFixture = [] {
    std::ifstream in(std::string(LC_TEST_DATA_DIR) + "/features/pvalues.json");
    nlohmann::json j;
    if (in) j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    return j.is_object() && j.contains("relevance") ? j["relevance"] : nlohmann::json();
  }();
  return kFixture;
}

void check_against_tsfresh_port(const std::string& test_name, RealFeatureTest test) {
  const auto& fx = relevance_fixture();
  ASSERT_TRUE(fx.is_object()) << "no relevance case in pvalues.json";
  const auto x = fx["x"].get<std::vector<double>>();
  const auto y = fx["y"].get<std::vector<int>>();
  const auto n_rows = fx["n_rows"].get<std::size_t>();
  const auto n_features = fx["n_features"].get<std::size_t>();
  const auto& want = fx[test_name];
  SelectOptions options;
  options.real_test = test;
  const auto table = calculate_relevance_table(x, n_rows, n_features, y, options);
  ASSERT_TRUE(table.has_value()) << table.error().message;
  for (std::size_t f = 0; f < n_features; ++f) {
    const std::string type = want["types"][f];
    const auto got_type = table->types[f];
    EXPECT_EQ(type, got_type == FeatureType::Constant ? "constant" : got_type == FeatureType::Binary ? "binary" : "real")
        << "feature " << f;
    EXPECT_EQ(static_cast<bool>(table->relevant[f]), want["relevant"][f].get<bool>()) << "feature " << f;
  }
  for (std::size_t k = 0; k < table->classes.size(); ++k) {
    const auto& want_p = want["p_values"][std::to_string(table->classes[k])];
    const auto& want_rel = want["relevant_per_class"][std::to_string(table->classes[k])];
    for (std::size_t f = 0; f < n_features; ++f) {
      EXPECT_EQ(static_cast<bool>(table->relevant_per_class[k][f]), want_rel[f].get<bool>())
          << "class " << table->classes[k] << " feature " << f;
      if (want_p[f].is_null()) {
        EXPECT_TRUE(std::isnan(table->p_values[k][f]));
      } else {
        const double w = want_p[f].get<double>();
        EXPECT_NEAR(table->p_values[k][f], w, 1e-9 * w + 1e-300) << "class " << table->classes[k] << " feature " << f;
      }
    }
  }
}

TEST(SelectRelevance, MatchesTsfreshPortWithMannWhitney) {
  check_against_tsfresh_port("mann", RealFeatureTest::MannWhitney);
}

TEST(SelectRelevance, MatchesTsfreshPortWithKolmogorovSmirnov) {
  check_against_tsfresh_port("smir", RealFeatureTest::KolmogorovSmirnov);
}

// ------------------------------------------------------------------------------------------------------
// Synthetic data: one feature separates the classes, the rest are noise.

struct Synthetic {
  std::size_t n_rows = 0;
  std::size_t n_features = 0;
  std::vector<double> x;
  std::vector<int> y;
};

// Column 0 (and `second_relevant` if nonzero): class id + N(0, 0.5); the other columns N(0, 1) noise.
// Classes cycle 0..n_classes-1 in a shuffled order.
Synthetic make_synthetic(std::uint64_t seed, std::size_t n_rows, std::size_t n_features, int n_classes,
                         std::size_t second_relevant = 0) {
  Gauss g(seed);
  Synthetic s;
  s.n_rows = n_rows;
  s.n_features = n_features;
  s.y.resize(n_rows);
  for (std::size_t r = 0; r < n_rows; ++r) s.y[r] = static_cast<int>(r % static_cast<std::size_t>(n_classes));
  for (std::size_t r = n_rows; r > 1; --r) std::swap(s.y[r - 1], s.y[g.next() % r]);
  s.x.resize(n_rows * n_features);
  for (std::size_t r = 0; r < n_rows; ++r) {
    s.x[r * n_features] = s.y[r] + 0.5 * g();
    for (std::size_t f = 1; f < n_features; ++f) s.x[r * n_features + f] = g();
    if (second_relevant != 0) s.x[r * n_features + second_relevant] = s.y[r] + 0.5 * g();
  }
  return s;
}

TEST(SelectSynthetic, FindsTheSeparatingFeatureAndNoNoise) {
  const std::uint64_t seed = 0x5e1ec7;
  std::printf("SelectSynthetic seed: %llu\n", static_cast<unsigned long long>(seed));
  // 150 features so the selection's column blocks (64 wide) are crossed; column 70 also separates.
  const Synthetic s = make_synthetic(seed, 300, 150, 3, 70);
  const auto selected = select_relevant_features(s.x, s.n_rows, s.n_features, s.y);
  ASSERT_TRUE(selected.has_value()) << selected.error().message;
  EXPECT_EQ(*selected, (std::vector<std::size_t>{0, 70})) << "seed " << seed;
}

TEST(SelectSynthetic, KolmogorovSmirnovAlsoFindsIt) {
  const std::uint64_t seed = 0x5e1ec7 + 1;
  std::printf("SelectSynthetic KS seed: %llu\n", static_cast<unsigned long long>(seed));
  const Synthetic s = make_synthetic(seed, 240, 25, 4);
  SelectOptions options;
  options.real_test = RealFeatureTest::KolmogorovSmirnov;
  const auto selected = select_relevant_features(s.x, s.n_rows, s.n_features, s.y, options);
  ASSERT_TRUE(selected.has_value()) << selected.error().message;
  EXPECT_EQ(*selected, std::vector<std::size_t>{0}) << "seed " << seed;
}

TEST(SelectSynthetic, NamesComeBackInColumnOrder) {
  const std::uint64_t seed = 77;
  std::printf("SelectSynthetic names seed: %llu\n", static_cast<unsigned long long>(seed));
  Synthetic s = make_synthetic(seed, 200, 6, 2);
  // Make column 4 a copy of column 0 (also relevant); names must come back as {f0, f4}.
  for (std::size_t r = 0; r < s.n_rows; ++r) s.x[r * 6 + 4] = s.x[r * 6];
  const std::vector<std::string> names = {"a__mean", "a__max", "b__mean", "b__max", "c__mean", "c__max"};
  const auto selected = select_relevant_feature_names(s.x, s.n_rows, names, s.y);
  ASSERT_TRUE(selected.has_value()) << selected.error().message;
  EXPECT_EQ(*selected, (std::vector<std::string>{"a__mean", "c__mean"}));
}

// ------------------------------------------------------------------------------------------------------
// Missing values and constants.

TEST(SelectMissing, FeaturesAreTestedOnTheirNonNaNRows) {
  const std::uint64_t seed = 4242;
  std::printf("SelectMissing seed: %llu\n", static_cast<unsigned long long>(seed));
  Synthetic s = make_synthetic(seed, 300, 5, 3);
  // A degraded window every 5th row: the separating feature is NaN there and must still be selected.
  for (std::size_t r = 0; r < s.n_rows; r += 5) s.x[r * s.n_features] = kNaN;
  // Column 1 entirely missing: constant (no values), never tested.
  for (std::size_t r = 0; r < s.n_rows; ++r) s.x[r * s.n_features + 1] = kNaN;
  // Column 2: present only on class-0 rows, where it equals the row's noise: class 0 is untestable (p = 1).
  for (std::size_t r = 0; r < s.n_rows; ++r) {
    if (s.y[r] != 0) s.x[r * s.n_features + 2] = kNaN;
  }
  const auto table = calculate_relevance_table(s.x, s.n_rows, s.n_features, s.y);
  ASSERT_TRUE(table.has_value()) << table.error().message;
  EXPECT_TRUE(table->relevant[0]);
  EXPECT_EQ(table->types[1], FeatureType::Constant);
  EXPECT_TRUE(std::isnan(table->p_values[0][1]));
  EXPECT_FALSE(table->relevant[1]);
  EXPECT_EQ(table->types[2], FeatureType::Real);
  EXPECT_EQ(table->p_values[0][2], 1.0);  // class 0 vs nobody
  EXPECT_FALSE(table->relevant[2]);
}

TEST(SelectMissing, ConstantAndBinaryTyping) {
  // 8 rows, two classes. col0 constant, col1 binary and equal to the class, col2 real.
  const std::vector<int> y = {0, 0, 0, 0, 1, 1, 1, 1};
  std::vector<double> x;
  for (std::size_t r = 0; r < 8; ++r) {
    x.push_back(2.0);
    x.push_back(y[r] == 1 ? 5.0 : -5.0);
    x.push_back(static_cast<double>(r));
  }
  const auto table = calculate_relevance_table(x, 8, 3, y);
  ASSERT_TRUE(table.has_value()) << table.error().message;
  EXPECT_EQ(table->types, (std::vector<FeatureType>{FeatureType::Constant, FeatureType::Binary, FeatureType::Real}));
  // Fisher on [[4,0],[0,4]]: 2 / C(8,4) = 2/70.
  EXPECT_NEAR(table->p_values[0][1], 2.0 / 70.0, 1e-15);
  EXPECT_NEAR(table->p_values[1][1], 2.0 / 70.0, 1e-15);
  // Mann-Whitney exact (4 vs 4, no ties, separated): 2 / 70.
  EXPECT_NEAR(table->p_values[0][2], 2.0 / 70.0, 1e-15);
}

// ------------------------------------------------------------------------------------------------------
// Ranking when p-values underflow: on tens of thousands of windows most relevant features get p = 0, and a
// ranking by p alone falls back to column order (the shipped model once took 186 of its 200 features from the
// first signal that way). The effect size must rank them.

TEST(SelectRanking, EffectSizeRanksFeaturesWhosePValuesUnderflow) {
  // 40,000 rows, two classes. Column 0: a weak but certain separation (shift 0.5 sd); column 1: a strong one
  // (shift 3 sd); column 2: perfect separation; column 3: noise. p underflows to 0 for columns 0-2.
  constexpr std::size_t n = 40000, nf = 4;
  Gauss g(424242);
  std::vector<double> x(n * nf);
  std::vector<int> y(n);
  for (std::size_t r = 0; r < n; ++r) {
    y[r] = static_cast<int>(r % 2);
    const double cls = y[r];
    x[r * nf + 0] = g() + 0.5 * cls;
    x[r * nf + 1] = g() + 3.0 * cls;
    x[r * nf + 2] = cls * 100.0 + g();
    x[r * nf + 3] = g();
  }
  const auto table = calculate_relevance_table(x, n, nf, y).value();
  for (std::size_t f = 0; f < 3; ++f) {
    ASSERT_TRUE(table.relevant[f]) << f;
    ASSERT_EQ(std::min(table.p_values[0][f], table.p_values[1][f]), 0.0) << "column " << f << ": the test needs p to underflow";
  }
  EXPECT_NEAR(table.effect[2], 1.0, 1e-12);
  EXPECT_GT(table.effect[1], 0.9);
  EXPECT_LT(table.effect[0], 0.4);
  EXPECT_GT(table.effect[0], 0.2);
  EXPECT_LT(table.effect[3], 0.05);
  EXPECT_EQ(rank_relevant(table, 0), (std::vector<std::size_t>{2, 1, 0}));
  EXPECT_EQ(rank_relevant(table, 2), (std::vector<std::size_t>{2, 1}));
}

TEST(SelectRanking, PValueFirstThenEffectThenColumn) {
  RelevanceTable t;
  t.classes = {0, 1};
  t.p_values = {{1e-5, 0.0, 0.0, 1e-9, 0.0}, {0.5, 0.2, kNaN, 0.3, 0.0}};
  t.relevant = {1, 1, 1, 1, 0};
  t.effect = {0.9, 0.3, 0.3, 0.1, 1.0};
  // p: col 1 = 0, col 2 = 0 (tie: same effect, column order), col 3 = 1e-9, col 0 = 1e-5; col 4 not relevant.
  EXPECT_EQ(rank_relevant(t, 0), (std::vector<std::size_t>{1, 2, 3, 0}));
  t.effect[2] = 0.4;
  EXPECT_EQ(rank_relevant(t, 3), (std::vector<std::size_t>{2, 1, 3}));
}

TEST(SelectRanking, EffectCountsTiesAsHalf) {
  // A binary feature: class 1 has value 1 in 3 of 4 rows, class 0 in 1 of 4. AUC = P(in > out) + 0.5 P(tie)
  // = 9/16 + 0.5 * 6/16 = 0.75, so |2 AUC - 1| = 0.5 for both one-vs-rest classes.
  const std::vector<double> x{1, 1, 1, 0, 1, 0, 0, 0};
  const std::vector<int> y{1, 1, 1, 1, 0, 0, 0, 0};
  const auto table = calculate_relevance_table(x, 8, 1, y).value();
  EXPECT_DOUBLE_EQ(table.effect[0], 0.5);
}

TEST(SelectErrors, BadShapesAndOptionsAreBadInput) {
  const std::vector<double> x = {1, 2, 3, 4};
  const std::vector<int> y = {0, 1};
  EXPECT_FALSE(calculate_relevance_table(x, 2, 3, y).has_value());  // 4 != 2 x 3
  EXPECT_FALSE(calculate_relevance_table(x, 4, 1, y).has_value());  // 2 class ids for 4 rows
  const auto one_class = calculate_relevance_table(x, 2, 2, std::vector<int>{1, 1});
  ASSERT_FALSE(one_class.has_value());
  EXPECT_EQ(one_class.error().kind, ErrorKind::BadInput);
  EXPECT_NE(one_class.error().message.find("two"), std::string::npos);
  SelectOptions bad;
  bad.fdr_level = 0;
  EXPECT_FALSE(calculate_relevance_table(x, 2, 2, y, bad).has_value());
  const std::vector<std::string> names = {"only_one"};
  EXPECT_FALSE(select_relevant_feature_names(x, 2, names, y).has_value());
}

}  // namespace
}  // namespace lc::features
