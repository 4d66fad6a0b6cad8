// tsfresh linear_trend and agg_linear_trend: scipy linregress against the sample index.
#include <algorithm>
#include <array>
#include <limits>

#include "features/advanced_calculators.h"
#include "features/numeric_advanced.h"

namespace lc::features::advanced {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::array<std::size_t, 3> kChunkLens = {5, 10, 50};
constexpr std::size_t kAggs = 4;   // max, min, mean, var (tsfresh order)
constexpr std::size_t kAttrs = 4;  // rvalue, intercept, slope, stderr (tsfresh order)

double attr_of(const numeric::LinRegress& r, std::size_t attr) {
  switch (attr) {
    case 0: return r.rvalue;
    case 1: return r.intercept;
    case 2: return r.slope;
    default: return r.stderr_slope;
  }
}

}  // namespace

void linear_trend(std::span<const double> x, Workspace&, double* out) {
  if (x.empty()) {
    std::fill(out, out + 5, kNaN);
    return;
  }
  const numeric::LinRegress r = numeric::linregress_index(x.data(), x.size());
  out[0] = r.pvalue;
  out[1] = r.rvalue;
  out[2] = r.intercept;
  out[3] = r.slope;
  out[4] = r.stderr_slope;
}

void agg_linear_trend(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  // results[chunk][agg] regression, computed once and read by all four attributes.
  std::array<std::array<numeric::LinRegress, kAggs>, kChunkLens.size()> results{};
  std::array<bool, kChunkLens.size()> valid{};
  double* agg = ws.take(kAggs * (n / kChunkLens[0] + 1));
  double* sq = ws.take(kChunkLens.back());
  for (std::size_t c = 0; c < kChunkLens.size(); ++c) {
    const std::size_t len = kChunkLens[c];
    valid[c] = len < n;  // tsfresh: NaN when chunk_len >= len(x)
    if (!valid[c]) continue;
    const std::size_t chunks = (n + len - 1) / len;  // the partial last chunk is included
    double* amax = agg;
    double* amin = agg + chunks;
    double* amean = agg + 2 * chunks;
    double* avar = agg + 3 * chunks;
    for (std::size_t i = 0; i < chunks; ++i) {
      const std::size_t begin = i * len;
      const std::size_t end = std::min(n, begin + len);
      double mx = x[begin];
      double mn = x[begin];
      for (std::size_t j = begin; j < end; ++j) {
        mx = std::max(mx, x[j]);
        mn = std::min(mn, x[j]);
      }
      const std::size_t cnt = end - begin;
      const double mean = numeric::np_mean(x.data() + begin, cnt);
      for (std::size_t j = 0; j < cnt; ++j) sq[j] = (x[begin + j] - mean) * (x[begin + j] - mean);
      amax[i] = mx;
      amin[i] = mn;
      amean[i] = mean;
      avar[i] = numeric::np_sum(sq, cnt) / static_cast<double>(cnt);  // ndarray.var: ddof 0, pairwise sums
    }
    for (std::size_t a = 0; a < kAggs; ++a) results[c][a] = numeric::linregress_index(agg + a * chunks, chunks);
  }
  std::size_t o = 0;
  for (std::size_t attr = 0; attr < kAttrs; ++attr)
    for (std::size_t c = 0; c < kChunkLens.size(); ++c)
      for (std::size_t a = 0; a < kAggs; ++a) out[o++] = valid[c] ? attr_of(results[c][a], attr) : kNaN;
}

}  // namespace lc::features::advanced
