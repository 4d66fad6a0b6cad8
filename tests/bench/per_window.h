// The per-window path split into the stages replay runs for every window (count/cycle_pipeline.cpp,
// model/bundle.cpp WindowScorer::score): features of the selected set -> every position model -> one step of
// the online decoder with event counting. Each stage can run alone on prepared inputs, so the benchmarks can
// time and count instructions per stage; run_window() is the whole path as WindowScorer + PathCounter do it.
#pragma once

#include <memory>
#include <vector>

#include "bench_common.h"
#include "count/path_counter.h"
#include "features/plan.h"
#include "model/bundle.h"

namespace lc::bench {

class PerWindow {
 public:
  // Builds the scorer and one online PathCounter (default lag) from the bundle, and precomputes every
  // window's feature row and probabilities so the model and decoder stages can run on their own inputs.
  // The bundle is loaded four times: inside the two WindowScorers (forest and XGBoost engines) and for the
  // two model stages on their own row.
  PerWindow(const std::string& model_dir, std::vector<OwnedWindow> windows);

  std::size_t window_count() const { return m_windows.size(); }
  std::size_t feature_count() const { return m_n_features; }
  std::size_t model_count() const { return m_models; }
  std::size_t class_count() const { return m_k; }

  // Stage 1: selected features of window i into the model input row.
  void features(std::size_t i);
  // Stage 2: window i's precomputed feature row through every position model (max over models per class), with
  // the compiled forest (what replay and the daemon run) or through XGBoost's C API (the reference).
  void models(std::size_t i);
  void models_xgboost(std::size_t i);
  // Stage 3: one online decoder step on window i's precomputed probabilities, as the n-th window of a stream.
  void decoder(std::size_t i);
  // All three on window i, as CyclePipeline::on_window does; and the same with the XGBoost engine.
  void window(std::size_t i);
  void window_xgboost(std::size_t i);

  const std::vector<double>& probs() const { return m_probs; }

 private:
  void push_decoder(std::span<const double> probs, std::span<const std::uint8_t> positions);

  std::vector<OwnedWindow> m_windows;
  std::unique_ptr<model::WindowScorer> m_scorer;        // the whole path (stage "window")
  std::unique_ptr<model::WindowScorer> m_scorer_xgb;    // the whole path with the XGBoost engine
  std::unique_ptr<features::Extractor> m_extractor;     // stage 1 alone
  std::unique_ptr<model::ModelBundle> m_models_bundle;  // stage 2 alone, forests
  std::unique_ptr<model::ModelBundle> m_xgb_bundle;     // stage 2 alone, boosters bound to m_row
  std::unique_ptr<count::PathCounter> m_counter;
  std::size_t m_n_features = 0, m_n_inputs = 0, m_models = 0, m_k = 0;
  std::vector<float> m_row, m_out;      // one model input row, one model's output
  std::vector<float> m_rows;            // per window: its model input row (windows x inputs)
  std::vector<double> m_all_probs;      // per window: its probabilities (windows x K)
  std::vector<std::uint8_t> m_all_pos;  // per window: positions (windows x K)
  std::vector<double> m_probs;          // stage 2's result
  std::vector<std::uint8_t> m_pos;
  std::int64_t m_pushed = 0;  // decoder windows so far (times must increase)
};

}  // namespace lc::bench
