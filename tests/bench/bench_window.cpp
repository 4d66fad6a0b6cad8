// Google Benchmark: the cost of one window, per stage.
//
//   bench_window [--model=DIR] [--log=FILE] [--by-calculator] [Google Benchmark flags, e.g. --benchmark_repetitions=5]
//
// --by-calculator adds features/by_calculator/<calculator>/<set>: the model's selected features of one
// calculator alone, to see where the selected set's time goes (off by default, so tools/bench.sh's table keeps
// its rows).
//
// Feature benchmarks run on synthetic windows like tsfresh's timing baseline (10 signals x 5 points, i.i.d.
// N(0,1), seed 0) and, with --log, on the windows replay cuts from that log. Model, decoder and whole-window
// benchmarks need --model (default models/default if it exists) and use the log's windows (synthetic ones
// without --log). Each iteration processes the next window of the set, cycling, so data-dependent branches
// see a realistic mix instead of one window repeated.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.h"
#include "features/plan.h"
#include "per_window.h"

namespace {

using lc::bench::OwnedWindow;

constexpr std::uint64_t kSeed = 0;  // tsfresh baseline's seed
constexpr std::size_t kRandomWindows = 256;

// tsfresh's MinimalFCParameters, per signal (for the comparison with its 2.6 ms per window).
const char* const kMinimal[] = {"sum_values", "median",           "mean",    "length",           "standard_deviation",
                                "variance",   "root_mean_square", "maximum", "absolute_maximum", "minimum"};

std::vector<std::string> minimal_names() {
  std::vector<std::string> out;
  for (const auto& s : lc::bench::signal_names())
    for (const char* c : kMinimal) out.push_back(s + "__" + c);
  return out;
}

void register_features(const std::string& label, std::shared_ptr<std::vector<OwnedWindow>> windows,
                       const std::vector<std::pair<std::string, std::vector<std::string>>>& selections) {
  const std::size_t points = windows->front().points;
  // Full feature space: every calculator on every signal.
  {
    auto plan = lc::features::FeaturePlan::compile(lc::bench::signal_names(), std::vector<std::string>{});
    if (!plan) {
      std::fprintf(stderr, "bench: %s\n", plan.error().message.c_str());
      std::exit(2);
    }
    auto ex = std::make_shared<lc::features::Extractor>(std::move(*plan), points);
    auto out = std::make_shared<std::vector<double>>(ex->plan().full_size());
    benchmark::RegisterBenchmark(("features/all_777x10/" + label).c_str(), [=](benchmark::State& st) {
      std::size_t i = 0;
      for (auto _ : st) {
        ex->extract_all(lc::bench::series_of((*windows)[i].window), *out);
        benchmark::DoNotOptimize(out->data());
        if (++i == windows->size()) i = 0;
      }
      st.counters["features"] = static_cast<double>(out->size());
    })->Unit(benchmark::kMicrosecond);
  }
  for (const auto& [name, selected] : selections) {
    auto plan = lc::features::FeaturePlan::compile(lc::bench::signal_names(), selected);
    if (!plan) {
      std::fprintf(stderr, "bench: %s\n", plan.error().message.c_str());
      std::exit(2);
    }
    auto ex = std::make_shared<lc::features::Extractor>(std::move(*plan), points);
    auto out = std::make_shared<std::vector<float>>(ex->plan().output_count());
    benchmark::RegisterBenchmark(("features/" + name + "/" + label).c_str(), [=](benchmark::State& st) {
      std::size_t i = 0;
      for (auto _ : st) {
        ex->extract(lc::bench::series_of((*windows)[i].window), *out);
        benchmark::DoNotOptimize(out->data());
        if (++i == windows->size()) i = 0;
      }
      st.counters["features"] = static_cast<double>(out->size());
    })->Unit(benchmark::kMicrosecond);
  }
}

// The model's selected features grouped by calculator (the name's second "__" field), one selection each.
std::vector<std::pair<std::string, std::vector<std::string>>> by_calculator(const std::vector<std::string>& names) {
  std::map<std::string, std::vector<std::string>> groups;
  for (const auto& n : names) {
    const auto a = n.find("__");
    if (a == std::string::npos) continue;
    const auto b = n.find("__", a + 2);
    groups[n.substr(a + 2, b == std::string::npos ? std::string::npos : b - a - 2)].push_back(n);
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (auto& [calc, sel] : groups) out.emplace_back("by_calculator/" + calc, std::move(sel));
  return out;
}

template <class Fn>
void register_stage(const std::string& name, std::shared_ptr<lc::bench::PerWindow> pw, Fn fn) {
  benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) {
    std::size_t i = 0;
    for (auto _ : st) {
      fn(*pw, i);
      if (++i == pw->window_count()) i = 0;
    }
    st.counters["models"] = static_cast<double>(pw->model_count());
    st.counters["features"] = static_cast<double>(pw->feature_count());
  })->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
  const lc::bench::Options opt = lc::bench::take_options(argc, argv);
  bool per_calculator = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--by-calculator") != 0) continue;
    per_calculator = true;
    for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
    --argc;
    break;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  std::vector<std::string> model_features;
  lc::model::Manifest manifest;
  bool have_model = false;
  if (auto b = lc::bench::load_bundle_or_exit(opt.model_dir)) {
    manifest = b->manifest();
    model_features = manifest.features;
    have_model = true;
  }
  const std::size_t points = have_model ? manifest.window_points : 5;

