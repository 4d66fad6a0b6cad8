// Numerically involved tsfresh calculators (statsmodels, scipy and pywt ports, FFT families): the registry.
// The implementations live in calc_advanced_{fft,trend,stats,cwt,friedrich}.cpp; the parameter names below
// reproduce tsfresh 0.21.2's column names exactly (reference.json["feature_names"]) and their order is the
// order in which each calculator writes its outputs.
#include <array>
#include <string>
#include <vector>

#include "features/advanced_calculators.h"
#include "features/calculator.h"

namespace lc::features {
namespace {

// Owns the generated name strings for the lifetime of the program (built once, at first use).
struct NameList {
  std::vector<std::string> storage;
  std::vector<std::string_view> views;
  void add(std::string s) { storage.push_back(std::move(s)); }
  std::span<const std::string_view> finish() {
    views.assign(storage.begin(), storage.end());
    return views;
  }
};

std::string q(const char* s) { return std::string("\"") + s + "\""; }

struct Registry {
  std::array<NameList, 14> lists;
  std::vector<Calculator> calcs;

  Registry() {
    std::size_t li = 0;
    // `some`: the calculator's selective entry point (calculator.h), nullptr for those whose outputs all cost
    // about the same.
    auto reg = [&](std::string_view name, CalcFn fn, SomeFn some, auto&& fill) {
      NameList& l = lists[li++];
      fill(l);
      calcs.push_back(Calculator{name, l.finish(), fn, some});
    };
    reg("agg_autocorrelation", &advanced::agg_autocorrelation, nullptr, [](NameList& l) {
      for (const char* f : {"mean", "median", "var"}) l.add("f_agg_" + q(f) + "__maxlag_40");
    });
    reg("partial_autocorrelation", &advanced::partial_autocorrelation, nullptr, [](NameList& l) {
      for (int lag = 0; lag < 10; ++lag) l.add("lag_" + std::to_string(lag));
    });
    reg("number_cwt_peaks", &advanced::number_cwt_peaks, nullptr, [](NameList& l) {
      l.add("n_1");
      l.add("n_5");
    });
    reg("cwt_coefficients", &advanced::cwt_coefficients, &advanced::cwt_coefficients_some, [](NameList& l) {
      for (int c = 0; c < 15; ++c)
        for (int w : {2, 5, 10, 20})
          l.add("coeff_" + std::to_string(c) + "__w_" + std::to_string(w) + "__widths_(2, 5, 10, 20)");
    });
    reg("spkt_welch_density", &advanced::spkt_welch_density, &advanced::spkt_welch_density_some, [](NameList& l) {
      for (int c : {2, 5, 8}) l.add("coeff_" + std::to_string(c));
    });
    reg("ar_coefficient", &advanced::ar_coefficient, nullptr, [](NameList& l) {
      for (int c = 0; c <= 10; ++c) l.add("coeff_" + std::to_string(c) + "__k_10");
    });
    reg("fft_coefficient", &advanced::fft_coefficient, &advanced::fft_coefficient_some, [](NameList& l) {
      for (const char* a : {"real", "imag", "abs", "angle"})
        for (int c = 0; c < 100; ++c) l.add("attr_" + q(a) + "__coeff_" + std::to_string(c));
    });
    reg("fft_aggregated", &advanced::fft_aggregated, nullptr, [](NameList& l) {
      for (const char* a : {"centroid", "variance", "skew", "kurtosis"}) l.add("aggtype_" + q(a));
    });
    reg("friedrich_coefficients", &advanced::friedrich_coefficients, nullptr, [](NameList& l) {
      for (int c = 0; c < 4; ++c) l.add("coeff_" + std::to_string(c) + "__m_3__r_30");
    });
    reg("max_langevin_fixed_point", &advanced::max_langevin_fixed_point, nullptr,
        [](NameList& l) { l.add("m_3__r_30"); });
    reg("linear_trend", &advanced::linear_trend, &advanced::linear_trend_some, [](NameList& l) {
      for (const char* a : {"pvalue", "rvalue", "intercept", "slope", "stderr"}) l.add("attr_" + q(a));
    });
    reg("agg_linear_trend", &advanced::agg_linear_trend, &advanced::agg_linear_trend_some, [](NameList& l) {
      for (const char* a : {"rvalue", "intercept", "slope", "stderr"})
        for (int len : {5, 10, 50})
          for (const char* f : {"max", "min", "mean", "var"})
            l.add("attr_" + q(a) + "__chunk_len_" + std::to_string(len) + "__f_agg_" + q(f));
    });
    reg("augmented_dickey_fuller", &advanced::augmented_dickey_fuller, nullptr, [](NameList& l) {
      for (const char* a : {"teststat", "pvalue", "usedlag"}) l.add("attr_" + q(a) + "__autolag_" + q("AIC"));
    });
    reg("fourier_entropy", &advanced::fourier_entropy, nullptr, [](NameList& l) {
      for (int b : {2, 3, 5, 10, 100}) l.add("bins_" + std::to_string(b));
    });
  }
};

}  // namespace

std::span<const Calculator> advanced_calculators() {
  static const Registry kRegistry;
  return kRegistry.calcs;
}

}  // namespace lc::features
