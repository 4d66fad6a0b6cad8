// Differential tests of the basic calculators' fast paths against plain oracles written the way tsfresh
// and numpy state them, on random inputs with a fixed, printed seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <random>
#include <set>
#include <string_view>
#include <vector>

#include "features/basic_calculators.h"
#include "features/calculator.h"
#include "features/workspace.h"

namespace lc::features {
namespace {

constexpr std::uint64_t kSeed = 7340021;

// np.format_float_scientific(v)[0]: the first character of the shortest round-trip decimal.
int oracle_first_digit(double v) {
  char buf[32];
  std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  return buf[0] - '0';
}

TEST(BasicOracle, FirstDigitEqualsShortestDecimal) {
  std::cout << "[ seed     ] " << kSeed << '\n';
  std::mt19937_64 rng(kSeed);
  // Decimals that are not doubles sit next to a digit boundary: 0.3 is 0.29999999999999998890 and prints
  // "3e-01"; 1e23 is 9.999999999999999161e22 and prints "1e+23". Scaled sensor readings look like these.
  std::vector<double> values = {0.3,
                                0.7,
                                1e23,
                                3e-5,
                                0.1,
                                9.95,
                                1.0,
                                9.0,
                                5e-324,
                                1.7976931348623157e308,
                                2.2250738585072014e-308,
                                0.05 * 7,
                                0.125 * 3,
                                65.35,
                                1e-300,
                                9.999999999999999e299};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> exponent(-320, 307);
  std::uniform_int_distribution<int> digits(1, 99999);
  for (int i = 0; i < 200000; ++i) {
    values.push_back(unit(rng) * std::pow(10.0, exponent(rng)));
    // Short decimals (k * 10^e) and their neighbours, where rounding up to the next digit can happen.
    const double d = static_cast<double>(digits(rng)) * std::pow(10.0, exponent(rng) % 30);
    values.push_back(d);
    values.push_back(std::nextafter(d, 0.0));
    values.push_back(std::nextafter(d, 1e308));
  }
  std::size_t mismatches = 0;
  for (const double v : values) {
    if (!(v > 0.0) || std::isinf(v)) continue;
    const int want = oracle_first_digit(v);
    const int got = basic::first_digit(v);
    if (got != want && ++mismatches <= 10) ADD_FAILURE() << "first digit of " << v << ": " << got << " vs " << want;
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(basic::first_digit(0.0), 0);
}

// tsfresh's lempel_ziv_complexity, written out as in tsfresh (a set of tuples, grown substring).
double oracle_lempel_ziv(const std::vector<double>& x, std::size_t bins) {
  const double lo = *std::min_element(x.begin(), x.end());
  const double hi = *std::max_element(x.begin(), x.end());
  // np.linspace(lo, hi, bins + 1)[1:]
  std::vector<double> edges;
  const double step = (hi - lo) / static_cast<double>(bins);
  for (std::size_t i = 1; i <= bins; ++i) {
    edges.push_back(i == bins     ? hi
                    : step == 0.0 ? static_cast<double>(i) / static_cast<double>(bins) * (hi - lo) + lo
                                  : static_cast<double>(i) * step + lo);
  }
  std::vector<int> seq;
  for (const double v : x)
    seq.push_back(static_cast<int>(std::lower_bound(edges.begin(), edges.end(), v) - edges.begin()));
  std::set<std::vector<int>> sub_strings;
  std::size_t ind = 0;
  std::size_t inc = 1;
  while (ind + inc <= seq.size()) {
    std::vector<int> sub(seq.begin() + static_cast<long>(ind), seq.begin() + static_cast<long>(ind + inc));
    if (sub_strings.count(sub) != 0) {
      ++inc;
    } else {
      sub_strings.insert(sub);
      ind += inc;
      inc = 1;
    }
  }
  return static_cast<double>(sub_strings.size()) / static_cast<double>(x.size());
}

const Calculator& basic_calculator(std::string_view name) {
  for (const auto& c : basic_calculators()) {
    if (c.name == name) return c;
  }
  std::abort();
}

TEST(BasicOracle, LempelZivTrieEqualsPhraseSet) {
  std::cout << "[ seed     ] " << kSeed << '\n';
  std::mt19937_64 rng(kSeed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<int> few(0, 3);
  const Calculator& lz = basic_calculator("lempel_ziv_complexity");
  constexpr std::size_t kBins[] = {2, 3, 5, 10, 100};
  for (int trial = 0; trial < 400; ++trial) {
    const std::size_t n = 1 + static_cast<std::size_t>(trial % 80) * (trial % 7 == 0 ? 4 : 1);
    std::vector<double> x(n);
    for (auto& v : x) v = trial % 2 == 0 ? normal(rng) : few(rng);  // continuous, then heavily tied
    Workspace ws(n);
    double out[5];
    lz.fn(x, ws, out);
    for (std::size_t k = 0; k < 5; ++k) {
      EXPECT_EQ(out[k], oracle_lempel_ziv(x, kBins[k])) << "trial " << trial << ", n " << n << ", bins " << kBins[k];
    }
  }
}

// permutation_entropy's Lehmer codes against argsort(argsort(window)) with position tie-breaking and a
// set of patterns, for long series where the counting table is used and short ones where sorting is.
TEST(BasicOracle, PermutationEntropyEqualsPatternCount) {
  std::cout << "[ seed     ] " << kSeed << '\n';
  std::mt19937_64 rng(kSeed);
  std::uniform_int_distribution<int> few(0, 4);
  const Calculator& pe = basic_calculator("permutation_entropy");
  for (const std::size_t n : {7u, 12u, 40u, 300u}) {
    std::vector<double> x(n);
    for (auto& v : x) v = few(rng);
    Workspace ws(n);
    double out[5];
    pe.fn(x, ws, out);
    for (std::size_t d = 3; d <= 7; ++d) {
      std::multiset<std::vector<std::size_t>> patterns;
      for (std::size_t w = 0; w + d <= n; ++w) {
        std::vector<std::size_t> order(d);
        for (std::size_t i = 0; i < d; ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[w + a] < x[w + b]; });
        std::vector<std::size_t> rank(d);
        for (std::size_t i = 0; i < d; ++i) rank[order[i]] = i;
        patterns.insert(rank);
      }
      double h = 0.0;
      for (auto it = patterns.begin(); it != patterns.end(); it = patterns.upper_bound(*it)) {
        const double p = static_cast<double>(patterns.count(*it)) / static_cast<double>(patterns.size());
        h -= p * std::log(p);
      }
      EXPECT_NEAR(out[d - 3], h, 1e-12) << "n " << n << ", dimension " << d;
    }
  }
}

}  // namespace
}  // namespace lc::features
