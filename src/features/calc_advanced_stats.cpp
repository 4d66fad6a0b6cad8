// tsfresh agg_autocorrelation, partial_autocorrelation, ar_coefficient and augmented_dickey_fuller: ports of
// statsmodels 0.13.5 acf / pacf(method="ld") / AutoReg / adfuller(autolag="AIC", regression="c").
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "features/advanced_calculators.h"
#include "features/numeric_advanced.h"

namespace lc::features::advanced {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPinvRcond = 1e-15;  // np.linalg.pinv / statsmodels pinv_extended default
constexpr double kExactFitRel = 1e-24;  // ssr / sum(y^2) below this is rounding noise of an exact fit

double mean_of(const double* a, std::size_t n) { return numeric::np_mean(a, n); }

// np.var (ddof 0): mean of squared deviations, both sums pairwise like numpy. `tmp` holds n doubles.
double var_of(const double* a, std::size_t n, double* tmp) {
  const double m = mean_of(a, n);
  for (std::size_t i = 0; i < n; ++i) tmp[i] = (a[i] - m) * (a[i] - m);
  return numeric::np_sum(tmp, n) / static_cast<double>(n);
}

// statsmodels acovf(x, adjusted=True, demean=True) for lags 0..max_lag: sum x'_t x'_{t+k} / (n - k).
void acovf_adjusted(const double* x, std::size_t n, std::size_t max_lag, double* acov, Workspace& ws) {
  double* xo = ws.take(n);
  const double m = mean_of(x, n);
  for (std::size_t i = 0; i < n; ++i) xo[i] = x[i] - m;
  for (std::size_t k = 0; k <= max_lag; ++k) {
    double s = 0.0;
    for (std::size_t t = 0; t + k < n; ++t) s += xo[t] * xo[t + k];
    acov[k] = s / static_cast<double>(n - k);
  }
}

// MacKinnon (1994, 2010) approximate p-value of the ADF tau statistic, regression "c", one series (N=1), as
// statsmodels.tsa.adfvalues.mackinnonp: norm.cdf of a polynomial in tau whose coefficients depend on which
// side of tau_star the statistic falls; 1 above tau_max and 0 below tau_min. (Checked: a cubic/quadratic fit
// of norm.ppf(p) against tau over the 44 reference series recovers exactly these coefficients.)
double mackinnon_p_c(double tau) {
  constexpr double kTauMax = 2.74;
  constexpr double kTauMin = -18.86;
  constexpr double kTauStar = -1.61;
  constexpr double kSmallP[3] = {2.1659, 1.4412, 3.8269e-2};
  constexpr double kLargeP[4] = {1.7339, 9.3202e-1, -1.2745e-1, -1.0368e-2};
  if (tau > kTauMax) return 1.0;
  if (tau < kTauMin) return 0.0;
  double poly = 0.0;
  if (tau <= kTauStar) {
    for (int i = 2; i >= 0; --i) poly = poly * tau + kSmallP[i];
  } else {
    for (int i = 3; i >= 0; --i) poly = poly * tau + kLargeP[i];
  }
  return numeric::normal_cdf(poly);
}

// The ADF regression: y_t = diff(x)[t] for t = first..n-2 on a constant, the level x[t] and `lags` lagged
// differences. `const_first` picks statsmodels' column order: [const, level, lags...] in the autolag search,
// [level, lags..., const] in the final fit. Fills the column-major design (rows x (lags + 2)) and y.
struct AdfDesign {
  std::size_t rows;
  std::size_t cols;
  std::size_t c_level;
};
AdfDesign build_adf_design(std::span<const double> x, std::size_t first, std::size_t lags, bool const_first,
                           double* design, double* y) {
  const std::size_t n = x.size();
  const std::size_t rows = n - 1 - first;
  const std::size_t cols = lags + 2;
  const std::size_t c_const = const_first ? 0 : cols - 1;
  const std::size_t c_level = const_first ? 1 : 0;
  const std::size_t c_lag0 = const_first ? 2 : 1;
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t t = first + i;
    y[i] = x[t + 1] - x[t];
    design[c_const * rows + i] = 1.0;
    design[c_level * rows + i] = x[t];
    for (std::size_t j = 1; j <= lags; ++j) design[(c_lag0 + j - 1) * rows + i] = x[t - j + 1] - x[t - j];
  }
  return AdfDesign{rows, cols, c_level};
}

