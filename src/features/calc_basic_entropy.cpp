// Basic tsfresh calculators on symbols derived from the values: benford_correlation (first digits),
// binned_entropy (histogram), lempel_ziv_complexity (equal-width symbols) and permutation_entropy
// (ordinal patterns).
#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "features/basic_calculators.h"
#include "features/basic_numpy.h"

namespace lc::features::basic {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double as_double(std::size_t v) { return static_cast<double>(v); }

// First digit of np.format_float_scientific(v) for v >= 0: the shortest round-trip decimal, which is what
// std::to_chars prints too. It differs from the first digit of v's exact value when a digit boundary lies
// within v's rounding interval: 0.3 is stored as 0.2999999999999999889 but prints "3e-01". 0 gives 0.
int first_digit_exact(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  if (res.ec != std::errc()) return 0;
  return buf[0] >= '0' && buf[0] <= '9' ? buf[0] - '0' : 0;
}

// Powers of ten 1e-300 .. 1e308, accurate to an ulp or so; only used to scale v into [1, 10).
constexpr int kMinPow10 = -300;
constexpr int kMaxPow10 = 308;
const double* pow10_table() {
  static const auto kTable = [] {
    std::array<double, kMaxPow10 - kMinPow10 + 1> t{};
    for (int e = kMinPow10; e <= kMaxPow10; ++e) {
      t[static_cast<std::size_t>(e - kMinPow10)] = std::pow(10.0, e);
    }
    return t;
  }();
  return kTable.data();
}

}  // namespace

// Same result as first_digit_exact, about ten times faster: scale v into [1, 10) with a power of ten and
// take the integer part. Scaling errs by a few ulps, which can only matter when v / 10^e lies within a few
// ulps of an integer (that is also the only place where the shortest decimal can round up to the next
// digit); there, and for tiny or huge v, ask to_chars.
int first_digit(double v) {
  if (v == 0.0) return 0;
  if (!(v >= 1e-299 && v < 1e308)) return first_digit_exact(v);
  const double* p10 = pow10_table();
  // log10(2) * binary exponent gives the decimal exponent to within one. v is normal here, so its binary
  // exponent is the biased exponent field less 1023 (what std::ilogb returns, without the libm call).
  const int binary_exp = static_cast<int>((std::bit_cast<std::uint64_t>(v) >> 52) & 0x7ff) - 1023;
  int e = static_cast<int>(std::floor(static_cast<double>(binary_exp) * 0.30102999566398120));
  e = std::clamp(e, kMinPow10, kMaxPow10 - 1);
  while (e > kMinPow10 && v < p10[e - kMinPow10]) --e;
  while (e < kMaxPow10 - 1 && v >= p10[e + 1 - kMinPow10]) ++e;
  const double scaled = v / p10[e - kMinPow10];
  const double digit = std::floor(scaled);
  const double frac = scaled - digit;
  if (digit < 1.0 || digit > 9.0 || frac < 1e-9 || frac > 1.0 - 1e-9) return first_digit_exact(v);
  return static_cast<int>(digit);
}


// Pearson correlation of the first-digit distribution (digits 1..9, zeros ignored but counted in n) with
// Benford's law log10(1 + 1/d), as np.corrcoef computes it. NaN when no value has a digit 1..9.
void benford_correlation(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  // One first_digit per distinct value, over the sorted copy the series' other order statistics share
  // (sampled signals repeat values a lot). Counts are small integers, so adding a run at once is exact.
  double counts[10] = {};
  const double* s = ws.sorted(x).data();
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && s[j] == s[i]) ++j;
    counts[first_digit(std::fabs(s[i]))] += as_double(j - i);
    i = j;
  }
  // log10(1 + 1/d), d = 1..9, computed once.
  static const auto kBenford = [] {
    std::array<double, 9> b{};
    for (std::size_t d = 1; d <= 9; ++d) b[d - 1] = std::log10(1.0 + 1.0 / as_double(d));
    return b;
  }();
  double benford[9];
  double data[9];
  for (std::size_t d = 1; d <= 9; ++d) {
    benford[d - 1] = kBenford[d - 1];
    data[d - 1] = counts[d] / as_double(n);
  }
  // np.cov(ddof 1) then division by both standard deviations; 1/(N-1) = 1/8 cancels exactly.
  const double mean_b = np_sum(benford, 9) / 9.0;
  const double mean_d = np_sum(data, 9) / 9.0;
  for (std::size_t i = 0; i < 9; ++i) {
    benford[i] -= mean_b;
    data[i] -= mean_d;
  }
  const double c_bd = dot(benford, data, 9) * (1.0 / 8.0);
  const double c_bb = dot(benford, benford, 9) * (1.0 / 8.0);
  const double c_dd = dot(data, data, 9) * (1.0 / 8.0);
  const double r = c_bd / std::sqrt(c_bb) / std::sqrt(c_dd);
  out[0] = std::isnan(r) ? r : std::clamp(r, -1.0, 1.0);
}

