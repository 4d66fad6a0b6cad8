// Per-window cost of the replay path, stage by stage, with percentiles (Google Benchmark reports means).
//
//   bench_window_cost --model=DIR --log=FILE [--reps=N]              timing: every window of the log, N passes
//   bench_window_cost --model=DIR --log=FILE --callgrind=N           fixed work for valgrind --tool=callgrind
//
// Timing mode times each call with steady_clock (about 20-30 ns of overhead, stated in BENCHMARKS.md) and
// prints one JSON object per stage: {"stage", "windows", "median_us", "p99_us", "mean_us", "min_us", "max_us"}.
// Callgrind mode runs each stage on N windows (cycling through the log's windows) between CALLGRIND_ZERO_STATS
// and CALLGRIND_DUMP_STATS_AT("<stage>"), so each dump holds that stage's instructions alone: divide its
// "summary" by N. Natively the client requests are no-ops.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(x) (void)(x)
#endif

#include "bench_common.h"
#include "per_window.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Stage {
  const char* name;
  void (lc::bench::PerWindow::*fn)(std::size_t);
};
constexpr Stage kStages[] = {
    {"features_selected", &lc::bench::PerWindow::features},
    {"models_forest", &lc::bench::PerWindow::models},
    {"models_xgboost", &lc::bench::PerWindow::models_xgboost},
    {"decoder_step", &lc::bench::PerWindow::decoder},
    {"whole_window", &lc::bench::PerWindow::window},
    {"whole_window_xgboost", &lc::bench::PerWindow::window_xgboost},
};

double quantile(std::vector<double>& v, double q) {
  // Nearest-rank quantile of the sorted sample.
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  const lc::bench::Options opt = lc::bench::take_options(argc, argv);
  int reps = 5;
  long callgrind = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--reps=", 7) == 0) {
      reps = std::atoi(argv[i] + 7);
    } else if (std::strncmp(argv[i], "--callgrind=", 12) == 0) {
      callgrind = std::atol(argv[i] + 12);
    } else {
      std::fprintf(stderr, "usage: bench_window_cost --model=DIR --log=FILE [--reps=N | --callgrind=N]\n");
      return 2;
    }
  }
  if (opt.model_dir.empty() || opt.log.empty() || reps < 1 || callgrind < 0) {
    std::fprintf(stderr, "bench_window_cost: --model=DIR and --log=FILE are required (reps >= 1)\n");
    return 2;
  }
  auto bundle = lc::bench::load_bundle_or_exit(opt.model_dir);
  auto windows = lc::bench::windows_from_log(opt.log, &bundle->manifest());
  lc::bench::PerWindow pw(opt.model_dir, std::move(windows));
  const std::size_t n = pw.window_count();

  if (callgrind > 0) {
    // Close the set-up part first: a dump's "summary" counts from the previous dump (ZERO_STATS alone does not
    // reset it), so each stage's dump then holds that stage's instructions alone.
    CALLGRIND_DUMP_STATS_AT("setup");
    for (const Stage& s : kStages) {
      CALLGRIND_ZERO_STATS;
      for (long i = 0; i < callgrind; ++i) (pw.*s.fn)(static_cast<std::size_t>(i) % n);
      CALLGRIND_DUMP_STATS_AT(s.name);
    }
    std::printf("{\"callgrind_windows\": %ld, \"features\": %zu, \"models\": %zu, \"classes\": %zu}\n", callgrind,
                pw.feature_count(), pw.model_count(), pw.class_count());
    return 0;
  }

  std::vector<double> us;
  us.reserve(n * static_cast<std::size_t>(reps));
  for (const Stage& s : kStages) {
    us.clear();
    for (std::size_t i = 0; i < n; ++i) (pw.*s.fn)(i);  // warm-up pass
    for (int r = 0; r < reps; ++r)
      for (std::size_t i = 0; i < n; ++i) {
        const auto t0 = Clock::now();
        (pw.*s.fn)(i);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
    double sum = 0;
    for (double v : us) sum += v;
    const double mean = sum / static_cast<double>(us.size());
    const double p50 = quantile(us, 0.50);
    const double p99 = quantile(us, 0.99);
    std::printf(
        "{\"stage\": \"%s\", \"windows\": %zu, \"median_us\": %.3f, \"p99_us\": %.3f, \"mean_us\": %.3f, \"min_us\": "
        "%.3f, "
        "\"max_us\": %.3f, \"features\": %zu, \"models\": %zu, \"classes\": %zu}\n",
        s.name, us.size(), p50, p99, mean, us.front(), us.back(), pw.feature_count(), pw.model_count(),
        pw.class_count());
  }
  return 0;
}
