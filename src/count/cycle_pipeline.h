// The whole data path from CAN frames to cycle events, as replay, eval and the daemon run it:
//   FramePipeline (decode, grid, windows) -> WindowScorer (features, position models) -> PathCounter(s).
// Several decoders can run side by side on the same scores (eval compares them); live counting uses one.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <vector>

#include "count/path_counter.h"
#include "model/bundle.h"
#include "util/expected.h"
#include "window/frame_pipeline.h"

namespace lc::count {

struct CyclePipelineStats {
  std::uint64_t windows = 0;
  std::uint64_t degraded_windows = 0;
  std::array<std::uint64_t, kSignalCount> missing_by_signal{};  // degraded windows in which signal i had a gap
  std::uint64_t scoring_errors = 0;
  std::uint64_t segments = 0;
};

class CyclePipeline {
 public:
  // `decoders`: one PathCounter is made per entry, with the bundle's classes, graph, position buckets and
  // decoding settings: its probability floor (unless the entry overrides it) and its segment-end prior.
  static Expected<std::unique_ptr<CyclePipeline>> create(model::ModelBundle bundle, const std::vector<PathCounterOptions>& decoders);

  void push(const can::Frame& f) { m_front->push(f); }
  // A window made by a front end outside the pipeline (make_front_end, on another thread: count/replay.h).
  // Its frames must not also be pushed here.
  void push_window(const Window& w) { on_window(w); }
  // The front end a bundle with this manifest needs: the same one create() builds in, for a caller that cuts
  // windows elsewhere and hands them to push_window().
  static Expected<std::unique_ptr<FramePipeline>> make_front_end(const model::Manifest& m, FramePipeline::WindowSink on_window);
  // End of input: decide every undecided window. If the input ends at a stop of the engine after the last
  // window (FramePipeline::ended_at_stop: a gap, or an engine reported below idle at the end), the decoders end
  // the segment as at any stop (end_segment(), with the segment-end prior), as the daemon does when the bus
  // goes silent; otherwise only the input ended, and no prior applies.
  void finish();
  // The same for windows cut by a front end outside the pipeline (replay): `front` cut them and has finished.
  void finish(const FramePipeline& front);
  // The bus has been silent longer than the segment gap (live): close the open tick and decide every
  // undecided window now, so the last trip before the engine stopped is not held back until it restarts.
  void end_segment();
  double segment_gap_s() const { return m_front->config().grid.segment_gap_s; }

  // Called after every window has gone through all decoders (the daemon commits events + checkpoint here).
  std::function<void(const Window&)> after_window;

  // Resuming a replay after a restart: windows that end at or before `last_window_end_ns` were already
  // counted and are dropped; the window that starts exactly there continues the segment (not a segment
  // start, although the front end restarted).
  void resume_after(std::int64_t last_window_end_ns) { m_resume_end_ns = last_window_end_ns; }
  // The oldest frame time a resumed replay must feed again so that the first new window is exactly what an
  // uninterrupted run made: the grid's warm-up (staleness + 2 ticks) before the last K counted windows, which
  // are remade as the first new window's context (models with context_windows = K).
  std::int64_t resume_feed_from_ns(std::int64_t last_window_end_ns) const;
  // The scorer, whose probabilities() are the last window's (tests, tools).
  const model::WindowScorer& scorer() const { return *m_scorer; }

  PathCounter& counter(std::size_t i) { return m_counters[i]; }
  const PathCounter& counter(std::size_t i) const { return m_counters[i]; }
  std::size_t counter_count() const { return m_counters.size(); }
  const CyclePipelineStats& stats() const { return m_stats; }
  const FrontEndStats& front_end_stats() const { return m_front->stats(); }
  std::int64_t window_ns() const { return m_front->window_ns(); }
  const model::Manifest& manifest() const { return m_scorer->bundle().manifest(); }
  // Per window (only with keep_history on some decoder): start time and degraded flag, for eval and plots.
  const std::vector<std::int64_t>& window_starts() const { return m_window_start; }
  const std::vector<std::int64_t>& window_ends() const { return m_window_end; }

 private:
  CyclePipeline() = default;
  void on_window(const Window& w);
  void decide_rest(bool ended_at_stop);

  std::unique_ptr<model::WindowScorer> m_scorer;
  // The manifest's decoder_class_weights (empty: none) and the weighted probabilities the counters get.
  std::vector<double> m_class_weights, m_weighted;
  std::unique_ptr<FramePipeline> m_front;
  std::vector<PathCounter> m_counters;
  CyclePipelineStats m_stats;
  bool m_keep_history = false;
  std::int64_t m_resume_end_ns = -1;
  std::vector<std::int64_t> m_window_start, m_window_end;
};

}  // namespace lc::count