// Entropy of np.histogram(x, 10): equal-width bins over [min, max] (last bin closed; a constant series gets
// [v-0.5, v+0.5]), p = count / n, -sum p ln p over the non-empty bins (NOTES.md item 13).
void binned_entropy(std::span<const double> x, Workspace&, double* out) {
  constexpr std::size_t kBins = 10;
  const std::size_t n = x.size();
  if (n == 0) {
    out[0] = kNaN;
    return;
  }
  double first = *std::min_element(x.begin(), x.end());
  double last = *std::max_element(x.begin(), x.end());
  if (!std::isfinite(first) || !std::isfinite(last)) {
    out[0] = kNaN;  // np.histogram refuses a non-finite range; the bin index below would be meaningless
    return;
  }
  if (first == last) {
    first -= 0.5;
    last += 0.5;
  }
  // np.linspace(first, last, 11): i * step + first, with the last edge exactly `last`.
  double edges[kBins + 1];
  const double step = (last - first) / static_cast<double>(kBins);
  for (std::size_t i = 0; i < kBins; ++i) edges[i] = static_cast<double>(i) * step + first;
  edges[kBins] = last;

  double hist[kBins] = {};
  const double denom = last - first;
  for (const double v : x) {
    // numpy's index computation, then its one-ulp corrections against the edges.
    auto idx = static_cast<std::size_t>(((v - first) / denom) * static_cast<double>(kBins));
    if (idx == kBins) --idx;
    if (v < edges[idx]) --idx;
    if (v >= edges[idx + 1] && idx != kBins - 1) ++idx;
    hist[idx] += 1.0;
  }
  // tsfresh sets the p of empty bins to 1, whose p ln p is exactly 0: skip the log there.
  for (std::size_t i = 0; i < kBins; ++i) {
    const double p = hist[i] / as_double(n);
    hist[i] = hist[i] == 0.0 ? 0.0 : p * std::log(p);
  }
  out[0] = -np_sum(hist, kBins);
}

namespace {

// Symbols for lempel_ziv_complexity: for each value, how many of the edges linspace(lo, hi, b+1)[1:] lie
// strictly below it (np.searchsorted(edges, x, side="left")). The last edge is hi, never below a value.
void lz_symbols(std::span<const double> x, double lo, double hi, std::size_t b, double* edges, double* symbol) {
  const double step = (hi - lo) / static_cast<double>(b);
  if (step == 0.0) {
    // np.linspace scales by i/b then delta when the step underflows to 0 (a constant series).
    for (std::size_t j = 0; j + 1 < b; ++j) {
      edges[j] = static_cast<double>(j + 1) / static_cast<double>(b) * (hi - lo) + lo;
    }
    edges[b - 1] = hi;
    for (std::size_t i = 0; i < x.size(); ++i) {
      symbol[i] = static_cast<double>(std::lower_bound(edges, edges + b, x[i]) - edges);
    }
    return;
  }
  // Inner edge j is (j+1)*step + lo, exactly as linspace rounds it; guess the count arithmetically, then
  // settle it against those rounded edges (they never decrease, so the two loops move at most a step).
  auto edge = [&](std::size_t j) { return static_cast<double>(j + 1) * step + lo; };
  const std::size_t inner = b - 1;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    const double guess = std::ceil((v - lo) / step) - 1.0;
    // Written so that a NaN guess (from infinite input) lands in range instead of in an undefined cast.
    std::size_t g = !(guess > 0.0) ? 0 : guess >= static_cast<double>(inner) ? inner : static_cast<std::size_t>(guess);
    while (g > 0 && !(edge(g - 1) < v)) --g;
    while (g < inner && edge(g) < v) ++g;
    symbol[i] = static_cast<double>(g);
  }
}

