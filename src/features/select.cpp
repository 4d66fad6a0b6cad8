#include "features/select.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "features/hypothesis.h"

namespace lc::features {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One feature column restricted to its non-NaN rows, with what every one-vs-rest test needs, computed once.
struct Column {
  std::vector<std::size_t> rows;    // row index of each kept value
  std::vector<double> values;
  FeatureType type = FeatureType::Constant;
  // Mann-Whitney: pooled average ranks of `values`.
  Ranking ranking;
  // Kolmogorov-Smirnov: positions of `values` in ascending order, and where each run of equal values ends.
  std::vector<std::size_t> order;
  std::vector<std::uint8_t> group_end;  // per sorted position: 1 if the next value differs (or last)
  // Binary: the larger of the two values.
  double high = 0;
};

// `raw`: the feature's value in every row (NaN where missing).
void load_column(std::span<const double> raw, const SelectOptions& options, Column& col) {
  col.rows.clear();
  col.values.clear();
  for (std::size_t r = 0; r < raw.size(); ++r) {
    const double v = raw[r];
    if (std::isnan(v)) continue;
    col.rows.push_back(r);
    col.values.push_back(v);
  }
  col.order.resize(col.values.size());
  std::iota(col.order.begin(), col.order.end(), std::size_t{0});
  std::sort(col.order.begin(), col.order.end(),
            [&](std::size_t a, std::size_t b) { return col.values[a] < col.values[b]; });
  std::size_t distinct = 0;
  col.group_end.assign(col.values.size(), 0);
  for (std::size_t i = 0; i < col.order.size(); ++i) {
    if (i == 0 || col.values[col.order[i]] != col.values[col.order[i - 1]]) ++distinct;
    if (i + 1 == col.order.size() || col.values[col.order[i + 1]] != col.values[col.order[i]]) col.group_end[i] = 1;
  }
  // tsfresh get_feature_type: 1 distinct value constant, 2 binary, more real.
  col.type = distinct <= 1 ? FeatureType::Constant : distinct == 2 ? FeatureType::Binary : FeatureType::Real;
  if (col.type == FeatureType::Binary) col.high = col.values[col.order.back()];
  if (col.type == FeatureType::Real && options.real_test == RealFeatureTest::MannWhitney) {
    col.ranking = rank_average(col.values);
  }
}

// p-value of one feature for the target "row is class c" (tsfresh target_binary_feature_*_test).
double p_value_for_class(const Column& col, std::span<const int> y, int c, const SelectOptions& options) {
  std::size_t n_in = 0;
  for (std::size_t r : col.rows) n_in += y[r] == c ? 1 : 0;
  const std::size_t n_out = col.rows.size() - n_in;
  if (n_in == 0 || n_out == 0) return 1.0;  // untestable for this class (see select.h)

  if (col.type == FeatureType::Binary) {
    // tsfresh's table [[y1 & x1, y1 & x0], [y0 & x1, y0 & x0]] with x1 the larger value, y1 "is class c".
    std::uint64_t in_high = 0;
    std::uint64_t out_high = 0;
    for (std::size_t i = 0; i < col.rows.size(); ++i) {
      if (col.values[i] != col.high) continue;
      if (y[col.rows[i]] == c) {
        ++in_high;
      } else {
        ++out_high;
      }
    }
    return fisher_exact_pvalue(in_high, n_in - in_high, out_high, n_out - out_high);
  }
  if (options.real_test == RealFeatureTest::MannWhitney) {
    // mannwhitneyu(x[y == c], x[y != c]); the pooled ranks do not depend on c.
    double rank_sum = 0;
    for (std::size_t i = 0; i < col.rows.size(); ++i) {
      if (y[col.rows[i]] == c) rank_sum += col.ranking.ranks[i];
    }
    return mann_whitney_u_pvalue_from_ranks(n_in, n_out, rank_sum, col.ranking.tie_term, col.ranking.has_ties);
  }
  // ks_2samp(x[y == c], x[y != c]): max |F_in - F_out| over the distinct values, in units of 1/lcm.
  const std::uint64_t g = std::gcd(n_in, n_out);
  const auto w_in = static_cast<std::int64_t>(n_out / g);
  const auto w_out = static_cast<std::int64_t>(n_in / g);
  std::int64_t seen_in = 0;
  std::int64_t seen_out = 0;
  std::int64_t h = 0;
  for (std::size_t k = 0; k < col.order.size(); ++k) {
    if (y[col.rows[col.order[k]]] == c) {
      ++seen_in;
    } else {
      ++seen_out;
    }
    if (!col.group_end[k]) continue;
    const std::int64_t diff = seen_in * w_in - seen_out * w_out;
    h = std::max(h, diff < 0 ? -diff : diff);
  }
  return ks_2samp_pvalue_from_h(n_in, n_out, static_cast<std::uint64_t>(h));
}

// |2 AUC - 1| of the column for "row is class c", from the sorted order: each run of equal values adds, for
// its in-class rows, the out-of-class rows below it plus half the out-of-class rows tied with it.
double effect_for_class(const Column& col, std::span<const int> y, int c) {
  double u = 0;
  std::uint64_t out_below = 0, n_in = 0, n_out = 0, run_in = 0, run_out = 0;
  for (std::size_t k = 0; k < col.order.size(); ++k) {
    if (y[col.rows[col.order[k]]] == c) {
      ++run_in;
    } else {
      ++run_out;
    }
    if (!col.group_end[k]) continue;
    u += static_cast<double>(run_in) * (static_cast<double>(out_below) + 0.5 * static_cast<double>(run_out));
    out_below += run_out;
    n_in += run_in;
    n_out += run_out;
    run_in = run_out = 0;
  }
  if (n_in == 0 || n_out == 0) return 0.0;
  return std::fabs(2.0 * u / (static_cast<double>(n_in) * static_cast<double>(n_out)) - 1.0);
}

Status check_inputs(std::span<const double> x, std::size_t n_rows, std::size_t n_features, std::span<const int> y,
                    const SelectOptions& options) {
  if (x.size() != n_rows * n_features) {
    return Error::bad_input("feature selection: matrix has " + std::to_string(x.size()) + " values, expected " +
                            std::to_string(n_rows) + " rows x " + std::to_string(n_features) + " features");
  }
  if (y.size() != n_rows) {
    return Error::bad_input("feature selection: " + std::to_string(y.size()) + " class ids for " +
                            std::to_string(n_rows) + " rows");
  }
  if (!(options.fdr_level > 0 && options.fdr_level <= 1)) {
    return Error::bad_input("feature selection: fdr_level " + std::to_string(options.fdr_level) +
                            " is outside (0, 1]");
  }
  if (options.n_significant == 0) return Error::bad_input("feature selection: n_significant must be >= 1");
  return ok();
}

}  // namespace