// statsmodels OLS: llf = -log(ssr) * nobs/2 - (1 + log(pi / (nobs/2))) * nobs/2, aic = -2 llf + 2 rank.
// An exact fit leaves only rounding noise in ssr (~1e-31); statsmodels' AIC is then decided by LAPACK's
// noise. Treat such fits as exact (ssr 0, AIC -inf) so ties go to the fewest lags, as they do whenever
// statsmodels' noise happens to be zero.
double ols_aic(const numeric::OlsResult& r, const double* y, std::size_t rows) {
  if (!r.ok) return kNaN;
  double yy = 0.0;
  for (std::size_t i = 0; i < rows; ++i) yy += y[i] * y[i];
  const double ssr_aic = r.ssr <= kExactFitRel * yy ? 0.0 : r.ssr;
  const double nobs2 = static_cast<double>(rows) / 2.0;
  const double llf = -std::log(ssr_aic) * nobs2 - (1.0 + std::log(std::numbers::pi / nobs2)) * nobs2;
  return -2.0 * llf + 2.0 * static_cast<double>(r.rank);
}

// t statistic of the level coefficient: beta / sqrt(ssr / df_resid * [pinv pinv^T]_level).
double level_tstat(const numeric::OlsResult& r, const double* beta, std::size_t c_level, std::size_t rows) {
  if (!r.ok) return kNaN;
  const double df_resid = static_cast<double>(rows) - static_cast<double>(r.rank);
  return beta[c_level] / std::sqrt(r.ssr / df_resid * r.var_index);
}

}  // namespace

void agg_autocorrelation(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  if (n == 0) {
    std::fill(out, out + 3, kNaN);
    return;
  }
  double* tmp = ws.take(n);
  const double var = var_of(x.data(), n, tmp);
  if (std::fabs(var) < 1e-10 || n == 1) {
    std::fill(out, out + 3, 0.0);  // tsfresh uses a list of zeros here
    return;
  }
  constexpr std::size_t kMaxLag = 40;
  const std::size_t lags = std::min(kMaxLag, n - 1);
  double* acov = ws.take(lags + 1);
  acovf_adjusted(x.data(), n, lags, acov, ws);
  double* a = ws.take(lags);
  for (std::size_t k = 1; k <= lags; ++k) a[k - 1] = acov[k] / acov[0];
  out[0] = mean_of(a, lags);
  double* sorted = ws.take(lags);
  std::copy(a, a + lags, sorted);
  numeric::sort_ascending(sorted, lags);
  // np.median: NaN if any value is NaN (they sort last).
  out[1] = std::isnan(sorted[lags - 1])       ? kNaN
           : lags % 2 == 1                    ? sorted[lags / 2]
                                              : (sorted[lags / 2 - 1] + sorted[lags / 2]) / 2.0;
  out[2] = var_of(a, lags, tmp);
}

void partial_autocorrelation(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::size_t kMaxDemanded = 9;
  const std::size_t n = x.size();
  std::fill(out, out + kMaxDemanded + 1, kNaN);
  if (n <= 1) return;
  // tsfresh only asks statsmodels for lags below n//2 (pacf refuses more); higher lags stay NaN.
  const std::size_t max_lag = n / 2 <= kMaxDemanded ? n / 2 - 1 : kMaxDemanded;
  if (max_lag == 0) return;
  double* acov = ws.take(max_lag + 1);
  acovf_adjusted(x.data(), n, max_lag, acov, ws);
  // Levinson-Durbin recursion; phi_prev/phi_cur hold phi[1..k] of the previous/current order.
  double* phi_prev = ws.take(max_lag + 1);
  double* phi_cur = ws.take(max_lag + 1);
  out[0] = 1.0;
  phi_prev[1] = acov[1] / acov[0];
  double sig = acov[0] - phi_prev[1] * acov[1];
  out[1] = phi_prev[1];
  for (std::size_t k = 2; k <= max_lag; ++k) {
    double dot = 0.0;
    for (std::size_t j = 1; j < k; ++j) dot += phi_prev[j] * acov[k - j];
    const double pkk = (acov[k] - dot) / sig;
    for (std::size_t j = 1; j < k; ++j) phi_cur[j] = phi_prev[j] - pkk * phi_prev[k - j];
    phi_cur[k] = pkk;
    sig = sig * (1.0 - pkk * pkk);
    out[k] = pkk;
    std::swap(phi_prev, phi_cur);
  }
}

