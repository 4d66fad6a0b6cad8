// The feature space of a window and the compiled plan that computes a selected subset of it.
//
// A window holds one series per signal (ARCHITECTURE.md, "The ten signals"). Its features are named
//   <signal>__<calculator>[__<param>]        e.g. engine_speed_rpm__quantile__q_0.1
// and ordered signal-major: for each signal in the given order, for each calculator in catalogue order
// (all_calculators(), i.e. tsfresh's column order), each output of that calculator.
//
// Names are resolved once, when a FeaturePlan is compiled from the model bundle's feature list; after that
// the extractor runs on integers only (STYLE.md principle 2). Training and inference use the same plan and
// extractor, so the two cannot compute features differently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "features/calculator.h"
#include "features/workspace.h"
#include "util/expected.h"

namespace lc::features {

// All features of a window: signals x calculators x outputs, with their names.
class FeatureSpace {
 public:
  // `signals`: series names in window order. `calculators`: the catalogue (defaults to all_calculators();
  // tests pass their own). Signal names are used as given; duplicates make names ambiguous and are the
  // caller's bug (index_of() then finds the first).
  explicit FeatureSpace(std::vector<std::string> signals,
                        std::span<const Calculator> calculators = all_calculators());

  std::size_t size() const { return m_names.size(); }
  std::size_t signal_count() const { return m_signals.size(); }
  std::size_t features_per_signal() const { return m_per_signal; }
  std::span<const std::string> signals() const { return m_signals; }
  std::span<const Calculator> calculators() const { return m_calcs; }
  std::span<const std::string> names() const { return m_names; }
  const std::string& name(std::size_t index) const { return m_names[index]; }

  // Index of a feature name; nullopt for a name not in the space.
  std::optional<std::size_t> index_of(std::string_view name) const;

  // Where feature `index` comes from (index < size()).
  struct Slot {
    std::uint32_t signal = 0;
    std::uint32_t calculator = 0;  // index into calculators()
    std::uint32_t output = 0;      // index into that calculator's outputs
  };
  Slot slot(std::size_t index) const;

  // Offset of calculator `c`'s first output inside one signal's block.
  std::size_t calculator_offset(std::size_t c) const { return m_calc_offset[c]; }

 private:
  std::vector<std::string> m_signals;
  std::vector<Calculator> m_calcs;
  std::vector<std::size_t> m_calc_offset;  // per calculator, plus one past the end (== m_per_signal)
  std::size_t m_per_signal = 0;
  std::vector<std::string> m_names;
  std::unordered_map<std::string, std::size_t> m_index;
};

// Which calculators run on which signal, and where each needed output goes in the model's input vector.
class FeaturePlan {
 public:
  // `selected`: feature names in model input order (position i of the input vector is selected[i]); a name
  // may repeat. Returns BadInput naming the first name (and its position) not in `space`.
  static Expected<FeaturePlan> compile(const FeatureSpace& space, std::span<const std::string> selected);
  // Same plan as over FeatureSpace(signals, all_calculators()), without building that space's names.
  static Expected<FeaturePlan> compile(std::vector<std::string> signals, std::span<const std::string> selected);

  // One calculator run on one signal, and the outputs it feeds: routes()[first_route, first_route+n_routes).
  // When the calculator has `some` and the run needs only part of its outputs, those outputs (ascending, no
  // repeats) are wanted()[first_wanted, first_wanted+n_wanted); n_wanted == 0 means "run the full `fn`".
  struct Run {
    std::uint32_t calculator = 0;
    std::uint32_t first_route = 0;
    std::uint32_t n_routes = 0;
    std::uint32_t first_wanted = 0;
    std::uint32_t n_wanted = 0;
  };
  // Output `output` of a run goes to input position `dest`.
  struct Route {
    std::uint32_t output = 0;
    std::uint32_t dest = 0;
  };

  std::size_t signal_count() const { return m_signal_runs.size(); }
  std::size_t output_count() const { return m_output_count; }          // length of the model input vector
  std::size_t full_size() const { return m_signal_runs.size() * m_per_signal; }  // extract_all's length
  std::span<const Calculator> calculators() const { return m_calcs; }
  // Runs of signal `s`, each calculator at most once, in catalogue order.
  std::span<const Run> runs(std::size_t s) const;
  std::span<const Route> routes() const { return m_routes; }
  std::span<const std::uint16_t> wanted() const { return m_wanted; }
  // Largest number of outputs of any calculator (the extractor's scratch size).
  std::size_t max_calculator_outputs() const { return m_max_outputs; }
  std::size_t calculator_offset(std::size_t c) const { return m_calc_offset[c]; }

 private:
  // Both compile()s: `resolve` maps a name to its slot (nullopt: not in the space).
  static Expected<FeaturePlan> compile_with(
      std::span<const Calculator> calcs, std::size_t signal_count, std::span<const std::string> selected,
      const std::function<std::optional<FeatureSpace::Slot>(std::string_view)>& resolve);
  // Fills run.first_wanted/n_wanted from its routes (compile() time; see Run).
  void add_wanted(Run& run);

  std::vector<Calculator> m_calcs;
  std::vector<std::size_t> m_calc_offset;
  std::size_t m_per_signal = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> m_signal_runs;  // per signal: [begin, end) into m_runs
  std::vector<Run> m_runs;
  std::vector<Route> m_routes;
  std::vector<std::uint16_t> m_wanted;
  std::size_t m_output_count = 0;
  std::size_t m_max_outputs = 0;
};

// Runs a plan on one window. Owns all scratch memory, sized at construction: extract() and extract_all()
// never allocate (tests/unit/features/plan_alloc_test.cpp proves it). Not thread-safe; one per thread.
class Extractor {
 public:
  // `max_series_len`: the longest series any signal will have (samples per window).
  Extractor(FeaturePlan plan, std::size_t max_series_len);

  const FeaturePlan& plan() const { return m_plan; }

  // Writes the plan's selected features to `out` (plan().output_count() floats, for XGBoost), running each
  // calculator's `some` for just the outputs the plan routes where it has one. A feature
  // that is NaN stays NaN (XGBoost's "missing"). A signal whose series is empty or contains any NaN (missing
  // data in a degraded window) yields NaN for all its features.
  // Bad input (series_per_signal.size() != plan().signal_count(), a series longer than max_series_len, or
  // out.size() != plan().output_count()) is a caller bug: every element of `out` is set to NaN.
  void extract(std::span<const std::span<const double>> series_per_signal, std::span<float> out);

  // Writes every feature of the space, in FeatureSpace order (plan().full_size() doubles): for training and
  // the `features` CLI. Same NaN rules and the same bad-input behaviour as extract().
  void extract_all(std::span<const std::span<const double>> series_per_signal, std::span<double> out);

 private:
  bool usable(std::span<const double> x) const;

  FeaturePlan m_plan;
  std::size_t m_max_n;
  Workspace m_ws;
  std::vector<double> m_scratch;  // one calculator's outputs
};

}  // namespace lc::features
