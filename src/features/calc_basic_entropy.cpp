// Basic tsfresh calculators on symbols derived from the values: benford_correlation (first digits),
// binned_entropy (histogram), lempel_ziv_complexity (equal-width symbols) and permutation_entropy
// (ordinal patterns).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>

#include "features/basic_calculators.h"
#include "features/basic_numpy.h"

namespace lc::features::basic {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double as_double(std::size_t v) { return static_cast<double>(v); }

// First digit of np.format_float_scientific(v) for v >= 0: the shortest round-trip decimal, which is what
// std::to_chars prints too. This differs from floor(v / 10^floor(log10 v)) for doubles just below a power
// of ten that print as it (1e23 is stored as 9.99...e22 but prints "1e+23"). 0 gives digit 0.
int first_digit(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  if (res.ec != std::errc()) return 0;
  return buf[0] >= '0' && buf[0] <= '9' ? buf[0] - '0' : 0;
}

// -sum(p ln p) of the given probabilities, each > 0, summed as np.sum does.
double entropy_of(double* p, std::size_t k) {
  for (std::size_t i = 0; i < k; ++i) p[i] = p[i] * std::log(p[i]);
  return -np_sum(p, k);
}

}  // namespace

// Pearson correlation of the first-digit distribution (digits 1..9, zeros ignored but counted in n) with
// Benford's law log10(1 + 1/d), as np.corrcoef computes it. NaN when no value has a digit 1..9.
void benford_correlation(std::span<const double> x, Workspace&, double* out) {
  const std::size_t n = x.size();
  double counts[10] = {};
  for (const double v : x) counts[first_digit(std::fabs(v))] += 1.0;
  double benford[9];
  double data[9];
  for (std::size_t d = 1; d <= 9; ++d) {
    benford[d - 1] = std::log10(1.0 + 1.0 / as_double(d));
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
  // Empty bins get p = 1, whose p ln p is 0, exactly as tsfresh does it.
  for (std::size_t i = 0; i < kBins; ++i) hist[i] = hist[i] == 0.0 ? 1.0 : hist[i] / as_double(n);
  out[0] = entropy_of(hist, kBins);
}

// Lempel-Ziv phrase count over n, on symbols = number of equal-width edges (linspace(min, max, b+1)[1:])
// below each value, for b = 2, 3, 5, 10, 100 (NOTES.md item 14).
void lempel_ziv_complexity(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::size_t kBins[] = {2, 3, 5, 10, 100};
  const std::size_t n = x.size();
  if (n == 0) {
    for (std::size_t k = 0; k < 5; ++k) out[k] = kNaN;
    return;
  }
  const double lo = *std::min_element(x.begin(), x.end());
  const double hi = *std::max_element(x.begin(), x.end());
  double* edges = ws.take(100);
  double* symbol = ws.take(n);
  // The phrases tile the sequence from its start, so phrase k is [start[k], start[k+1]).
  double* start = ws.take(n + 1);
  for (std::size_t k = 0; k < 5; ++k) {
    const std::size_t b = kBins[k];
    const double step = (hi - lo) / static_cast<double>(b);
    for (std::size_t j = 0; j + 1 < b; ++j) {
      // np.linspace scales by i/b then delta when the step underflows to 0 (constant series).
      edges[j] = step == 0.0 ? static_cast<double>(j + 1) / static_cast<double>(b) * (hi - lo) + lo
                             : static_cast<double>(j + 1) * step + lo;
    }
    edges[b - 1] = hi;
    for (std::size_t i = 0; i < n; ++i) {
      symbol[i] = static_cast<double>(std::lower_bound(edges, edges + b, x[i]) - edges);
    }

    std::size_t phrases = 0;
    std::size_t ind = 0;
    std::size_t inc = 1;
    while (ind + inc <= n) {
      bool known = false;
      for (std::size_t p = 0; p < phrases && !known; ++p) {
        const auto s = static_cast<std::size_t>(start[p]);
        const auto len = static_cast<std::size_t>(start[p + 1]) - s;
        known = len == inc && std::equal(symbol + s, symbol + s + len, symbol + ind);
      }
      if (known) {
        ++inc;
      } else {
        start[phrases] = static_cast<double>(ind);
        ind += inc;
        start[phrases + 1] = static_cast<double>(ind);
        ++phrases;
        inc = 1;
      }
    }
    out[k] = as_double(phrases) / as_double(n);
  }
}

// Entropy of the ordinal patterns (argsort(argsort(window))) of all windows of length d = 3..7, tau 1.
// Ties rank by position, as numpy's small-array argsort does (NOTES.md item 15). NaN when n < d.
void permutation_entropy(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  double* codes = ws.take(n);
  for (std::size_t d = 3; d <= 7; ++d) {
    if (n < d) {
      out[d - 3] = kNaN;
      continue;
    }
    const std::size_t windows = n - d + 1;
    for (std::size_t w = 0; w < windows; ++w) {
      const double* v = x.data() + w;
      // The pattern's digits in base d, first position most significant, so numeric order of the codes
      // is np.unique(axis=0)'s lexicographic order of the patterns. 7^7 < 2^53: exact in a double.
      double code = 0.0;
      for (std::size_t i = 0; i < d; ++i) {
        std::size_t rank = 0;
        for (std::size_t j = 0; j < d; ++j) rank += (v[j] < v[i] || (v[j] == v[i] && j < i)) ? 1 : 0;
        code = code * static_cast<double>(d) + static_cast<double>(rank);
      }
      codes[w] = code;
    }
    std::sort(codes, codes + windows);
    // Turn the sorted codes into probabilities in place, one per distinct pattern.
    std::size_t k = 0;
    for (std::size_t i = 0; i < windows;) {
      std::size_t j = i + 1;
      while (j < windows && codes[j] == codes[i]) ++j;
      codes[k++] = as_double(j - i) / as_double(windows);
      i = j;
    }
    out[d - 3] = entropy_of(codes, k);
  }
}

}  // namespace lc::features::basic
