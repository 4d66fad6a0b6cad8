// Numerical kernels for the advanced calculators: real FFT, linregress, Student-t / normal tails,
// pseudo-inverse least squares, numpy quantile and histogram entropy. See numeric_advanced.h.
#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

#include <Eigen/Dense>

#include "features/numeric_advanced.h"

namespace lc::features::numeric {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kDirectMaxN = 64;

// cos and sin of 2*pi*a/n with exact symmetry: the angle is split into a multiple of pi/2 (applied by exact
// swaps and sign flips) and a remainder phi in [-pi/4, pi/4] computed from integers, so e.g. sin(pi/3) and
// sin(2pi/3) come out bit-identical. Like pocketfft's twiddles, this makes mathematically zero bins of
// symmetric input exactly zero (e.g. imag = +0.0, hence angle 180 rather than -180 for a negative bin).
void unit_root(std::size_t a, std::size_t n, double& c, double& s) {
  const std::size_t b4 = 4 * (a % n);
  std::size_t q = b4 / n;
  auto rem = static_cast<long long>(b4 - q * n);
  if (2 * rem > static_cast<long long>(n)) {
    ++q;
    rem -= static_cast<long long>(n);
  }
  const double phi = (std::numbers::pi / 2.0 * static_cast<double>(rem)) / static_cast<double>(n);
  const double cp = std::cos(phi);
  const double sp = std::sin(phi);
  switch (q % 4) {
    case 0: c = cp; s = sp; break;
    case 1: c = -sp; s = cp; break;
    case 2: c = -cp; s = -sp; break;
    default: c = sp; s = -cp; break;
  }
}

// Twiddles cos/sin(2*pi*j/n) for every n <= kDirectMaxN, laid out at offset n*(n-1)/2. Built once (static
// storage, no heap) so a 5-point DFT costs no trigonometric calls.
struct TwiddleTable {
  std::array<double, kDirectMaxN*(kDirectMaxN + 1) / 2> c{};
  std::array<double, kDirectMaxN*(kDirectMaxN + 1) / 2> s{};
  TwiddleTable() {
    for (std::size_t n = 1; n <= kDirectMaxN; ++n) {
      const std::size_t off = n * (n - 1) / 2;
      for (std::size_t j = 0; j < n; ++j) unit_root(j, n, c[off + j], s[off + j]);
    }
  }
};

const TwiddleTable& twiddles() {
  static const TwiddleTable kTable;
  return kTable;
}

using Cplx = std::complex<double>;

// Plain complex product: std::complex's operator* goes through __muldc3 (C99 inf/NaN recovery) unless
// built with -fcx-limited-range, which costs ~10x here; the inputs are finite.
inline Cplx cmul(Cplx a, Cplx b) {
  return Cplx(a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real());
}

// Recursive mixed-radix decimation-in-time FFT of `n` points read from in[0], in[stride], ... into out[0..n).
// `tw` holds W_N^j = e^{-2*pi*i*j/N} for the top-level size N, `tw_step` = N/n. `scratch` holds >= N+16.
void fft_recursive(const Cplx* in, std::size_t stride, std::size_t n, Cplx* out, const Cplx* tw,
                   std::size_t tw_step, Cplx* scratch) {
  if (n == 1) {
    out[0] = in[0];
    return;
  }
  std::size_t p = 2;
  while (n % p != 0) ++p;  // smallest prime factor
  const std::size_t m = n / p;
  for (std::size_t r = 0; r < p; ++r)
    fft_recursive(in + r * stride, stride * p, m, out + r * m, tw, tw_step * p, scratch);
  // X[k + m*q] = sum_r W_n^{r*k} Y_r[k] * W_p^{r*q}
  const std::size_t big_n = n * tw_step;
  Cplx* t = scratch + n;
  for (std::size_t k = 0; k < m; ++k) {
    for (std::size_t r = 0; r < p; ++r) t[r] = cmul(out[r * m + k], tw[(r * k * tw_step) % big_n]);
    for (std::size_t q = 0; q < p; ++q) {
      Cplx acc = t[0];
      for (std::size_t r = 1; r < p; ++r) acc += cmul(t[r], tw[((r * q) % p) * m * tw_step]);
      scratch[k + m * q] = acc;
    }
  }
  std::copy(scratch, scratch + n, out);
}

// e^{-2 pi i m / n} for m < n. The two most recent lengths (typically the series length and welch's segment
// length) are kept in thread-local fixed storage, since n trigonometric pairs cost more than the FFT itself.
constexpr std::size_t kTwiddleCacheMaxN = 512;
struct TwiddleCache {
  std::array<std::size_t, 2> n{};
  std::array<std::array<Cplx, kTwiddleCacheMaxN>, 2> tw{};
  std::size_t next = 0;
};

void fill_twiddles(std::size_t n, Cplx* tw) {
  for (std::size_t m = 0; m < n; ++m) {
    double c = 0.0;
    double sn = 0.0;
    unit_root(m, n, c, sn);
    tw[m] = Cplx(c, -sn);
  }
}

const Cplx* fft_twiddles(std::size_t n, Workspace& ws) {
  if (n > kTwiddleCacheMaxN) {
    Cplx* tw = reinterpret_cast<Cplx*>(ws.take(2 * n));
    fill_twiddles(n, tw);
    return tw;
  }
  thread_local TwiddleCache cache;
  for (std::size_t i = 0; i < 2; ++i)
    if (cache.n[i] == n) return cache.tw[i].data();
  const std::size_t slot = cache.next;
  cache.next = 1 - slot;
  fill_twiddles(n, cache.tw[slot].data());
  cache.n[slot] = n;
  return cache.tw[slot].data();
}

// Continued fraction for the regularised incomplete beta function (modified Lentz), valid for
// x < (a+1)/(a+b+2).
double beta_cf(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-16;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 1000; ++m) {
    const double dm = static_cast<double>(m);
    const double m2 = 2.0 * dm;
    double aa = dm * (b - dm) * x / ((a + m2 - 1.0) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + dm) * (a + b + dm) * x / ((a + m2) * (a + m2 + 1.0));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < kEps) break;
  }
  return h;
}

