// tsfresh fft_coefficient and fft_aggregated: numpy rfft based features.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include "features/advanced_calculators.h"
#include "features/numeric_advanced.h"

namespace lc::features::advanced {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kFftCoeffs = 100;  // coeff 0..99 per attribute

}  // namespace

void fft_coefficient(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  const std::size_t bins = n == 0 ? 0 : n / 2 + 1;
  double* re = ws.take(bins + 1);
  double* im = ws.take(bins + 1);
  numeric::rfft(x.data(), n, re, im, ws);
  // np.angle(deg=True) multiplies atan2 by the double 180/pi.
  constexpr double kDeg = 180.0 / std::numbers::pi;
  const std::size_t have = std::min(bins, kFftCoeffs);
  for (std::size_t k = 0; k < have; ++k) {
    out[k] = re[k];
    out[kFftCoeffs + k] = im[k];
    out[2 * kFftCoeffs + k] = std::hypot(re[k], im[k]);
    out[3 * kFftCoeffs + k] = std::atan2(im[k], re[k]) * kDeg;
  }
  for (std::size_t block = 0; block < 4; ++block)
    std::fill(out + block * kFftCoeffs + have, out + (block + 1) * kFftCoeffs, kNaN);
}

void fft_coefficient_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                          double* out) {
  const std::size_t n = x.size();
  const std::size_t bins = n == 0 ? 0 : n / 2 + 1;
  const std::size_t have = std::min(bins, kFftCoeffs);
  // Output o is attribute o / 100 of bin o % 100; a bin is computed once for all its wanted attributes.
  bool want[kFftCoeffs] = {};
  for (const auto o : wanted)
    if (o % kFftCoeffs < have) want[o % kFftCoeffs] = true;
  double* re = ws.take(bins + 1);
  double* im = ws.take(bins + 1);
  numeric::rfft_some(x.data(), n, std::span<const bool>(want, have), re, im, ws);
  constexpr double kDeg = 180.0 / std::numbers::pi;
  for (const auto o : wanted) {
    const std::size_t k = o % kFftCoeffs;
    if (k >= have) {
      out[o] = kNaN;
      continue;
    }
    switch (o / kFftCoeffs) {
      case 0: out[o] = re[k]; break;
      case 1: out[o] = im[k]; break;
      case 2: out[o] = std::hypot(re[k], im[k]); break;
      default: out[o] = std::atan2(im[k], re[k]) * kDeg; break;
    }
  }
}

void fft_aggregated(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  if (n == 0) {
    for (int i = 0; i < 4; ++i) out[i] = kNaN;
    return;
  }
  const std::size_t bins = n / 2 + 1;
  double* re = ws.take(bins);
  double* im = ws.take(bins);
  numeric::rfft(x.data(), n, re, im, ws);
  // Moments of the bin index k weighted by |X_k|: get_moment(y, m) = y . k^m / sum(y).
  double sum = 0.0;
  double s1 = 0.0;
  double s2 = 0.0;
  double s3 = 0.0;
  double s4 = 0.0;
  for (std::size_t k = 0; k < bins; ++k) {
    const double y = std::hypot(re[k], im[k]);
    const double kk = static_cast<double>(k);
    sum += y;
    s1 += y * kk;
    s2 += y * (kk * kk);
    s3 += y * (kk * kk * kk);
    s4 += y * (kk * kk * kk * kk);
  }
  const double m1 = s1 / sum;
  const double m2 = s2 / sum;
  const double m3 = s3 / sum;
  const double m4 = s4 / sum;
  const double centroid = m1;
  const double variance = m2 - centroid * centroid;
  out[0] = centroid;
  out[1] = variance;
  // tsfresh returns NaN below variance 0.5; a NaN variance (all-zero spectrum) gives NaN as well.
  if (!(variance >= 0.5)) {
    out[2] = kNaN;
    out[3] = kNaN;
    return;
  }
  out[2] = (m3 - 3.0 * centroid * variance - std::pow(centroid, 3)) / std::pow(variance, 1.5);
  // tsfresh's kurtosis ends in "- 3 * centroid" (not centroid^4); copied on purpose.
  out[3] = (m4 - 4.0 * centroid * m3 + 6.0 * m2 * (centroid * centroid) - 3.0 * centroid) / (variance * variance);
}

}  // namespace lc::features::advanced
