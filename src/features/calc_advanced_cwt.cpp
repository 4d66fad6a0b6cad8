// tsfresh cwt_coefficients (pywt.cwt with "mexh"), number_cwt_peaks (scipy find_peaks_cwt with a Ricker
// wavelet), spkt_welch_density and fourier_entropy (scipy welch).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numbers>

#include "features/advanced_calculators.h"
#include "features/numeric_advanced.h"

namespace lc::features::advanced {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- pywt mexh integral -----------------------------------------------------------------------------------
// pywt.integrate_wavelet("mexh", precision=10): psi sampled on np.linspace(-8, 8, 1024), cumsum(psi) * step.
constexpr std::size_t kPsiLen = 1024;
constexpr std::array<int, 4> kCwtWidths = {2, 5, 10, 20};
constexpr std::size_t kCwtCoeffs = 15;

struct MexhTables {
  std::array<double, kPsiLen> int_psi{};
  double step = 0.0;
  // For each width a: the filter int_psi[j][::-1] with j = floor(arange(16a+1) / (a*step)), j < 1024.
  std::array<std::array<double, 16 * 20 + 1>, 4> filt{};
  std::array<std::size_t, 4> filt_len{};

  MexhTables() {
    constexpr double kLo = -8.0;
    constexpr double kHi = 8.0;
    const double lin_step = (kHi - kLo) / static_cast<double>(kPsiLen - 1);
    std::array<double, kPsiLen> xs{};
    for (std::size_t i = 0; i < kPsiLen; ++i) xs[i] = static_cast<double>(i) * lin_step + kLo;
    xs[kPsiLen - 1] = kHi;
    step = xs[1] - xs[0];
    const double norm = 2.0 / (std::sqrt(3.0) * std::pow(std::numbers::pi, 0.25));
    double acc = 0.0;
    for (std::size_t i = 0; i < kPsiLen; ++i) {
      const double x2 = xs[i] * xs[i];
      acc += norm * (1.0 - x2) * std::exp(-x2 / 2.0);
      int_psi[i] = acc * step;
    }
    for (std::size_t w = 0; w < kCwtWidths.size(); ++w) {
      const double a = kCwtWidths[w];
      const auto count = static_cast<std::size_t>(a * (xs[kPsiLen - 1] - xs[0]) + 1.0);
      std::size_t len = 0;
      std::array<std::size_t, 16 * 20 + 1> j{};
      for (std::size_t k = 0; k < count; ++k) {
        const auto jk = static_cast<std::size_t>(static_cast<double>(k) / (a * step));
        if (jk < kPsiLen) j[len++] = jk;
      }
      filt_len[w] = len;
      for (std::size_t m = 0; m < len; ++m) filt[w][m] = int_psi[j[len - 1 - m]];
    }
  }
};

const MexhTables& mexh() {
  static const MexhTables kTables;
  return kTables;
}

// Full convolution sum (x * f)[i] for one output index; terms with i-k outside the filter are zero.
double conv_at(std::span<const double> x, const double* f, std::size_t flen, std::size_t i) {
  double s = 0.0;
  const std::size_t k_lo = i + 1 > flen ? i + 1 - flen : 0;
  const std::size_t k_hi = std::min(i, x.size() - 1);
  for (std::size_t k = k_lo; k <= k_hi; ++k) s += x[k] * f[i - k];
  return s;
}

// ---- scipy welch ------------------------------------------------------------------------------------------
constexpr std::size_t kMaxNperseg = 256;
constexpr std::size_t kHannTableMax = 64;

// scipy get_window("hann", N) (periodic): general_cosine(N + 1, [0.5, 0.5])[:N] = 0.5 + 0.5 cos(fac) with
// fac = np.linspace(-pi, pi, N + 1).
void hann_periodic(std::size_t nperseg, double* win) {
  const double fstep = (std::numbers::pi - -std::numbers::pi) / static_cast<double>(nperseg);
  for (std::size_t i = 0; i < nperseg; ++i) {
    const double fac = static_cast<double>(i) * fstep + -std::numbers::pi;
    win[i] = 0.5 + 0.5 * std::cos(fac);
  }
}

struct HannTable {  // windows for nperseg <= kHannTableMax at offset N(N-1)/2, built once
  std::array<double, kHannTableMax*(kHannTableMax + 1) / 2> w{};
  HannTable() {
    for (std::size_t n = 1; n <= kHannTableMax; ++n) hann_periodic(n, w.data() + n * (n - 1) / 2);
  }
};

const double* hann(std::size_t nperseg, Workspace& ws) {
  if (nperseg <= kHannTableMax) {
    static const HannTable kTable;
    return kTable.w.data() + nperseg * (nperseg - 1) / 2;
  }
  double* win = ws.take(nperseg);
  hann_periodic(nperseg, win);
  return win;
}

// `want`: the bins to compute (k < want.size() && want[k]), or empty for all; the others of pxx are left
// unspecified. Each bin is its own sum over the segments, so one bin alone equals that bin of the whole.
std::size_t welch_uncached(std::span<const double> x, double* pxx, Workspace& ws, std::span<const bool> want = {}) {
  const std::size_t n = x.size();
  if (n == 0) return 0;
  const std::size_t nperseg = std::min(n, kMaxNperseg);
  const std::size_t noverlap = nperseg / 2;
  const std::size_t step = nperseg - noverlap;
  const std::size_t nseg = (n - noverlap) / step;
  const std::size_t bins = nperseg / 2 + 1;
  const double* win = hann(nperseg, ws);
  double* seg = ws.take(nperseg);
  double* re = ws.take(bins);
  double* im = ws.take(bins);
  double wsum2 = 0.0;
  for (std::size_t i = 0; i < nperseg; ++i) wsum2 += win[i] * win[i];
  const double scale = 1.0 / wsum2;  // fs = 1
  std::fill(pxx, pxx + bins, 0.0);
  for (std::size_t s = 0; s < nseg; ++s) {
    const double* xs = x.data() + s * step;
    const double mean = numeric::np_mean(xs, nperseg);  // scipy detrend("constant")
    for (std::size_t i = 0; i < nperseg; ++i) seg[i] = win[i] * (xs[i] - mean);
    if (want.empty()) {
      numeric::rfft(seg, nperseg, re, im, ws);
    } else {
      numeric::rfft_some(seg, nperseg, want, re, im, ws);
    }
    for (std::size_t k = 0; k < bins; ++k) {
      if (!want.empty() && !(k < want.size() && want[k])) continue;
      double p = (re[k] * re[k] + im[k] * im[k]) * scale;
      const bool edge = k == 0 || (nperseg % 2 == 0 && k == bins - 1);
      if (!edge) p *= 2.0;
      pxx[k] += p;
    }
  }
  for (std::size_t k = 0; k < bins; ++k) pxx[k] /= static_cast<double>(nseg);
  return bins;
}

// spkt_welch_density's bins (tsfresh's coeff 2, 5, 8).
constexpr std::array<std::size_t, 3> kWelchCoeffs = {2, 5, 8};

// spkt_welch_density and fourier_entropy both need welch() of the same series; keep the last input (exact
// bits) and its spectrum. Thread-local fixed storage: no heap, no sharing between extractor threads.
constexpr std::size_t kWelchCacheMaxN = 512;
struct WelchCache {
  std::size_t n = 0;
  std::size_t bins = 0;
  bool valid = false;
  std::array<double, kWelchCacheMaxN> x{};
  std::array<double, kMaxNperseg / 2 + 1> pxx{};
};

// welch(x, nperseg=min(n, 256)): periodic Hann, 50% overlap, constant detrend, density scaling, one-sided,
// mean over segments. Writes nperseg/2 + 1 values to `pxx`; returns their count (0 for an empty series).
std::size_t welch(std::span<const double> x, double* pxx, Workspace& ws) {
  thread_local WelchCache cache;
  const std::size_t n = x.size();
  const bool cacheable = n <= kWelchCacheMaxN;
  if (cacheable && cache.valid && cache.n == n &&
      (n == 0 || std::memcmp(cache.x.data(), x.data(), n * sizeof(double)) == 0)) {
    std::copy(cache.pxx.begin(), cache.pxx.begin() + static_cast<std::ptrdiff_t>(cache.bins), pxx);
    return cache.bins;
  }
  const std::size_t bins = welch_uncached(x, pxx, ws);
  if (cacheable) {
    cache.n = n;
    cache.bins = bins;
    std::copy(x.begin(), x.end(), cache.x.begin());
    std::copy(pxx, pxx + bins, cache.pxx.begin());
    cache.valid = true;
  }
  return bins;
}

// scipy's ricker(points, a) for the widths tsfresh uses (a = 1..5, points = min(10a, n) <= 50), tabulated once.
constexpr std::size_t kMaxRickerWidth = 5;
constexpr std::size_t kMaxRickerPoints = 10 * kMaxRickerWidth;

void ricker(std::size_t points, double a, double* out) {
  const double amp = 2.0 / (std::sqrt(3.0 * a) * std::pow(std::numbers::pi, 0.25));
  const double wsq = a * a;
  for (std::size_t i = 0; i < points; ++i) {
    const double v = static_cast<double>(i) - (static_cast<double>(points) - 1.0) / 2.0;
    const double xsq = v * v;
    out[i] = amp * (1.0 - xsq / wsq) * std::exp(-xsq / (2.0 * wsq));
  }
}

struct RickerTable {
  // wav[a-1][points-1] holds ricker(points, a) for points <= 10a.
  std::array<std::array<std::array<double, kMaxRickerPoints>, kMaxRickerPoints>, kMaxRickerWidth> wav{};
  RickerTable() {
    for (std::size_t a = 1; a <= kMaxRickerWidth; ++a)
      for (std::size_t p = 1; p <= 10 * a; ++p) ricker(p, static_cast<double>(a), wav[a - 1][p - 1].data());
  }
};

const RickerTable& ricker_table() {
  static const RickerTable kTable;
  return kTable;
}

// Row of scipy.signal.cwt(x, ricker, [w]) for w = 1..kMaxRickerWidth: np.convolve(x, ricker(min(10w, n), w),
// "same") (the wavelet is symmetric, so scipy's reversal changes nothing).
void ricker_row(std::span<const double> x, std::size_t w, double* row) {
  const std::size_t n = x.size();
  const std::size_t points = std::min(10 * w, n);
  const double* wav = ricker_table().wav[w - 1][points - 1].data();
  const std::size_t offset = (points - 1) / 2;
  for (std::size_t i = 0; i < n; ++i) row[i] = conv_at(x, wav, points, i + offset);
}

// Number of ridge lines find_peaks_cwt(x, widths=1..rows) keeps (= the number of peaks it returns), given
// the cwt matrix (row r = width r+1, n columns; rows beyond `rows` are ignored).
double count_cwt_peaks(std::span<const double> x, const double* cwt, std::size_t rows, Workspace& ws) {
  const std::size_t n = x.size();
  auto at = [&](std::size_t r, std::size_t c) { return cwt[r * n + c]; };
  auto is_max = [&](std::size_t r, std::size_t c) {  // _boolrelextrema(np.greater, order=1, mode="clip")
    return c > 0 && c + 1 < n && at(r, c) > at(r, c - 1) && at(r, c) > at(r, c + 1);
  };
  // Noise: 10th percentile (scipy scoreatpercentile) of the first row over a window of ceil(n/20) points.
  double* noise = ws.take(n);
  double* tmp = ws.take(n);
  const auto window = static_cast<std::size_t>(std::ceil(static_cast<double>(n) / 20.0));
  const std::size_t hf = window / 2;
  const std::size_t odd = window % 2;
  for (std::size_t c = 0; c < n; ++c) {
    const std::size_t lo = c >= hf ? c - hf : 0;
    const std::size_t hi = std::min(c + hf + odd, n);
    const std::size_t m = hi - lo;
    if (m == 1) {  // window of one point (n <= 20): the percentile is the point itself
      noise[c] = at(0, lo);
      continue;
    }
    for (std::size_t i = 0; i < m; ++i) tmp[i] = at(0, lo + i);
    numeric::sort_ascending(tmp, m);
    const double idx = 10.0 / 100.0 * static_cast<double>(m - 1);
    const double fl = std::floor(idx);
    const auto i0 = static_cast<std::size_t>(fl);
    noise[c] = idx == fl ? tmp[i0] : tmp[i0] + (tmp[i0 + 1] - tmp[i0]) * (idx - fl);
  }
  const double min_length = std::ceil(static_cast<double>(rows) / 4.0);
  const double gap_thresh = 1.0;  // ceil(widths[0])
  // Ridge lines, in scipy's list order. Per line: last col, gap counter, length, the first-appended col at its
  // smallest row and the cwt value there (all the filter needs).
  // Every maximum extends one line or starts one, and a line whose last point is more than gap_thresh + 1
  // rows back is retired, so at most three rows' worth of maxima (<= n/2 each) are ever alive.
  const std::size_t max_lines = 2 * n + 2;
  double* last_col = ws.take(max_lines);
  double* gap = ws.take(max_lines);
  double* length = ws.take(max_lines);
  double* min_row = ws.take(max_lines);
  double* first_col = ws.take(max_lines);
  double* first_val = ws.take(max_lines);
  double* prev_cols = ws.take(max_lines);
  std::size_t lines = 0;
  double kept = 0.0;
  auto keep = [&](std::size_t l) {
    if (length[l] < min_length) return false;
    const auto c = static_cast<std::size_t>(first_col[l]);
    const double snr = std::fabs(first_val[l] / noise[c]);
    return !(snr < 1.0);  // min_snr = 1; NaN passes like in scipy
  };
  auto new_line = [&](std::size_t r, std::size_t c) {
    last_col[lines] = static_cast<double>(c);
    gap[lines] = 0.0;
    length[lines] = 1.0;
    min_row[lines] = static_cast<double>(r);
    first_col[lines] = static_cast<double>(c);
    first_val[lines] = at(r, c);
    ++lines;
  };
  std::size_t start = rows;
  for (std::size_t r = rows; r-- > 0;) {
    bool any = false;
    for (std::size_t c = 0; c < n && !any; ++c) any = is_max(r, c);
    if (any) {
      start = r;
      break;
    }
  }
  if (start == rows) return 0.0;
  for (std::size_t c = 0; c < n; ++c)
    if (is_max(start, c)) new_line(start, c);
  for (std::size_t r = start; r-- > 0;) {
    for (std::size_t l = 0; l < lines; ++l) gap[l] += 1.0;
    const std::size_t n_prev = lines;
    for (std::size_t l = 0; l < n_prev; ++l) prev_cols[l] = last_col[l];
    const double max_dist = static_cast<double>(r + 1) / 4.0;
    for (std::size_t c = 0; c < n; ++c) {
      if (!is_max(r, c)) continue;
      std::size_t closest = n_prev;
      double best = 0.0;
      for (std::size_t l = 0; l < n_prev; ++l) {
        const double d = std::fabs(static_cast<double>(c) - prev_cols[l]);
        if (closest == n_prev || d < best) {
          best = d;
          closest = l;
        }
      }
      if (closest < n_prev && best <= max_dist) {
        const std::size_t l = closest;
        last_col[l] = static_cast<double>(c);
        length[l] += 1.0;
        gap[l] = 0.0;
        if (static_cast<double>(r) < min_row[l]) {
          min_row[l] = static_cast<double>(r);
          first_col[l] = static_cast<double>(c);
          first_val[l] = at(r, c);
        }
      } else {
        new_line(r, c);
      }
    }
    // Retire lines whose gap exceeds the threshold (order of the remaining ones is kept).
    std::size_t w = 0;
    for (std::size_t l = 0; l < lines; ++l) {
      if (gap[l] > gap_thresh) {
        if (keep(l)) kept += 1.0;
        continue;
      }
      last_col[w] = last_col[l];
      gap[w] = gap[l];
      length[w] = length[l];
      min_row[w] = min_row[l];
      first_col[w] = first_col[l];
      first_val[w] = first_val[l];
      ++w;
    }
    lines = w;
  }
  for (std::size_t l = 0; l < lines; ++l)
    if (keep(l)) kept += 1.0;
  return kept;
}

}  // namespace