// I_x(a, b) given both x and 1-x (passed separately to avoid cancellation).
double incomplete_beta(double a, double b, double x, double one_minus_x) {
  if (x <= 0.0) return 0.0;
  if (one_minus_x <= 0.0) return 1.0;
  // -log B(a, b): three lgamma calls, remembered for the last (a, b) since a series length fixes them.
  thread_local double last_a = -1.0;
  thread_local double last_b = -1.0;
  thread_local double last_neg_lbeta = 0.0;
  if (a != last_a || b != last_b) {
    last_neg_lbeta = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b);
    last_a = a;
    last_b = b;
  }
  const double log_front = last_neg_lbeta + a * std::log(x) + b * std::log(one_minus_x);
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * beta_cf(a, b, x) / a;
  return 1.0 - std::exp(log_front) * beta_cf(b, a, one_minus_x) / b;
}

constexpr std::size_t kLogTableN = 1024;
constexpr std::size_t kMaxBinnedN = 512;  // binned_entropy input length (welch spectra have <= 129 bins)
struct LogTable {  // ln(c) for c < kLogTableN, built once
  std::array<double, kLogTableN> v{};
  LogTable() {
    for (std::size_t c = 1; c < kLogTableN; ++c) v[c] = std::log(static_cast<double>(c));
  }
};
const LogTable& log_table() {
  static const LogTable kTable;
  return kTable;
}

// Bin k (1 <= k <= n/2, n <= kDirectMaxN) of the direct DFT on x - x[0]. Points m and n-m share |twiddle|:
// sum their (shifted) values for the cosine part and subtract them for the sine part. Half the
// multiplications, and exact zeros where the input is symmetric. rfft() and rfft_some() both use it, so a bin
// computed alone equals the same bin of the whole spectrum.
void direct_bin(const double* x, std::size_t n, std::size_t k, double& re, double& im) {
  const auto& t = twiddles();
  const double* c = t.c.data() + n * (n - 1) / 2;
  const double* s = t.s.data() + n * (n - 1) / 2;
  const double x0 = x[0];
  const std::size_t half = (n - 1) / 2;
  double acc_re = 0.0;
  double acc_im = 0.0;
  std::size_t idx = k;  // (k*m) mod n for m = 1
  for (std::size_t m = 1; m <= half; ++m) {
    const double a = x[m] - x0;
    const double b = x[n - m] - x0;
    acc_re += (a + b) * c[idx];
    acc_im -= (a - b) * s[idx];
    idx += k;
    if (idx >= n) idx -= n;
  }
  if (n % 2 == 0) acc_re += (x[n / 2] - x0) * c[(k * (n / 2)) % n];
  re = acc_re;
  im = acc_im;
}

// Bin 0: the plain left-to-right sum (pocketfft's), exactly real.
void bin0(const double* x, std::size_t n, double& re, double& im) {
  double sum = 0.0;
  for (std::size_t m = 0; m < n; ++m) sum += x[m];
  re = sum;
  im = 0.0;
}

}  // namespace

