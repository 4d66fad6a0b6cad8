// FRESH feature selection as tsfresh 0.21 does it for a classification target
// (tsfresh/feature_selection/relevance.py calculate_relevance_table(ml_task="classification",
// multiclass=True, n_significant=1) + benjamini_hochberg_test.py), over the window feature matrix.
//
// For every class c present in the target (one-vs-rest, target "row is c"):
//   - each feature is typed on its values: constant (one distinct value) -> never tested, never relevant;
//     binary (exactly two) -> Fisher's exact test (two-sided); real -> Mann-Whitney U (tsfresh's default
//     "mann", SciPy's method="auto" semantics) or Kolmogorov-Smirnov ("smir"); see hypothesis.h;
//   - the p-values of all non-constant features go through tsfresh's Benjamini-Yekutieli procedure
//     (hypotheses_independent=False) at the FDR level: sorted p_(1) <= ... <= p_(m), reject while
//     p_(k) <= fdr * k / (m * H_k), H_k = 1 + 1/2 + ... + 1/k, stopping at the first k that fails.
//     NOTE this is tsfresh's procedure, not the textbook one: tsfresh stops at the first failure (step-down)
//     where Benjamini-Yekutieli take the largest k that passes (step-up), and weights with H_k rather than
//     H_m. It is reproduced as is, so a selection matches tsfresh's on the same matrix.
// A feature is selected when it is relevant for at least n_significant classes (1: the union).
//
// Missing values. tsfresh requires an imputed matrix (its impute() replaces NaN by the column median).
// Here a window whose signal had missing data yields NaN for all of that signal's features (extractor), and
// XGBoost treats NaN as missing, so imputing would teach the model a value that never occurs at inference.
// Decision: each feature is typed and tested on its non-NaN rows only. Dropping every feature with any NaN
// instead would drop whole signals as soon as one degraded window is in the training data. A feature with
// no non-NaN row is constant. A feature whose non-NaN rows hold no row of class c, or only rows of class c,
// cannot be tested for c: it gets p = 1 for c (it still counts in that class's m, as NaN p-values do in
// tsfresh). ±inf are values like any other (ranks handle them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "util/expected.h"

namespace lc::features {

enum class RealFeatureTest {
  MannWhitney,        // tsfresh "mann" (default): scipy.stats.mannwhitneyu
  KolmogorovSmirnov,  // tsfresh "smir": scipy.stats.ks_2samp
};

struct SelectOptions {
  double fdr_level = 0.05;               // tsfresh defaults.FDR_LEVEL
  bool hypotheses_independent = false;   // false: Benjamini-Yekutieli weights (tsfresh default)
  RealFeatureTest real_test = RealFeatureTest::MannWhitney;
  std::size_t n_significant = 1;         // classes a feature must be relevant for
};

enum class FeatureType : std::uint8_t { Constant, Binary, Real };

// tsfresh's relevance table, multiclass form.
struct RelevanceTable {
  std::vector<int> classes;                    // class ids tested, ascending
  std::vector<FeatureType> types;              // per feature
  std::vector<std::vector<double>> p_values;   // [class][feature]; NaN for constant features
  std::vector<std::vector<std::uint8_t>> relevant_per_class;  // [class][feature], 0/1
  std::vector<std::uint32_t> n_significant;    // per feature: classes it is relevant for
  std::vector<std::uint8_t> relevant;          // per feature: n_significant >= options.n_significant
  // Per feature: the largest one-vs-rest effect over the classes, |2 AUC - 1| (AUC = P(x_in > x_out) + half
  // the ties, the Mann-Whitney U over n_in n_out); 0 for constant features. Unlike a p-value it does not
  // underflow, so it still ranks features whose p-values are all 0 (on tens of thousands of windows most of
  // the relevant ones are).
  std::vector<double> effect;
};

// tsfresh's benjamini_hochberg_test: which hypotheses are rejected (1) given their p-values (any order).
// `independent` true uses c(k) = 1 (Benjamini-Hochberg weights), false c(k) = H_k (Benjamini-Yekutieli).
// NaN p-values sort last and are never rejected (nor is anything after them). Empty input -> empty output.
std::vector<std::uint8_t> benjamini_hochberg_tsfresh(std::span<const double> p_values, double fdr_level,
                                                     bool independent);

// The relevance table of a row-major matrix `x` (n_rows windows x n_features features, NaN allowed) against
// class ids `y` (one per row). BadInput if x.size() != n_rows * n_features, y.size() != n_rows, fewer than
// two distinct classes, fdr_level outside (0, 1], or n_significant == 0.
Expected<RelevanceTable> calculate_relevance_table(std::span<const double> x, std::size_t n_rows,
                                                   std::size_t n_features, std::span<const int> y,
                                                   const SelectOptions& options = {});

// The relevant features, most relevant first, at most `max_features` of them (0: all): by smallest p-value
// over the classes, then by largest effect (ties in p are the rule, not the exception, once p underflows),
// then by column index.
std::vector<std::size_t> rank_relevant(const RelevanceTable& table, std::size_t max_features);

// The selected feature columns, ascending (i.e. FeatureSpace order when the columns are a FeatureSpace).
// Errors as calculate_relevance_table().
Expected<std::vector<std::size_t>> select_relevant_features(std::span<const double> x, std::size_t n_rows,
                                                            std::size_t n_features, std::span<const int> y,
                                                            const SelectOptions& options = {});

// Same, returning names: `names` labels the columns (e.g. FeatureSpace::names()); BadInput if
// names.size() != n_features.
Expected<std::vector<std::string>> select_relevant_feature_names(std::span<const double> x, std::size_t n_rows,
                                                                 std::span<const std::string> names,
                                                                 std::span<const int> y,
                                                                 const SelectOptions& options = {});

}  // namespace lc::features
