// Basic tsfresh calculators (statistics, counts, locations, entropies, quantiles, change_quantiles, ...).
#include "features/calculator.h"

namespace lc::features {

std::span<const Calculator> basic_calculators() { return {}; }

}  // namespace lc::features
