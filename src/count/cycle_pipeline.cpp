#include "count/cycle_pipeline.h"

#include <algorithm>

#include "signals/engine_signals.h"

namespace lc::count {

Expected<std::unique_ptr<CyclePipeline>> CyclePipeline::create(model::ModelBundle bundle,
                                                               const std::vector<PathCounterOptions>& decoders) {
  std::unique_ptr<CyclePipeline> p(new CyclePipeline());
  const model::Manifest& m = bundle.manifest();
  const std::vector<WindowClass> classes = bundle.classes();
  const int buckets = m.position_buckets;
  LC_TRY(graph, decode::TransitionGraph::from_edges(m.classes, m.transitions));
  // The counters get probabilities times the class weights: the online decoder must know how large they get.
  double max_prob = 1.0;
  for (double w : m.decoder_class_weights) max_prob = std::max(max_prob, w);
  // The segment-end prior per class: that of the state the class ends in.
  std::vector<double> end_score;
  if (!m.decoder_segment_end_log_prior.empty())
    for (const auto& c : classes) end_score.push_back(m.decoder_segment_end_log_prior[static_cast<std::size_t>(c.last())]);
  for (auto o : decoders) {
    o.online.max_prob = std::max(o.online.max_prob, max_prob);
    o.online.prob_floor = o.prob_floor_override.value_or(m.decoder_prob_floor.value_or(decode::kDefaultProbFloor));
    o.online.segment_end_score = end_score;
    o.min_load_to_trip_s = o.min_load_to_trip_override.value_or(m.decoder_min_load_to_trip_s.value_or(0.0));
    LC_TRY(pc, PathCounter::create(classes, graph, buckets, o));
    p->m_counters.push_back(std::move(pc));
    p->m_keep_history = p->m_keep_history || o.keep_history;
  }
  p->m_class_weights = m.decoder_class_weights;
  p->m_weighted.assign(m.classes.size(), 0.0);
  LC_TRY(scorer, model::WindowScorer::create(std::move(bundle)));
  p->m_scorer = std::move(scorer);
  CyclePipeline* self = p.get();
  LC_TRY(front, make_front_end(p->m_scorer->bundle().manifest(), [self](const Window& w) { self->on_window(w); }));
  p->m_front = std::move(front);
  return p;
}

Expected<std::unique_ptr<FramePipeline>> CyclePipeline::make_front_end(const model::Manifest& m, FramePipeline::WindowSink on_window) {
  LC_TRY(plan, default_decode_plan(m.source_address));
  return std::make_unique<FramePipeline>(std::move(plan), m.front_end(), std::move(on_window));
}

void CyclePipeline::on_window(const Window& w) {
  bool segment_start = w.segment_start;
  if (m_resume_end_ns >= 0) {
    if (w.end_ns <= m_resume_end_ns) {
      m_scorer->observe(w);  // counted before the checkpoint, but the next window's context
      return;
    }
    if (w.start_ns == m_resume_end_ns) segment_start = false;
    m_resume_end_ns = -1;
  }
  ++m_stats.windows;
  if (w.degraded()) {
    ++m_stats.degraded_windows;
    for (std::size_t i = 0; i < kSignalCount; ++i)
      if (w.missing_mask & (1u << i)) ++m_stats.missing_by_signal[i];
  }
  if (segment_start) ++m_stats.segments;
  if (!m_scorer->score(w)) ++m_stats.scoring_errors;
  if (m_keep_history) {
    m_window_start.push_back(w.start_ns);
    m_window_end.push_back(w.end_ns);
  }
  ScoredWindow sw;
  sw.start_ns = w.start_ns;
  sw.end_ns = w.end_ns;
  sw.segment_start = segment_start;
  sw.probs = m_scorer->probabilities();
  if (!m_class_weights.empty()) {
    for (std::size_t k = 0; k < m_weighted.size(); ++k) m_weighted[k] = sw.probs[k] * m_class_weights[k];
    sw.probs = m_weighted;
  }
  sw.positions = m_scorer->positions();
  for (auto& c : m_counters) c.push(sw);
  if (after_window) after_window(w);
}

std::int64_t CyclePipeline::resume_feed_from_ns(std::int64_t last_window_end_ns) const {
  const model::Manifest& m = manifest();
  const double warmup_s = m.staleness_s + 2.0 / m.sample_rate_hz;
  return last_window_end_ns - m.context_windows * window_ns() - static_cast<std::int64_t>(warmup_s * 1e9);
}

void CyclePipeline::end_segment() {
  m_front->finish();
  for (auto& c : m_counters) c.end_segment();
}

void CyclePipeline::finish() {
  m_front->finish();
  decide_rest(m_front->ended_at_stop());
}

void CyclePipeline::finish(const FramePipeline& front) { decide_rest(front.ended_at_stop()); }

void CyclePipeline::decide_rest(bool ended_at_stop) {
  for (auto& c : m_counters) {
    if (ended_at_stop)
      c.end_segment();
    else
      c.finish();
  }
}

}  // namespace lc::count