constexpr std::size_t kLzBins[] = {2, 3, 5, 10, 100};

// Scratch of lz_complexity for a series of n values, taken once for all bin counts.
struct LzScratch {
  double* edges;         // 100
  double* symbol;        // n
  double* first_child;   // n + 1
  double* next_sibling;  // n + 1
  double* node_symbol;   // n + 1
  double* root_child;    // 100
  LzScratch(Workspace& ws, std::size_t n)
      : edges(ws.take(100)),
        symbol(ws.take(n)),
        first_child(ws.take(n + 1)),
        next_sibling(ws.take(n + 1)),
        node_symbol(ws.take(n + 1)),
        root_child(ws.take(100)) {}
};

// Lempel-Ziv complexity of x (n >= 1, range [lo, hi]) with b bins: the phrase count over n.
double lz_complexity(std::span<const double> x, double lo, double hi, std::size_t b, const LzScratch& t) {
  const std::size_t n = x.size();
  // Trie nodes (0 is the root; node indices and symbols stored as exact small integers): first child,
  // next sibling (0 = none, the root is nobody's child) and the symbol on the edge into the node. The root
  // can have up to b children, so long series look them up in a direct table instead of a sibling list.
  double* first_child = t.first_child;
  double* next_sibling = t.next_sibling;
  double* node_symbol = t.node_symbol;
  double* root_child = t.root_child;
  const double* symbol = t.symbol;
  const bool use_root_table = n > 32;
  lz_symbols(x, lo, hi, b, t.edges, t.symbol);
  if (use_root_table) std::fill(root_child, root_child + b, 0.0);
  std::size_t nodes = 1;
  first_child[0] = 0.0;
  std::size_t pos = 0;
  while (pos < n) {
    std::size_t node = 0;
    bool added = false;
    for (; pos < n; ++pos) {
      const double sym = symbol[pos];
      const auto sym_index = static_cast<std::size_t>(sym);
      std::size_t child = 0;
      if (node == 0 && use_root_table) {
        child = static_cast<std::size_t>(root_child[sym_index]);
      } else {
        child = static_cast<std::size_t>(first_child[node]);
        while (child != 0 && node_symbol[child] != sym) child = static_cast<std::size_t>(next_sibling[child]);
      }
      if (child != 0) {
        node = child;
        continue;
      }
      const std::size_t fresh = nodes++;
      node_symbol[fresh] = sym;
      first_child[fresh] = 0.0;
      if (node == 0 && use_root_table) {
        root_child[sym_index] = static_cast<double>(fresh);
      } else {
        next_sibling[fresh] = first_child[node];
        first_child[node] = static_cast<double>(fresh);
      }
      ++pos;
      added = true;
      break;
    }
    if (!added) break;  // the input ended inside a known phrase: tsfresh does not count it
  }
  return as_double(nodes - 1) / as_double(n);
}

}  // namespace

// Lempel-Ziv phrase count over n, on symbols = number of equal-width edges (linspace(min, max, b+1)[1:])
// below each value, for b = 2, 3, 5, 10, 100 (NOTES.md item 14). tsfresh grows a substring while it is
// already a known phrase and adds it when it is not, so the set of phrases is prefix-closed: it is an LZ78
// trie, walked here in O(n * children) instead of comparing against every phrase.
void lempel_ziv_complexity(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::uint16_t kAll[] = {0, 1, 2, 3, 4};
  lempel_ziv_complexity_some(x, ws, kAll, out);
}

void lempel_ziv_complexity_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                                double* out) {
  const std::size_t n = x.size();
  if (n == 0) {
    for (const auto k : wanted) out[k] = kNaN;
    return;
  }
  const double lo = *std::min_element(x.begin(), x.end());
  const double hi = *std::max_element(x.begin(), x.end());
  const LzScratch scratch(ws, n);
  for (const auto k : wanted) out[k] = lz_complexity(x, lo, hi, kLzBins[k], scratch);
}

