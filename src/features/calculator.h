// The tsfresh calculator catalogue: every calculator of tsfresh 0.21.2's
// MinimalFCParameters().update(EfficientFCParameters()), in tsfresh's column order (777 features per series).
//
// A `Calculator` computes ALL features of one tsfresh calculator (all of its parameter combinations) for one
// series in one call, writing `params.size()` doubles to `out` in tsfresh's column order. The feature name of
// output i is  `<column>__<name>`  when params[i] is empty, else  `<column>__<name>__<params[i]>`,
// exactly as tsfresh names it (e.g. `value__quantile__q_0.1`). NaN is returned where tsfresh returns NaN;
// booleans are 0.0/1.0. Calculators never allocate: temporary arrays come from the Workspace.
#pragma once

#include <span>
#include <string_view>

#include "features/workspace.h"

namespace lc::features {

using CalcFn = void (*)(std::span<const double> x, Workspace& ws, double* out);

struct Calculator {
  std::string_view name;                      // tsfresh calculator name, e.g. "quantile"
  std::span<const std::string_view> params;   // one entry per output; "" for a parameterless calculator
  CalcFn fn;
};

// The tsfresh calculator names in tsfresh's column order (72 names).
std::span<const std::string_view> tsfresh_calculator_order();

// Calculators implemented in calc_basic*.cpp and calc_advanced*.cpp respectively (any order).
std::span<const Calculator> basic_calculators();
std::span<const Calculator> advanced_calculators();

// All calculators, ordered as tsfresh orders its columns. Calculators not implemented yet are absent.
std::span<const Calculator> all_calculators();

}  // namespace lc::features
