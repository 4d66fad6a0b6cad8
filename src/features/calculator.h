// The tsfresh calculator catalogue: every calculator of tsfresh 0.21.2's
// MinimalFCParameters().update(EfficientFCParameters()), in tsfresh's column order (777 features per series).
//
// A `Calculator` computes ALL features of one tsfresh calculator (all of its parameter combinations) for one
// series in one call, writing `params.size()` doubles to `out` in tsfresh's column order. The feature name of
// output i is  `<column>__<name>`  when params[i] is empty, else  `<column>__<name>__<params[i]>`,
// exactly as tsfresh names it (e.g. `value__quantile__q_0.1`). NaN is returned where tsfresh returns NaN;
// booleans are 0.0/1.0. Calculators never allocate: temporary arrays come from the Workspace.
//
// A calculator whose outputs cost very different amounts (change_quantiles' 15 corridors, fft_coefficient's
// 100 bins, ...) also has `some`: it computes only the outputs listed in `wanted` (indices into the same
// output array, ascending, no repeats), writing out[i] for each i in `wanted` and leaving every other slot
// untouched. For each wanted output it gives bit for bit what `fn` gives (tests/unit/features/
// selective_calculators_test.cpp checks this), so a model's features do not depend on which other features
// it selected. The Extractor uses it for a model's selection; extract_all() and training use `fn`.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "features/workspace.h"

namespace lc::features {

using CalcFn = void (*)(std::span<const double> x, Workspace& ws, double* out);
using SomeFn = void (*)(std::span<const double> x, Workspace& ws, std::span<const std::uint16_t> wanted,
                        double* out);

struct Calculator {
  std::string_view name;                      // tsfresh calculator name, e.g. "quantile"
  std::span<const std::string_view> params;   // one entry per output; "" for a parameterless calculator
  CalcFn fn;
  SomeFn some = nullptr;                      // optional: only the wanted outputs (see above)
};

// The tsfresh calculator names in tsfresh's column order (72 names).
std::span<const std::string_view> tsfresh_calculator_order();

// Calculators implemented in calc_basic*.cpp and calc_advanced*.cpp respectively (any order).
std::span<const Calculator> basic_calculators();
std::span<const Calculator> advanced_calculators();

// All calculators, ordered as tsfresh orders its columns. Calculators not implemented yet are absent.
std::span<const Calculator> all_calculators();

}  // namespace lc::features