void rfft(const double* x, std::size_t n, double* re, double* im, Workspace& ws) {
  if (n == 0) return;
  const std::size_t bins = n / 2 + 1;
  bin0(x, n, re[0], im[0]);
  if (n <= kDirectMaxN) {
    for (std::size_t k = 1; k < bins; ++k) direct_bin(x, n, k, re[k], im[k]);
  } else {
    const double x0 = x[0];
    Cplx* buf = reinterpret_cast<Cplx*>(ws.take(2 * n));
    Cplx* out = reinterpret_cast<Cplx*>(ws.take(2 * n));
    Cplx* scratch = reinterpret_cast<Cplx*>(ws.take(2 * n + 64));
    const Cplx* tw = fft_twiddles(n, ws);
    for (std::size_t m = 0; m < n; ++m) buf[m] = Cplx(x[m] - x0, 0.0);
    fft_recursive(buf, 1, n, out, tw, 1, scratch);
    for (std::size_t k = 1; k < bins; ++k) {
      re[k] = out[k].real();
      im[k] = out[k].imag();
    }
  }
  // pocketfft returns an exactly real Nyquist bin for even n.
  if (n % 2 == 0 && n >= 2) im[n / 2] = 0.0;
}

void rfft_some(const double* x, std::size_t n, std::span<const bool> want, double* re, double* im, Workspace& ws) {
  if (n == 0) return;
  if (n > kDirectMaxN) {
    rfft(x, n, re, im, ws);
    return;
  }
  const std::size_t bins = std::min(n / 2 + 1, want.size());
  if (bins > 0 && want[0]) bin0(x, n, re[0], im[0]);
  for (std::size_t k = 1; k < bins; ++k)
    if (want[k]) direct_bin(x, n, k, re[k], im[k]);
  if (n % 2 == 0 && n / 2 < bins && want[n / 2]) im[n / 2] = 0.0;
}

LinRegress linregress_index(const double* y, std::size_t n, PValue p) {
  LinRegress r{kNaN, kNaN, kNaN, kNaN, kNaN};
  if (n == 0) return r;
  const double dn = static_cast<double>(n);
  const double xmean = static_cast<double>(n - 1) / 2.0;
  const double ymean = np_mean(y, n);
  double sxx = 0.0;
  double sxy = 0.0;
  double syy = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = static_cast<double>(i) - xmean;
    const double dy = y[i] - ymean;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  // np.cov(bias=1) multiplies by 1/n.
  const double inv_n = 1.0 / dn;
  const double ssxm = sxx * inv_n;
  const double ssxym = sxy * inv_n;
  const double ssym = syy * inv_n;
  double rv = 0.0;
  if (!(ssxm == 0.0 || ssym == 0.0)) {
    rv = ssxym / std::sqrt(ssxm * ssym);
    if (rv > 1.0) rv = 1.0;
    if (rv < -1.0) rv = -1.0;
  }
  r.rvalue = rv;
  r.slope = ssxym / ssxm;
  r.intercept = ymean - r.slope * xmean;
  if (n == 2) {
    r.pvalue = (y[0] == y[1]) ? 1.0 : 0.0;
    r.stderr_slope = 0.0;
    return r;
  }
  const double df = dn - 2.0;
  if (p == PValue::compute) {
    constexpr double kTinyR = 1.0e-20;
    const double t = rv * std::sqrt(df / ((1.0 - rv + kTinyR) * (1.0 + rv + kTinyR)));
    r.pvalue = student_t_two_sided_p(t, df);
  }
  r.stderr_slope = std::sqrt((1.0 - rv * rv) * ssym / ssxm / df);
  return r;
}

