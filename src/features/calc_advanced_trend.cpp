// tsfresh linear_trend and agg_linear_trend: scipy linregress against the sample index.
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

#include "features/advanced_calculators.h"
#include "features/numeric_advanced.h"

namespace lc::features::advanced {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::array<std::size_t, 3> kChunkLens = {5, 10, 50};
constexpr std::size_t kAggs = 4;   // max, min, mean, var (tsfresh order)
constexpr std::size_t kAttrs = 4;  // rvalue, intercept, slope, stderr (tsfresh order)

constexpr std::size_t kOutputs = kAttrs * kChunkLens.size() * kAggs;

// Aggregate `agg` (max, min, mean, var) of one chunk of `cnt` >= 1 values; `sq` holds cnt doubles.
double chunk_aggregate(const double* v, std::size_t cnt, std::size_t agg, double* sq) {
  switch (agg) {
    case 0: {
      double mx = v[0];
      for (std::size_t j = 0; j < cnt; ++j) mx = std::max(mx, v[j]);
      return mx;
    }
    case 1: {
      double mn = v[0];
      for (std::size_t j = 0; j < cnt; ++j) mn = std::min(mn, v[j]);
      return mn;
    }
    case 2: return numeric::np_mean(v, cnt);
    default: {
      const double mean = numeric::np_mean(v, cnt);
      for (std::size_t j = 0; j < cnt; ++j) sq[j] = (v[j] - mean) * (v[j] - mean);
      return numeric::np_sum(sq, cnt) / static_cast<double>(cnt);  // ndarray.var: ddof 0, pairwise sums
    }
  }
}

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

// Output 0 (pvalue) is most of the cost; without it the regression is a few sums.
void linear_trend_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                       double* out) {
  const bool want_p = !wanted.empty() && wanted.front() == 0;  // ascending
  if (x.empty() || want_p) {
    double all[5];
    linear_trend(x, ws, all);
    for (const auto o : wanted) out[o] = all[o];
    return;
  }
  const numeric::LinRegress r = numeric::linregress_index(x.data(), x.size(), numeric::PValue::skip);
  const double fields[5] = {r.pvalue, r.rvalue, r.intercept, r.slope, r.stderr_slope};
  for (const auto o : wanted) out[o] = fields[o];
}

void agg_linear_trend(std::span<const double> x, Workspace& ws, double* out) {
  std::array<std::uint16_t, kOutputs> all{};
  for (std::size_t o = 0; o < kOutputs; ++o) all[o] = static_cast<std::uint16_t>(o);
  agg_linear_trend_some(x, ws, all, out);
}

// Output o is attribute o / 12 of the regression over chunk length (o / 4) % 3 and aggregation o % 4; each
// wanted (chunk length, aggregation) pair is aggregated and regressed once, without the unused p-value.
void agg_linear_trend_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                           double* out) {
  const std::size_t n = x.size();
  std::array<std::array<bool, kAggs>, kChunkLens.size()> need{};
  for (const auto o : wanted) need[(o / kAggs) % kChunkLens.size()][o % kAggs] = true;
  std::array<std::array<numeric::LinRegress, kAggs>, kChunkLens.size()> results{};
  double* agg = ws.take(n / kChunkLens[0] + 1);
  double* sq = ws.take(kChunkLens.back());
  for (std::size_t c = 0; c < kChunkLens.size(); ++c) {
    const std::size_t len = kChunkLens[c];
    if (len >= n) continue;  // tsfresh: NaN when chunk_len >= len(x)
    const std::size_t chunks = (n + len - 1) / len;  // the partial last chunk is included
    for (std::size_t a = 0; a < kAggs; ++a) {
      if (!need[c][a]) continue;
      for (std::size_t i = 0; i < chunks; ++i) {
        const std::size_t begin = i * len;
        agg[i] = chunk_aggregate(x.data() + begin, std::min(n, begin + len) - begin, a, sq);
      }
      results[c][a] = numeric::linregress_index(agg, chunks, numeric::PValue::skip);
    }
  }
  for (const auto o : wanted) {
    const std::size_t c = (o / kAggs) % kChunkLens.size();
    out[o] = kChunkLens[c] < n ? attr_of(results[c][o % kAggs], o / (kAggs * kChunkLens.size())) : kNaN;
  }
}

}  // namespace lc::features::advanced
