#include "per_window.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "decode/graph.h"

namespace lc::bench {

namespace {
[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "bench: %s\n", msg.c_str());
  std::exit(2);
}
constexpr std::int64_t kWindowNs = 5'000'000'000;  // spacing of the decoder's synthetic window times, 5 s
}  // namespace

PerWindow::PerWindow(const std::string& model_dir, std::vector<OwnedWindow> windows) : m_windows(std::move(windows)) {
  auto b1 = load_bundle_or_exit(model_dir);
  auto b2 = load_bundle_or_exit(model_dir);
  auto b3 = load_bundle_or_exit(model_dir, model::Engine::xgboost);
  auto b4 = load_bundle_or_exit(model_dir, model::Engine::xgboost);
  if (!b1 || !b2 || !b3 || !b4) die("a model bundle is needed (--model=DIR)");
  const model::Manifest m = b1->manifest();
  m_n_features = m.features.size();
  // Model input: the features, then (context_windows = 1) the previous window's.
  m_n_inputs = m_n_features * static_cast<std::size_t>(1 + m.context_windows);
  m_models = m.models.size();
  m_k = m.classes.size();

  auto graph = decode::TransitionGraph::from_edges(m.classes, m.transitions);
  if (!graph) die(graph.error().message);
  count::PathCounterOptions po;  // online, default lag: what replay runs
  auto pc = count::PathCounter::create(b1->classes(), std::move(*graph), m.position_buckets, po);
  if (!pc) die(pc.error().message);
  m_counter = std::make_unique<count::PathCounter>(std::move(*pc));

  auto plan = features::FeaturePlan::compile(signal_names(), m.features);
  if (!plan) die(plan.error().message);
  m_extractor = std::make_unique<features::Extractor>(std::move(*plan), m.window_points);

  auto scorer = model::WindowScorer::create(std::move(*b1));
  if (!scorer) die(scorer.error().message);
  m_scorer = std::move(*scorer);
  auto scorer_xgb = model::WindowScorer::create(std::move(*b4));
  if (!scorer_xgb) die(scorer_xgb.error().message);
  m_scorer_xgb = std::move(*scorer_xgb);

  m_models_bundle = std::make_unique<model::ModelBundle>(std::move(*b2));
  m_xgb_bundle = std::make_unique<model::ModelBundle>(std::move(*b3));
  m_row.assign(m_n_inputs, 0.0f);
  m_out.assign(m_k, 0.0f);
  m_probs.assign(m_k, 0.0);
  m_pos.assign(m_k, 0);
  for (auto& booster : m_xgb_bundle->boosters()) booster.bind_input(m_row.data(), m_row.size());

  // Each window's inputs to stages 2 and 3, computed by the real scorer.
  m_rows.resize(m_windows.size() * m_n_inputs);
  m_all_probs.resize(m_windows.size() * m_k);
  m_all_pos.resize(m_windows.size() * m_k);
  for (std::size_t i = 0; i < m_windows.size(); ++i) {
    if (!m_scorer->score(m_windows[i].window)) die("scoring failed");
    std::copy(m_scorer->features().begin(), m_scorer->features().end(),
              m_rows.begin() + static_cast<std::ptrdiff_t>(i * m_n_inputs));
    std::copy(m_scorer->probabilities().begin(), m_scorer->probabilities().end(),
              m_all_probs.begin() + static_cast<std::ptrdiff_t>(i * m_k));
    std::copy(m_scorer->positions().begin(), m_scorer->positions().end(),
              m_all_pos.begin() + static_cast<std::ptrdiff_t>(i * m_k));
  }
}

void PerWindow::features(std::size_t i) {
  m_extractor->extract(series_of(m_windows[i].window), std::span<float>(m_row.data(), m_n_features));
}

void PerWindow::models(std::size_t i) {
  std::copy_n(m_rows.begin() + static_cast<std::ptrdiff_t>(i * m_n_inputs), m_n_inputs, m_row.begin());
  std::fill(m_probs.begin(), m_probs.end(), -1.0);
  const auto& forests = m_models_bundle->forests();
  for (std::size_t p = 0; p < forests.size(); ++p) {
    forests[p].predict(m_row.data(), m_out);
    for (std::size_t c = 0; c < m_k; ++c)
      if (m_out[c] > m_probs[c]) {
        m_probs[c] = m_out[c];
        m_pos[c] = static_cast<std::uint8_t>(p);
      }
  }
}

void PerWindow::models_xgboost(std::size_t i) {
  std::copy_n(m_rows.begin() + static_cast<std::ptrdiff_t>(i * m_n_inputs), m_n_inputs, m_row.begin());
  std::fill(m_probs.begin(), m_probs.end(), -1.0);
  auto& boosters = m_xgb_bundle->boosters();
  for (std::size_t p = 0; p < boosters.size(); ++p) {
    if (!boosters[p].predict_bound(m_out)) die("prediction failed");
    for (std::size_t c = 0; c < m_k; ++c)
      if (m_out[c] > m_probs[c]) {
        m_probs[c] = m_out[c];
        m_pos[c] = static_cast<std::uint8_t>(p);
      }
  }
}

void PerWindow::push_decoder(std::span<const double> probs, std::span<const std::uint8_t> positions) {
  count::ScoredWindow sw;
  sw.start_ns = m_pushed * kWindowNs;
  sw.end_ns = sw.start_ns + kWindowNs;
  sw.segment_start = m_pushed == 0;
  sw.probs = probs;
  sw.positions = positions;
  m_counter->push(sw);
  ++m_pushed;
}

void PerWindow::decoder(std::size_t i) {
  push_decoder(std::span<const double>(m_all_probs).subspan(i * m_k, m_k),
               std::span<const std::uint8_t>(m_all_pos).subspan(i * m_k, m_k));
}

void PerWindow::window(std::size_t i) {
  if (!m_scorer->score(m_windows[i].window)) die("scoring failed");
  push_decoder(m_scorer->probabilities(), m_scorer->positions());
}

void PerWindow::window_xgboost(std::size_t i) {
  if (!m_scorer_xgb->score(m_windows[i].window)) die("scoring failed");
  push_decoder(m_scorer_xgb->probabilities(), m_scorer_xgb->positions());
}

}  // namespace lc::bench