void cwt_coefficients(std::span<const double> x, Workspace& ws, double* out) {
  std::array<std::uint16_t, kCwtCoeffs * kCwtWidths.size()> all{};
  for (std::size_t o = 0; o < all.size(); ++o) all[o] = static_cast<std::uint16_t>(o);
  cwt_coefficients_some(x, ws, all, out);
}

// Output o is coefficient o / 4 at width o % 4. Coefficient c is -sqrt(a) * (conv[front+c+1] - conv[front+c])
// (pywt's diff of the full convolution, trimmed by floor(d) at the front, d = (n + flen - 2 - n) / 2); each
// convolution sample a wanted coefficient needs is computed once, and only those.
void cwt_coefficients_some(std::span<const double> x, Workspace&, std::span<const std::uint16_t> wanted,
                           double* out) {
  constexpr std::size_t kWidths = kCwtWidths.size();
  const std::size_t n = x.size();
  const std::size_t valid = std::min(n, kCwtCoeffs);
  const MexhTables& t = mexh();
  std::array<std::array<bool, kCwtCoeffs>, kWidths> need{};
  for (const auto o : wanted) {
    if (o / kWidths < valid) {
      need[o % kWidths][o / kWidths] = true;
    } else {
      out[o] = kNaN;  // coeff >= n
    }
  }
  for (std::size_t w = 0; w < kWidths; ++w) {
    const double* f = t.filt[w].data();
    const std::size_t flen = t.filt_len[w];
    const double sqrt_a = std::sqrt(static_cast<double>(kCwtWidths[w]));
    const auto front = static_cast<std::size_t>(std::floor((static_cast<double>(flen) - 2.0) / 2.0));
    // conv[i] = full convolution at front + i, for i = 0..kCwtCoeffs, computed when first needed.
    std::array<double, kCwtCoeffs + 1> conv{};
    std::array<bool, kCwtCoeffs + 1> have{};
    auto conv_of = [&](std::size_t i) {
      if (!have[i]) {
        conv[i] = conv_at(x, f, flen, front + i);
        have[i] = true;
      }
      return conv[i];
    };
    for (std::size_t c = 0; c < valid; ++c) {
      if (!need[w][c]) continue;
      const double prev = conv_of(c);
      out[c * kWidths + w] = -sqrt_a * (conv_of(c + 1) - prev);
    }
  }
}