std::vector<std::uint8_t> benjamini_hochberg_tsfresh(std::span<const double> p_values, double fdr_level,
                                                     bool independent) {
  const std::size_t m = p_values.size();
  std::vector<std::uint8_t> rejected(m, 0);
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // pandas sort_values puts NaN last; ties in p do not change the outcome (the thresholds increase with k).
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const bool na = std::isnan(p_values[a]);
    const bool nb = std::isnan(p_values[b]);
    if (na != nb) return nb;
    return !na && p_values[a] < p_values[b];
  });
  double harmonic = 0;  // H_k
  for (std::size_t k = 1; k <= m; ++k) {
    harmonic += 1.0 / static_cast<double>(k);
    const double c = independent ? 1.0 : harmonic;
    const double threshold = fdr_level * static_cast<double>(k) / static_cast<double>(m) * 1.0 / c;
    const double p = p_values[order[k - 1]];
    if (!(p <= threshold)) break;  // tsfresh: everything before the first failure is rejected
    rejected[order[k - 1]] = 1;
  }
  return rejected;
}

Expected<RelevanceTable> calculate_relevance_table(std::span<const double> x, std::size_t n_rows,
                                                   std::size_t n_features, std::span<const int> y,
                                                   const SelectOptions& options) {
  LC_TRY_STATUS(check_inputs(x, n_rows, n_features, y, options));
  RelevanceTable table;
  table.classes.assign(y.begin(), y.end());
  std::sort(table.classes.begin(), table.classes.end());
  table.classes.erase(std::unique(table.classes.begin(), table.classes.end()), table.classes.end());
  if (table.classes.size() < 2) {
    return Error::bad_input("feature selection: the target has " + std::to_string(table.classes.size()) +
                            " distinct class(es); at least two are needed");
  }
  const std::size_t n_classes = table.classes.size();
  table.types.assign(n_features, FeatureType::Constant);
  table.p_values.assign(n_classes, std::vector<double>(n_features, kNaN));
  table.relevant_per_class.assign(n_classes, std::vector<std::uint8_t>(n_features, 0));
  table.effect.assign(n_features, 0.0);

  // The matrix is row-major; columns are gathered a block at a time so each row's cache lines are read once
  // per block rather than once per feature.
  constexpr std::size_t kBlock = 64;
  std::vector<double> block(kBlock * n_rows);
  Column col;
  for (std::size_t f = 0; f < n_features; ++f) {
    const std::size_t b = f % kBlock;
    if (b == 0) {
      const std::size_t width = std::min(kBlock, n_features - f);
      for (std::size_t r = 0; r < n_rows; ++r) {
        for (std::size_t k = 0; k < width; ++k) block[k * n_rows + r] = x[r * n_features + f + k];
      }
    }
    load_column(std::span<const double>(block).subspan(b * n_rows, n_rows), options, col);
    table.types[f] = col.type;
    if (col.type == FeatureType::Constant) continue;
    for (std::size_t k = 0; k < n_classes; ++k) {
      table.p_values[k][f] = p_value_for_class(col, y, table.classes[k], options);
      table.effect[f] = std::max(table.effect[f], effect_for_class(col, y, table.classes[k]));
    }
  }

  // Per class, BY over the non-constant features only (tsfresh tests constants separately, never relevant).
  std::vector<std::size_t> tested;
  for (std::size_t f = 0; f < n_features; ++f) {
    if (table.types[f] != FeatureType::Constant) tested.push_back(f);
  }
  std::vector<double> p(tested.size());
  for (std::size_t k = 0; k < n_classes; ++k) {
    for (std::size_t i = 0; i < tested.size(); ++i) p[i] = table.p_values[k][tested[i]];
    const auto rejected = benjamini_hochberg_tsfresh(p, options.fdr_level, options.hypotheses_independent);
    for (std::size_t i = 0; i < tested.size(); ++i) table.relevant_per_class[k][tested[i]] = rejected[i];
  }
  table.n_significant.assign(n_features, 0);
  table.relevant.assign(n_features, 0);
  for (std::size_t f = 0; f < n_features; ++f) {
    for (std::size_t k = 0; k < n_classes; ++k) table.n_significant[f] += table.relevant_per_class[k][f];
    table.relevant[f] = table.n_significant[f] >= options.n_significant ? 1 : 0;
  }
  return table;
}

