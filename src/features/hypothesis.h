// The hypothesis tests of tsfresh's FRESH feature selection (tsfresh/feature_selection/significance_tests.py),
// reproducing the SciPy 1.10 functions tsfresh calls, as tsfresh calls them. Each function names the SciPy
// call it reproduces; tests/unit/features/hypothesis_scipy_test.cpp checks them against p-values SciPy wrote
// (tools/gen_pvalue_fixtures.py -> tests/data/features/pvalues.json) to 1e-9 relative.
//
// These run at training time only (per feature, per class); they may allocate. None of them throws or
// prints: inputs outside a test's domain return NaN, as documented per function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace lc::features {

// scipy.stats.norm.sf(z): the upper tail of the standard normal distribution (via erfc, as SciPy's ndtr).
// NaN for NaN; 0 for +inf, 1 for -inf.
double normal_sf(double z);

// The pooled ranks of a sample, as scipy.stats.rankdata(values, method="average") (1-based, ties get the
// mean of their ranks), with the tie information the Mann-Whitney U test needs. NaN values are not allowed
// (the caller removes them); ±inf rank as the extreme values they are.
struct Ranking {
  std::vector<double> ranks;  // in input order
  double tie_term = 0;        // sum over tie groups of (t^3 - t), as scipy's _tie_term
  bool has_ties = false;      // any two values equal (scipy's _tie_check)
};
Ranking rank_average(std::span<const double> values);

// scipy.stats.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided") — exactly how tsfresh calls
// it, i.e. with SciPy 1.10's default method="auto": the EXACT null distribution when min(n1, n2) <= 8 and
// the pooled sample has no ties, otherwise the normal approximation with tie correction and continuity
// correction. Returns the two-sided p-value in [0, 1]; NaN if either sample is empty.
double mann_whitney_u_pvalue(std::span<const double> x, std::span<const double> y);

// The same test from sufficient statistics of the pooled sample (so a feature is ranked once and tested
// against many one-vs-rest targets): `rank_sum_x` is the sum of the pooled average ranks of the n_x
// observations of x; `tie_term` and `has_ties` come from rank_average() of the pooled sample.
// NaN if n_x or n_y is 0.
double mann_whitney_u_pvalue_from_ranks(std::size_t n_x, std::size_t n_y, double rank_sum_x, double tie_term,
                                        bool has_ties);

// P(U >= u) under H0 for samples of sizes m and n without ties: scipy's _MWU.sf (mannwhitneyu's exact
// method). u is clamped to [0, m*n]; NaN if m or n is 0.
double mann_whitney_u_exact_sf(std::int64_t u, std::size_t m, std::size_t n);

// scipy.stats.hypergeom.pmf(k, M, n, N): P(k successes in N draws without replacement from M items of
// which n are successes). 0 outside the support; NaN for inconsistent parameters (n > M or N > M).
double hypergeom_pmf(std::int64_t k, std::int64_t M, std::int64_t n, std::int64_t N);

// scipy.stats.fisher_exact([[a, b], [c, d]], alternative="two-sided").pvalue: the sum of the probabilities
// of all tables with the same margins that are no more likely than the observed one. A row or column of
// zeros gives 1, as SciPy. Tables whose probability equals the observed one to a relative 1e-7 (R's
// fisher.test tolerance; SciPy uses 1e-14 with exact Boost densities) count as "no more likely": this
// keeps mirrored tables of symmetric margins together despite rounding in the pmf recurrence.
double fisher_exact_pvalue(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d);

// scipy.stats.ks_2samp(x, y).pvalue (two-sided, method="auto"). The statistic D = max |F_x - F_y| is found
// exactly in integers (h = D * lcm(n_x, n_y)). p is exact (scipy's _compute_prob_outside_square for
// n_x == n_y, else the Hodges/Viehmann "inside" recursion) when max(n_x, n_y) <= 10000, as SciPy. Above
// that SciPy uses kstwo.sf(D, round(n_x n_y/(n_x+n_y))); this uses the limiting Kolmogorov distribution
// (scipy.special.kolmogorov of sqrt(en) * D), an approximation that differs from SciPy beyond 1e-9 there.
// NaN if either sample is empty.
double ks_2samp_pvalue(std::span<const double> x, std::span<const double> y);

// The p-value part of the above: n_x, n_y sample sizes, h = D * lcm(n_x, n_y) (0 <= h <= lcm).
double ks_2samp_pvalue_from_h(std::uint64_t n_x, std::uint64_t n_y, std::uint64_t h);

// scipy.special.kolmogorov(x): the limiting distribution's survival function 2 sum (-1)^(k-1) exp(-2 k^2 x^2).
double kolmogorov_sf(double x);

}  // namespace lc::features