void number_cwt_peaks(std::span<const double> x, Workspace& ws, double* out) {
  if (x.empty()) {
    out[0] = kNaN;
    out[1] = kNaN;
    return;
  }
  // tsfresh's two parameters use widths 1..1 and 1..5; the first row is shared.
  const std::size_t n = x.size();
  double* cwt = ws.take(kMaxRickerWidth * n);
  for (std::size_t w = 1; w <= kMaxRickerWidth; ++w) ricker_row(x, w, cwt + (w - 1) * n);
  out[0] = count_cwt_peaks(x, cwt, 1, ws);
  out[1] = count_cwt_peaks(x, cwt, kMaxRickerWidth, ws);
}

void spkt_welch_density(std::span<const double> x, Workspace& ws, double* out) {
  double* pxx = ws.take(std::min(x.size(), kMaxNperseg) / 2 + 2);
  const std::size_t bins = welch(x, pxx, ws);
  for (std::size_t i = 0; i < kWelchCoeffs.size(); ++i) out[i] = kWelchCoeffs[i] < bins ? pxx[kWelchCoeffs[i]] : kNaN;
}

// Only the wanted bins' spectrum (no cache: a few bins cost less than the whole spectrum fourier_entropy
// shares).
void spkt_welch_density_some(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                             double* out) {
  std::array<bool, kWelchCoeffs.back() + 1> want{};
  for (const auto i : wanted) want[kWelchCoeffs[i]] = true;
  double* pxx = ws.take(std::min(x.size(), kMaxNperseg) / 2 + 2);
  const std::size_t bins = welch_uncached(x, pxx, ws, want);
  for (const auto i : wanted) out[i] = kWelchCoeffs[i] < bins ? pxx[kWelchCoeffs[i]] : kNaN;
}

void fourier_entropy(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::array<std::size_t, 5> kBins = {2, 3, 5, 10, 100};
  double* pxx = ws.take(std::min(x.size(), kMaxNperseg) / 2 + 2);
  const std::size_t bins = welch(x, pxx, ws);
  if (bins == 0) {
    std::fill(out, out + kBins.size(), kNaN);
    return;
  }
  double mx = pxx[0];
  for (std::size_t k = 0; k < bins; ++k) mx = std::max(mx, pxx[k]);
  for (std::size_t k = 0; k < bins; ++k) pxx[k] /= mx;  // 0/0 -> NaN for a constant series, as numpy
  for (std::size_t i = 0; i < kBins.size(); ++i) out[i] = numeric::binned_entropy(pxx, bins, kBins[i]);
}

}  // namespace lc::features::advanced
