#include "features/plan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

namespace lc::features {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string feature_name(std::string_view signal, const Calculator& c, std::string_view param) {
  std::string name;
  name.reserve(signal.size() + c.name.size() + param.size() + 4);
  name.append(signal).append("__").append(c.name);
  if (!param.empty()) name.append("__").append(param);
  return name;
}

// Offsets of each calculator's first output within one signal's block, plus the block size at the end.
std::vector<std::size_t> calculator_offsets(std::span<const Calculator> calcs) {
  std::vector<std::size_t> offsets;
  offsets.reserve(calcs.size() + 1);
  std::size_t at = 0;
  for (const auto& c : calcs) {
    offsets.push_back(at);
    at += c.params.size();
  }
  offsets.push_back(at);
  return offsets;
}

// Where `name` comes from, without the names of the whole space: the first signal, calculator and parameter,
// in space order, whose feature_name() is `name` (FeatureSpace::index_of keeps the first of duplicates too).
// Names are signal "__" calculator ["__" parameter]; calculator names hold no "__", signal names may.
std::optional<FeatureSpace::Slot> resolve_name(std::string_view name, std::span<const std::string> signals,
                                               std::span<const Calculator> calcs) {
  for (std::size_t s = 0; s < signals.size(); ++s) {
    const std::string_view sig = signals[s];
    if (!name.starts_with(sig) || name.substr(sig.size(), 2) != "__") continue;
    const std::string_view rest = name.substr(sig.size() + 2);
    for (std::size_t c = 0; c < calcs.size(); ++c) {
      const std::string_view calc = calcs[c].name;
      if (!rest.starts_with(calc)) continue;
      std::string_view param = rest.substr(calc.size());
      if (!param.empty()) {
        if (!param.starts_with("__") || param.size() == 2) continue;  // another calculator's name, or "x__c__"
        param.remove_prefix(2);
      }
      const auto& params = calcs[c].params;
      for (std::size_t o = 0; o < params.size(); ++o) {
        if (params[o] == param) {
          return FeatureSpace::Slot{static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(c),
                                    static_cast<std::uint32_t>(o)};
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// FeatureSpace

FeatureSpace::FeatureSpace(std::vector<std::string> signals, std::span<const Calculator> calculators)
    : m_signals(std::move(signals)),
      m_calcs(calculators.begin(), calculators.end()),
      m_calc_offset(calculator_offsets(calculators)),
      m_per_signal(m_calc_offset.back()) {
  m_names.reserve(m_signals.size() * m_per_signal);
  for (const auto& s : m_signals) {
    for (const auto& c : m_calcs) {
      for (const auto& p : c.params) m_names.push_back(feature_name(s, c, p));
    }
  }
  m_index.reserve(m_names.size());
  for (std::size_t i = 0; i < m_names.size(); ++i) m_index.emplace(m_names[i], i);  // keeps the first
}

std::optional<std::size_t> FeatureSpace::index_of(std::string_view name) const {
  const auto it = m_index.find(std::string(name));
  if (it == m_index.end()) return std::nullopt;
  return it->second;
}

FeatureSpace::Slot FeatureSpace::slot(std::size_t index) const {
  Slot s;
  s.signal = static_cast<std::uint32_t>(index / m_per_signal);
  const std::size_t within = index % m_per_signal;
  // Last calculator whose offset is <= within; calculators with no outputs share an offset and are skipped.
  const auto it = std::upper_bound(m_calc_offset.begin(), m_calc_offset.end() - 1, within);
  const auto c = static_cast<std::size_t>(it - m_calc_offset.begin()) - 1;
  s.calculator = static_cast<std::uint32_t>(c);
  s.output = static_cast<std::uint32_t>(within - m_calc_offset[c]);
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// FeaturePlan

Expected<FeaturePlan> FeaturePlan::compile(const FeatureSpace& space, std::span<const std::string> selected) {
  return compile_with(space.calculators(), space.signal_count(), selected,
                      [&](std::string_view name) -> std::optional<FeatureSpace::Slot> {
                        const auto index = space.index_of(name);
                        if (!index) return std::nullopt;
                        return space.slot(*index);
                      });
}

Expected<FeaturePlan> FeaturePlan::compile(std::vector<std::string> signals,
                                           std::span<const std::string> selected) {
  // Resolves each selected name on its own: building FeatureSpace's 7,770 names and their hash map for a
  // model's 400 was most of a replay's start-up page faults (BENCHMARKS.md). Same plan, tested against it.
  const std::span<const Calculator> calcs = all_calculators();
  return compile_with(calcs, signals.size(), selected,
                      [&](std::string_view name) { return resolve_name(name, signals, calcs); });
}

Expected<FeaturePlan> FeaturePlan::compile_with(
    std::span<const Calculator> calcs, std::size_t signal_count, std::span<const std::string> selected,
    const std::function<std::optional<FeatureSpace::Slot>(std::string_view)>& resolve) {
  FeaturePlan plan;
  plan.m_calcs.assign(calcs.begin(), calcs.end());
  plan.m_calc_offset = calculator_offsets(plan.m_calcs);
  plan.m_per_signal = plan.m_calc_offset.back();
  plan.m_output_count = selected.size();
  for (const auto& c : plan.m_calcs) plan.m_max_outputs = std::max(plan.m_max_outputs, c.params.size());

  // Resolve every name first, so the error names the first unknown one in model order.
  struct Need {
    FeatureSpace::Slot slot;
    std::uint32_t dest;
  };
  std::vector<Need> needs;
  needs.reserve(selected.size());
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const auto slot = resolve(selected[i]);
    if (!slot) {
      return Error::bad_input("feature plan: unknown feature name '" + selected[i] + "' at position " +
                              std::to_string(i) + " of " + std::to_string(selected.size()) +
                              " (not produced by these signals and calculators)");
    }
    needs.push_back({*slot, static_cast<std::uint32_t>(i)});
  }
  // Group by (signal, calculator); within a run, outputs in ascending order (then destination).
  std::sort(needs.begin(), needs.end(), [](const Need& a, const Need& b) {
    if (a.slot.signal != b.slot.signal) return a.slot.signal < b.slot.signal;
    if (a.slot.calculator != b.slot.calculator) return a.slot.calculator < b.slot.calculator;
    if (a.slot.output != b.slot.output) return a.slot.output < b.slot.output;
    return a.dest < b.dest;
  });

  plan.m_signal_runs.assign(signal_count, {0, 0});
  plan.m_routes.reserve(needs.size());
  std::size_t i = 0;
  for (std::uint32_t s = 0; s < signal_count; ++s) {
    plan.m_signal_runs[s].first = static_cast<std::uint32_t>(plan.m_runs.size());
    while (i < needs.size() && needs[i].slot.signal == s) {
      Run run;
      run.calculator = needs[i].slot.calculator;
      run.first_route = static_cast<std::uint32_t>(plan.m_routes.size());
      while (i < needs.size() && needs[i].slot.signal == s && needs[i].slot.calculator == run.calculator) {
        plan.m_routes.push_back({needs[i].slot.output, needs[i].dest});
        ++i;
      }
      run.n_routes = static_cast<std::uint32_t>(plan.m_routes.size()) - run.first_route;
      plan.add_wanted(run);
      plan.m_runs.push_back(run);
    }
    plan.m_signal_runs[s].second = static_cast<std::uint32_t>(plan.m_runs.size());
  }
  return plan;
}

void FeaturePlan::add_wanted(Run& run) {
  const Calculator& c = m_calcs[run.calculator];
  if (c.some == nullptr || c.params.size() > std::numeric_limits<std::uint16_t>::max()) return;
  // Routes are sorted by output, so the distinct outputs come out ascending.
  const auto first = static_cast<std::uint32_t>(m_wanted.size());
  for (std::uint32_t r = run.first_route; r < run.first_route + run.n_routes; ++r) {
    const auto o = static_cast<std::uint16_t>(m_routes[r].output);
    if (m_wanted.size() == first || m_wanted.back() != o) m_wanted.push_back(o);
  }
  const auto count = static_cast<std::uint32_t>(m_wanted.size()) - first;
  if (count == c.params.size()) {  // every output: the full calculator does the same work with less bookkeeping
    m_wanted.resize(first);
    return;
  }
  run.first_wanted = first;
  run.n_wanted = count;
}

std::span<const FeaturePlan::Run> FeaturePlan::runs(std::size_t s) const {
  const auto [begin, end] = m_signal_runs[s];
  return std::span<const Run>(m_runs).subspan(begin, end - begin);
}

// ---------------------------------------------------------------------------------------------------------
// Extractor

Extractor::Extractor(FeaturePlan plan, std::size_t max_series_len)
    : m_plan(std::move(plan)),
      m_max_n(max_series_len),
      m_ws(max_series_len),
      m_scratch(std::max<std::size_t>(m_plan.max_calculator_outputs(), 1)) {}

bool Extractor::usable(std::span<const double> x) const {
  if (x.empty()) return false;
  // No early exit: NaN is rare, and a plain OR over the series vectorises.
  bool any_nan = false;
  for (const double v : x) any_nan |= std::isnan(v);
  return !any_nan;
}

void Extractor::extract(std::span<const std::span<const double>> series_per_signal, std::span<float> out) {
  const auto nan_f = std::numeric_limits<float>::quiet_NaN();
  const bool shape_ok = series_per_signal.size() == m_plan.signal_count() && out.size() == m_plan.output_count() &&
                        std::all_of(series_per_signal.begin(), series_per_signal.end(),
                                    [&](std::span<const double> x) { return x.size() <= m_max_n; });
  if (!shape_ok) {
    std::fill(out.begin(), out.end(), nan_f);
    return;
  }
  const auto routes = m_plan.routes();
  const auto wanted = m_plan.wanted();
  const auto calcs = m_plan.calculators();
  for (std::size_t s = 0; s < series_per_signal.size(); ++s) {
    const auto runs = m_plan.runs(s);
    if (runs.empty()) continue;  // a signal the model does not use: not even its NaN check
    const auto x = series_per_signal[s];
    const bool ok = usable(x);
    for (const auto& run : runs) {
      const auto run_routes = routes.subspan(run.first_route, run.n_routes);
      if (!ok) {
        for (const auto& r : run_routes) out[r.dest] = nan_f;
        continue;
      }
      m_ws.reset();
      const Calculator& c = calcs[run.calculator];
      if (run.n_wanted > 0) {
        c.some(x, m_ws, wanted.subspan(run.first_wanted, run.n_wanted), m_scratch.data());
      } else {
        c.fn(x, m_ws, m_scratch.data());
      }
      for (const auto& r : run_routes) out[r.dest] = static_cast<float>(m_scratch[r.output]);
    }
  }
}

void Extractor::extract_all(std::span<const std::span<const double>> series_per_signal, std::span<double> out) {
  const bool shape_ok = series_per_signal.size() == m_plan.signal_count() && out.size() == m_plan.full_size() &&
                        std::all_of(series_per_signal.begin(), series_per_signal.end(),
                                    [&](std::span<const double> x) { return x.size() <= m_max_n; });
  if (!shape_ok) {
    std::fill(out.begin(), out.end(), kNaN);
    return;
  }
  const auto calcs = m_plan.calculators();
  const std::size_t per_signal = m_plan.full_size() / std::max<std::size_t>(m_plan.signal_count(), 1);
  for (std::size_t s = 0; s < series_per_signal.size(); ++s) {
    const auto x = series_per_signal[s];
    double* block = out.data() + s * per_signal;
    if (!usable(x)) {
      std::fill(block, block + per_signal, kNaN);
      continue;
    }
    for (std::size_t c = 0; c < calcs.size(); ++c) {
      if (calcs[c].params.empty()) continue;
      m_ws.reset();
      calcs[c].fn(x, m_ws, block + m_plan.calculator_offset(c));
    }
  }
}

}  // namespace lc::features