namespace {

constexpr std::size_t kFactorial[] = {1, 1, 2, 6, 24, 120, 720, 5040};

// The counting table is only worth its d! slots when at least a quarter of them can fill.
bool use_table_for(std::size_t n, std::size_t d) { return n >= d && kFactorial[d] <= 4 * (n - d + 1); }

// p ln p for p = count / total (the entropy -sum(p ln p) is then summed as np.sum does). Windows are short (40 samples), so the
// few hundred values a short series can need are computed once: a window's five dimensions otherwise spend
// most of their time in ~170 calls to log. The same expression fills the table, so the bits are the same.
constexpr std::size_t kPlogpMaxTotal = 64;
double p_log_p(std::size_t count, std::size_t total) {
  // Static storage, not the heap: calculators never allocate (basic_alloc_test).
  static const auto kTable = [] {
    std::array<double, (kPlogpMaxTotal + 1) * (kPlogpMaxTotal + 1)> t{};
    for (std::size_t n = 1; n <= kPlogpMaxTotal; ++n)
      for (std::size_t c = 1; c <= n; ++c) {
        const double p = as_double(c) / as_double(n);
        t[n * (kPlogpMaxTotal + 1) + c] = p * std::log(p);
      }
    return t;
  }();
  if (total <= kPlogpMaxTotal) return kTable[total * (kPlogpMaxTotal + 1) + count];
  const double p = as_double(count) / as_double(total);
  return p * std::log(p);
}

// Permutation entropy of x for dimension d (n >= d). `codes` holds n doubles, `table` d! when
// use_table_for(n, d).
double permutation_entropy_of(std::span<const double> x, std::size_t d, double* codes, double* table) {
  const std::size_t n = x.size();
  const std::size_t windows = n - d + 1;
  const bool use_table = use_table_for(n, d);
  if (use_table) std::fill(table, table + kFactorial[d], 0.0);
  for (std::size_t w = 0; w < windows; ++w) {
    const double* v = x.data() + w;
    std::size_t code = 0;
    for (std::size_t i = 0; i + 1 < d; ++i) {
      std::size_t smaller_later = 0;
      for (std::size_t j = i + 1; j < d; ++j) smaller_later += v[j] < v[i] ? 1 : 0;
      code += smaller_later * kFactorial[d - 1 - i];
    }
    if (use_table) {
      table[code] += 1.0;
    } else {
      codes[w] = static_cast<double>(code);
    }
  }
  // p ln p of the distinct patterns' probabilities, in pattern order, into `codes`.
  std::size_t k = 0;
  if (use_table) {
    for (std::size_t c = 0; c < kFactorial[d]; ++c) {
      if (table[c] != 0.0) codes[k++] = p_log_p(static_cast<std::size_t>(table[c]), windows);
    }
  } else {
    std::sort(codes, codes + windows);
    for (std::size_t i = 0; i < windows;) {
      std::size_t j = i + 1;
      while (j < windows && codes[j] == codes[i]) ++j;
      codes[k++] = p_log_p(j - i, windows);
      i = j;
    }
  }
  return -np_sum(codes, k);
}

}  // namespace

// Entropy of the ordinal patterns (argsort(argsort(window))) of all windows of length d = 3..7, tau 1.
// Ties rank by position, as numpy's small-array argsort does (NOTES.md item 15). NaN when n < d.
//
// Each pattern is identified by its Lehmer code, sum_i c_i (d-1-i)! with c_i = #{j > i : v[j] < v[i]} (a
// later equal value ranks higher, so it never counts). Lehmer codes order permutations lexicographically,
// which is np.unique(axis=0)'s order, so the entropy sums the same terms in the same order as numpy.
// Patterns are counted in a table of d! slots when there are enough windows to fill it, else by sorting.
void permutation_entropy(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::uint16_t kAll[] = {0, 1, 2, 3, 4};
  permutation_entropy_some(x, ws, kAll, out);
}

// Output k is dimension k + 3; each wanted dimension is counted on its own.
void permutation_entropy_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                              double* out) {
  const std::size_t n = x.size();
  double* codes = ws.take(n);
  std::size_t table_size = 0;
  for (const auto k : wanted)
    if (use_table_for(n, k + 3)) table_size = std::max(table_size, kFactorial[k + 3]);
  double* table = ws.take(table_size);
  for (const auto k : wanted) {
    const std::size_t d = k + 3;
    out[k] = n < d ? kNaN : permutation_entropy_of(x, d, codes, table);
  }
}

}  // namespace lc::features::basic
