// Shared set-up of the benchmark programs: model bundle lookup, real windows cut from a candump log with the
// same front end replay uses, and synthetic windows like tsfresh's timing baseline (/work/shared/data/tsfresh/
// timing.md: 10 signals x 5 points, i.i.d. N(0,1), seed 0).
//
// Benchmark programs are not library code: they print and exit on bad input (exit 2, message naming the file).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/bundle.h"
#include "signals/engine_signals.h"
#include "window/windower.h"

namespace lc::bench {

// A window that owns its samples (a Window's spans point into the windower's buffers, which move on).
struct OwnedWindow {
  std::vector<double> samples;  // kSignalCount * points, signal-major
  std::size_t points = 0;
  Window window;  // series point into `samples`

  OwnedWindow() = default;
  OwnedWindow(const OwnedWindow& o) { *this = o; }
  OwnedWindow& operator=(const OwnedWindow& o);
  void rebind();
};

// Command-line options every benchmark program understands (removed from argv before Google Benchmark sees it):
//   --model=DIR   model bundle (default: models/default under the source tree, if it exists)
//   --log=FILE    candump log to cut windows from (default: none; synthetic windows only)
struct Options {
  std::string model_dir;
  std::string log;
};
Options take_options(int& argc, char** argv);

// Loads the bundle or exits with a message. nullopt when `dir` is empty.
std::optional<model::ModelBundle> load_bundle_or_exit(const std::string& dir, model::Engine engine = model::Engine::forest);

// Windows of the log as replay cuts them (manifest front end if given, defaults otherwise); exits on a bad log.
std::vector<OwnedWindow> windows_from_log(const std::string& path, const model::Manifest* manifest);

// `count` windows of kSignalCount x `points` i.i.d. N(0,1) values from std::mt19937_64(seed).
std::vector<OwnedWindow> random_windows(std::size_t count, std::size_t points, std::uint64_t seed);

// Series of a window in the form Extractor::extract wants.
inline std::span<const std::span<const double>> series_of(const Window& w) {
  return std::span<const std::span<const double>>(w.series.data(), w.series.size());
}

// Names of the ten signals in window order.
std::vector<std::string> signal_names();

}  // namespace lc::bench