std::vector<std::size_t> rank_relevant(const RelevanceTable& table, std::size_t max_features) {
  struct Ranked {
    double p;
    double effect;
    std::size_t f;
  };
  std::vector<Ranked> ranked;
  for (std::size_t f = 0; f < table.relevant.size(); ++f) {
    if (!table.relevant[f]) continue;
    double best = 1.0;
    for (const auto& pc : table.p_values)
      if (!std::isnan(pc[f])) best = std::min(best, pc[f]);
    ranked.push_back({best, table.effect.empty() ? 0.0 : table.effect[f], f});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.p != b.p) return a.p < b.p;
    if (a.effect != b.effect) return a.effect > b.effect;
    return a.f < b.f;
  });
  if (max_features > 0 && ranked.size() > max_features) ranked.resize(max_features);
  std::vector<std::size_t> out;
  for (const auto& r : ranked) out.push_back(r.f);
  return out;
}

Expected<std::vector<std::size_t>> select_relevant_features(std::span<const double> x, std::size_t n_rows,
                                                            std::size_t n_features, std::span<const int> y,
                                                            const SelectOptions& options) {
  LC_TRY(table, calculate_relevance_table(x, n_rows, n_features, y, options));
  std::vector<std::size_t> selected;
  for (std::size_t f = 0; f < n_features; ++f) {
    if (table.relevant[f]) selected.push_back(f);
  }
  return selected;
}

Expected<std::vector<std::string>> select_relevant_feature_names(std::span<const double> x, std::size_t n_rows,
                                                                 std::span<const std::string> names,
                                                                 std::span<const int> y,
                                                                 const SelectOptions& options) {
  const std::size_t n_features = names.size();
  if (n_rows > 0 && x.size() != n_rows * n_features) {
    return Error::bad_input("feature selection: " + std::to_string(names.size()) + " feature names for a matrix of " +
                            std::to_string(x.size()) + " values and " + std::to_string(n_rows) + " rows");
  }
  LC_TRY(indices, select_relevant_features(x, n_rows, n_features, y, options));
  std::vector<std::string> selected;
  selected.reserve(indices.size());
  for (std::size_t f : indices) selected.push_back(names[f]);
  return selected;
}

}  // namespace lc::features