double student_t_two_sided_p(double t, double df) {
  if (std::isnan(t) || std::isnan(df) || df <= 0.0) return kNaN;
  if (std::isinf(t)) return 0.0;
  const double t2 = t * t;
  // P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2)
  const double x = df / (df + t2);
  const double one_minus_x = t2 / (df + t2);
  return incomplete_beta(0.5 * df, 0.5, x, one_minus_x);
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

void householder_qr(double* a, double* qty, std::size_t rows, std::size_t cols) {
  const std::size_t steps = std::min(rows, cols);
  for (std::size_t k = 0; k < steps; ++k) {
    double* col = a + k * rows;
    double norm2 = 0.0;
    for (std::size_t i = k; i < rows; ++i) norm2 += col[i] * col[i];
    const double norm = std::sqrt(norm2);
    if (norm == 0.0) continue;
    const double alpha = col[k] > 0 ? -norm : norm;
    // v = col[k..] - alpha e_k, stored in place; H = I - 2 v v^T / (v^T v)
    const double v0 = col[k] - alpha;
    const double vtv = norm2 - col[k] * col[k] + v0 * v0;
    col[k] = v0;
    auto apply = [&](double* c) {
      double dot = 0.0;
      for (std::size_t i = k; i < rows; ++i) dot += col[i] * c[i];
      const double f = 2.0 * dot / vtv;
      for (std::size_t i = k; i < rows; ++i) c[i] -= f * col[i];
    };
    for (std::size_t j = k + 1; j < cols; ++j) apply(a + j * rows);
    apply(qty);
    col[k] = alpha;
    for (std::size_t i = k + 1; i < rows; ++i) col[i] = 0.0;
  }
}

OlsResult ols_pinv(const double* x, const double* y, std::size_t rows, std::size_t cols, double rcond,
                   std::size_t var_index, double* beta, double* scratch) {
  if (cols > kOlsMaxCols) return OlsResult{kNaN, kNaN, 0, false};
  for (std::size_t i = 0; i < rows * cols; ++i)
    if (!std::isfinite(x[i])) return OlsResult{kNaN, kNaN, 0, false};
  for (std::size_t i = 0; i < rows; ++i)
    if (!std::isfinite(y[i])) return OlsResult{kNaN, kNaN, 0, false};
  // Householder QR of a copy of X, so the SVD (if needed) only sees the small cols x cols factor R:
  // pinv(X) = pinv(R) Q^T since Q has orthonormal columns.
  double* a = scratch;
  double* qty = scratch + rows * cols;
  std::copy(x, x + rows * cols, a);
  std::copy(y, y + rows, qty);
  householder_qr(a, qty, rows, cols);
  return ols_from_qr(x, y, a, qty, rows, cols, rcond, var_index, beta);
}

OlsResult ols_from_qr(const double* x, const double* y, const double* a, const double* qty, std::size_t rows,
                      std::size_t cols, double rcond, std::size_t var_index, double* beta) {
  using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor, kOlsMaxCols, kOlsMaxCols>;
  using Vec = Eigen::Matrix<double, Eigen::Dynamic, 1, Eigen::ColMajor, kOlsMaxCols, 1>;
  OlsResult res{kNaN, kNaN, 0, false};
  if (cols > kOlsMaxCols || var_index >= cols) return res;
  const std::size_t steps = std::min(rows, cols);
  auto finish = [&](std::size_t rank, double var) {
    double ssr = 0.0;
    for (std::size_t i = 0; i < rows; ++i) {
      double fit = 0.0;
      for (std::size_t j = 0; j < cols; ++j) fit += x[j * rows + i] * beta[j];
      const double e = y[i] - fit;
      ssr += e * e;
    }
    res.ssr = ssr;
    res.var_index = var;
    res.rank = rank;
    res.ok = true;
    return res;
  };
  // Fast path: when no R_kk is tiny relative to the largest, X has full column rank with all singular values
  // far above the pinv cutoff, so pinv(X) y is the ordinary least-squares solution R^-1 Q^T y and the SVD
  // (the expensive part for 5-point series) is not needed. A column (nearly) in the span of the previous ones
  // shows up as a tiny R_kk and takes the SVD path, which reproduces pinv's minimum-norm answer.
  if (rows >= cols) {
    double dmax = 0.0;
    double dmin = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < cols; ++k) {
      const double d = std::fabs(a[k * rows + k]);
      dmax = std::max(dmax, d);
      dmin = std::min(dmin, d);
    }
    constexpr double kWellConditioned = 1e-10;
    if (dmax > 0.0 && dmin > kWellConditioned * dmax) {
      auto rr = [&](std::size_t i, std::size_t j) { return a[j * rows + i]; };
      for (std::size_t k = cols; k-- > 0;) {
        double v = qty[k];
        for (std::size_t j = k + 1; j < cols; ++j) v -= rr(k, j) * beta[j];
        beta[k] = v / rr(k, k);
      }
      // Row `var_index` of R^-1: solve R^T z = e_i (z_j = 0 for j < i); variance factor = |z|^2.
      std::array<double, kOlsMaxCols> z{};
      double var = 0.0;
      for (std::size_t j = var_index; j < cols; ++j) {
        double v = j == var_index ? 1.0 : 0.0;
        for (std::size_t k = var_index; k < j; ++k) v -= rr(k, j) * z[k];
        z[j] = v / rr(j, j);
        var += z[j] * z[j];
      }
      return finish(cols, var);
    }
  }
  Mat r = Mat::Zero(static_cast<Eigen::Index>(steps), static_cast<Eigen::Index>(cols));
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t i = 0; i <= std::min(j, steps - 1); ++i)
      r(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = a[j * rows + i];
  Vec rhs(static_cast<Eigen::Index>(steps));
  for (std::size_t i = 0; i < steps; ++i) rhs(static_cast<Eigen::Index>(i)) = qty[i];

  Eigen::JacobiSVD<Mat> svd(r, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const auto& s = svd.singularValues();
  const double smax = s.size() > 0 ? s(0) : 0.0;
  const double cutoff = rcond * smax;
  const double rank_tol = smax * static_cast<double>(std::max(rows, cols)) * std::numeric_limits<double>::epsilon();
  Vec uty = svd.matrixU().transpose() * rhs;
  Vec b = Vec::Zero(static_cast<Eigen::Index>(cols));
  double cov00 = 0.0;
  std::size_t rank = 0;
  for (Eigen::Index i = 0; i < s.size(); ++i) {
    if (s(i) > rank_tol) ++rank;
    if (s(i) > cutoff) {
      b += svd.matrixV().col(i) * (uty(i) / s(i));
      const double v0 = svd.matrixV()(static_cast<Eigen::Index>(var_index), i) / s(i);
      cov00 += v0 * v0;
    }
  }
  for (std::size_t j = 0; j < cols; ++j) beta[j] = b(static_cast<Eigen::Index>(j));
  return finish(rank, cov00);
}

double quantile_sorted(const double* sorted, std::size_t n, double q) {
  const double vi = static_cast<double>(n - 1) * q;
  if (vi >= static_cast<double>(n - 1)) return sorted[n - 1];
  if (vi <= 0.0) return sorted[0];
  const auto i = static_cast<std::size_t>(vi);  // vi > 0 here, so truncation is floor (and no libm call)
  const double prev = static_cast<double>(i);
  const double gamma = vi - prev;
  const double a = sorted[i];
  const double b = sorted[i + 1];
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

double binned_entropy(const double* x, std::size_t n, std::size_t bins) {
  if (n == 0 || n > kMaxBinnedN) return kNaN;
  double lo = x[0];
  double hi = x[0];
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(x[i])) return kNaN;
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  // np.linspace(lo, hi, bins + 1) edges, then numpy's index computation with its +-1 edge corrections.
  const double step = (hi - lo) / static_cast<double>(bins);
  auto edge = [&](std::size_t i) { return i == bins ? hi : static_cast<double>(i) * step + lo; };
  // Bin index of every value (numpy's division, then its +-1 corrections against the linspace edges),
  // sorted so equal bins are adjacent: no per-bin array, so 100 bins cost nothing for a 3-point spectrum.
  const double denom = hi - lo;
  std::array<std::size_t, kMaxBinnedN> idx;  // only the first n entries are written and read
  const std::size_t m = n;
  for (std::size_t i = 0; i < m; ++i) {
    const double v = x[i];
    auto k = static_cast<std::size_t>((v - lo) / denom * static_cast<double>(bins));
    if (k >= bins) k = bins - 1;
    if (v < edge(k) && k > 0) --k;
    if (k != bins - 1 && v >= edge(k + 1)) ++k;
    idx[i] = k;
  }
  std::sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(m));
  // -sum p ln p with p = c/n, as ln(n) - sum(c ln c)/n: one log per distinct count via a table instead of
  // one per bin (agrees with numpy's p*log(p) sum to ~1e-15).
  const LogTable& lt = log_table();
  double s = 0.0;
  for (std::size_t i = 0; i < m;) {
    std::size_t j = i + 1;
    while (j < m && idx[j] == idx[i]) ++j;
    const std::size_t c = j - i;
    if (c > 1) s += static_cast<double>(c) * (c < kLogTableN ? lt.v[c] : std::log(static_cast<double>(c)));
    i = j;
  }
  const double ln_n = n < kLogTableN ? lt.v[n] : std::log(static_cast<double>(n));
  return ln_n - s / static_cast<double>(n);
}

void sort_ascending(double* a, std::size_t n) {
  // NaN last, as np.sort; a plain `<` is not a strict weak order with NaN and std::sort may then run out of
  // bounds.
  std::sort(a, a + n, [](double l, double r) { return l < r || (!std::isnan(l) && std::isnan(r)); });
}

double np_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (std::size_t j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return np_sum(a, n2) + np_sum(a + n2, n - n2);
}

}  // namespace lc::features::numeric