  std::vector<std::pair<std::string, std::vector<std::string>>> selections;
  selections.emplace_back("minimal_10x10", minimal_names());
  if (have_model) selections.emplace_back("selected_" + std::to_string(model_features.size()), model_features);
  if (have_model && per_calculator)
    for (auto& sel : by_calculator(model_features)) selections.push_back(std::move(sel));

  auto random = std::make_shared<std::vector<OwnedWindow>>(lc::bench::random_windows(kRandomWindows, points, kSeed));
  register_features("random", random, selections);
  std::shared_ptr<std::vector<OwnedWindow>> logw;
  if (!opt.log.empty()) {
    logw = std::make_shared<std::vector<OwnedWindow>>(
        lc::bench::windows_from_log(opt.log, have_model ? &manifest : nullptr));
    register_features("log", logw, selections);
  }

  if (have_model) {
    auto pw = std::make_shared<lc::bench::PerWindow>(opt.model_dir, logw ? *logw : *random);
    const std::string suffix = logw ? "/log" : "/random";
    register_stage("stage/features_selected" + suffix, pw,
                   [](lc::bench::PerWindow& p, std::size_t i) { p.features(i); });
    register_stage("stage/models_forest" + suffix, pw, [](lc::bench::PerWindow& p, std::size_t i) { p.models(i); });
    register_stage("stage/models_xgboost" + suffix, pw,
                   [](lc::bench::PerWindow& p, std::size_t i) { p.models_xgboost(i); });
    register_stage("stage/decoder_step" + suffix, pw, [](lc::bench::PerWindow& p, std::size_t i) { p.decoder(i); });
    register_stage("stage/whole_window" + suffix, pw, [](lc::bench::PerWindow& p, std::size_t i) { p.window(i); });
    register_stage("stage/whole_window_xgboost" + suffix, pw,
                   [](lc::bench::PerWindow& p, std::size_t i) { p.window_xgboost(i); });
  }
  std::fprintf(stderr, "bench_window: model=%s log=%s random windows seed=%llu\n",
               opt.model_dir.empty() ? "(none)" : opt.model_dir.c_str(), opt.log.empty() ? "(none)" : opt.log.c_str(),
               static_cast<unsigned long long>(kSeed));
  benchmark::RunSpecifiedBenchmarks();
  // Free the boosters now: at exit, XGBoost's own static state may already be gone when the registered
  // lambdas (which hold them) are destroyed, and XGBoosterFree then crashes.
  benchmark::ClearRegisteredBenchmarks();
  benchmark::Shutdown();
  return 0;
}