void ar_coefficient(std::span<const double> x, Workspace& ws, double* out) {
  constexpr std::size_t kLags = 10;
  const std::size_t n = x.size();
  std::fill(out, out + kLags + 1, kNaN);
  if (n < 22) {
    // statsmodels raises; tsfresh's fallback list has k entries, so coeff_k hits IndexError and becomes 0.
    out[kLags] = 0.0;
    return;
  }
  const std::size_t rows = n - kLags;
  const std::size_t cols = kLags + 1;
  double* design = ws.take(rows * cols);
  double* y = ws.take(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t t = kLags + i;
    y[i] = x[t];
    design[i] = 1.0;
    for (std::size_t j = 1; j <= kLags; ++j) design[j * rows + i] = x[t - j];
  }
  double* scratch = ws.take(rows * (cols + 1));
  const numeric::OlsResult r = numeric::ols_pinv(design, y, rows, cols, kPinvRcond, 0, out, scratch);
  if (!r.ok) std::fill(out, out + kLags + 1, kNaN);
}

void augmented_dickey_fuller(std::span<const double> x, Workspace& ws, double* out) {
  const std::size_t n = x.size();
  std::fill(out, out + 3, kNaN);
  // maxlag = ceil(12 (n/100)^(1/4)), capped at n//2 - 2 (statsmodels raises below 0 -> tsfresh NaN).
  const auto n_half = static_cast<long>(n / 2);
  long maxlag = static_cast<long>(std::ceil(12.0 * std::pow(static_cast<double>(n) / 100.0, 1.0 / 4.0)));
  maxlag = std::min(n_half - 2, maxlag);
  if (maxlag < 0) return;
  for (double v : x)
    if (!std::isfinite(v)) return;
  const auto ml = static_cast<std::size_t>(maxlag);
  if (ml + 2 > numeric::kOlsMaxCols) return;  // n > ~10000: beyond the fixed-size solver, NaN
  // Autolag: every lag count 0..maxlag on the common sample (rows from index maxlag), min AIC, first wins.
  // The candidate designs are the leading 2..maxlag+2 columns of one matrix, so one QR serves them all.
  const std::size_t max_cols = ml + 2;
  double* design = ws.take(n * max_cols);
  double* y = ws.take(n);
  double* beta = ws.take(max_cols);
  double* scratch = ws.take(n * (max_cols + 1));
  std::size_t best = 0;
  if (ml > 0) {  // with a single candidate (maxlag 0, i.e. n < 8) the choice is fixed
    const AdfDesign d = build_adf_design(x, ml, ml, true, design, y);
    double* a = scratch;
    double* qty = scratch + d.rows * d.cols;
    std::copy(design, design + d.rows * d.cols, a);
    std::copy(y, y + d.rows, qty);
    numeric::householder_qr(a, qty, d.rows, d.cols);
    double best_aic = 0.0;
    for (std::size_t lags = 0; lags <= ml; ++lags) {
      const numeric::OlsResult r =
          numeric::ols_from_qr(design, y, a, qty, d.rows, lags + 2, kPinvRcond, d.c_level, beta);
      const double aic = ols_aic(r, y, d.rows);
      if (lags == 0 || aic < best_aic) {
        best_aic = aic;
        best = lags;
      }
    }
  }
  const AdfDesign d = build_adf_design(x, best, best, false, design, y);
  const numeric::OlsResult r = numeric::ols_pinv(design, y, d.rows, d.cols, kPinvRcond, d.c_level, beta, scratch);
  const double tstat = level_tstat(r, beta, d.c_level, d.rows);
  out[0] = tstat;
  out[1] = mackinnon_p_c(tstat);
  out[2] = static_cast<double>(best);
}

}  // namespace lc::features::advanced
