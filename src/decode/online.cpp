#include "decode/online.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "decode/viterbi.h"

namespace lc::decode {

namespace {
constexpr double kNoPath = -std::numeric_limits<double>::infinity();
}

Expected<OnlineDecoder> OnlineDecoder::create(TransitionGraph graph, const OnlineOptions& options) {
  if (options.max_lag_windows < 0 || options.max_lag_windows > kMaxLag)
    return Error::bad_input("online decoder: max_lag_windows " + std::to_string(options.max_lag_windows) +
                            " outside [0, " + std::to_string(kMaxLag) + "]");
  if (!(options.max_prob > 0.0) || !std::isfinite(options.max_prob))
    return Error::bad_input("online decoder: max_prob " + std::to_string(options.max_prob) + " is not a positive number");
  if (!valid_prob_floor(options.prob_floor))
    return Error::bad_input("online decoder: prob_floor " + std::to_string(options.prob_floor) + " outside (0, 1]");
  LC_TRY_STATUS(check_segment_end_score(options.segment_end_score, graph.size(), "online decoder"));
  return OnlineDecoder(std::move(graph), options);
}

OnlineDecoder::OnlineDecoder(TransitionGraph graph, const OnlineOptions& options)
    : m_graph(std::move(graph)),
      m_options(options),
      m_k(static_cast<std::size_t>(m_graph.size())),
      m_rows(static_cast<std::size_t>(options.max_lag_windows) + 1),
      m_node(m_k),
      m_score(m_k, kNoPath),
      m_next(m_k),
      m_back(m_rows * m_k, -1),
      m_set(m_k),
      m_set_next(m_k),
      m_mark(m_k, 0),
      m_trace(m_rows),
      m_out(m_rows) {
  // margin(b, s) = (J(b, s) - 1) * R: J(b, s) is the first j at which every class reachable from s in exactly
  // j windows is reachable from b in exactly j windows, b having paths of every length below j.
  const int k = m_graph.size();
  m_drop_margin.assign(m_k * m_k, std::numeric_limits<double>::infinity());
  m_node_max = node_score(options.max_prob, options.score, options.prob_floor);
  const double swing = m_node_max - node_score(0.0, options.score, options.prob_floor);
  const int max_j = 2 * k + 2;
  const auto& end = options.segment_end_score;
  // reach[(j * k + a) * k + x]: x reachable from a in exactly j windows (j = 0..max_j) on the graph; safe: the
  // same without the blockable edges, for the paths from b that must exist whatever the step masks block.
  std::vector<std::uint8_t> reach(static_cast<std::size_t>((max_j + 1) * k * k), 0), safe(reach.size(), 0);
  auto at = [&](int j, int a, int x) -> std::uint8_t& { return reach[static_cast<std::size_t>((j * k + a) * k + x)]; };
  auto at_safe = [&](int j, int a, int x) -> std::uint8_t& { return safe[static_cast<std::size_t>((j * k + a) * k + x)]; };
  std::vector<std::uint8_t> blockable(m_k * m_k, 0);
  for (const Edge& e : options.blockable)
    if (e.from >= 0 && e.from < k && e.to >= 0 && e.to < k) blockable[static_cast<std::size_t>(e.from * k + e.to)] = 1;
  for (int a = 0; a < k; ++a) at(0, a, a) = at_safe(0, a, a) = 1;
  for (int j = 1; j <= max_j; ++j)
    for (int a = 0; a < k; ++a)
      for (int x = 0; x < k; ++x)
        for (int p : m_graph.predecessors(x)) {
          if (at(j - 1, a, p)) at(j, a, x) = 1;
          if (at_safe(j - 1, a, p) && !blockable[static_cast<std::size_t>(p * k + x)]) at_safe(j, a, x) = 1;
        }
  for (int b = 0; b < k; ++b)
    for (int s = 0; s < k; ++s) {
      for (int j = 1; j <= max_j; ++j) {
        bool b_has_any = false, covers = true;
        for (int x = 0; x < k; ++x) {
          b_has_any = b_has_any || at_safe(j - 1, b, x);
          if (at(j, s, x) && !at_safe(j, b, x)) covers = false;
        }
        if (!b_has_any) break;  // b dead-ends before s's continuations could be copied: no bound
        if (covers) {
          double margin = (j - 1) * swing;
          // The segment may end i < j windows from now, before b's copy reaches s's class: a path from s then
          // ends in some x reachable in i windows, one from b may end in any y reachable in i, and their end
          // scores differ by at most max e(x) - max e(y).
          for (int i = 0; !end.empty() && i < j; ++i) {
            double ex = -std::numeric_limits<double>::infinity(), ey = ex;
            for (int x = 0; x < k; ++x) {
              if (at(i, s, x)) ex = std::max(ex, end[static_cast<std::size_t>(x)]);
              if (at_safe(i, b, x)) ey = std::max(ey, end[static_cast<std::size_t>(x)]);
            }
            if (ex > ey) margin = std::max(margin, i * swing + (ex - ey));
          }
          m_drop_margin[static_cast<std::size_t>(b) * m_k + static_cast<std::size_t>(s)] = margin;
          break;
        }
      }
    }
}

void OnlineDecoder::reset() {
  m_out_size = 0;
  m_in_segment = false;
  m_first_segment = true;
  m_next_window = 0;
  m_first_undecided = 0;
  m_segment_first = 0;
  m_stats = OnlineStats{};
}

std::span<std::int32_t> OnlineDecoder::back_row(std::int64_t window) {
  const auto row = static_cast<std::size_t>(window % static_cast<std::int64_t>(m_rows));
  return std::span<std::int32_t>(m_back).subspan(row * m_k, m_k);
}

void OnlineDecoder::emit(std::int64_t window, int class_index, bool forced) {
  assert(m_out_size < m_out.size());
  m_out[m_out_size++] = Committed{window, class_index, forced, window == m_segment_first};
  ++m_stats.committed;
  if (forced) ++m_stats.forced_commits;
}

void OnlineDecoder::start_segment(bool use_start_set) {
  // m_node holds the window's node scores; window numbering continues across segments.
  detail::viterbi_start(m_graph, use_start_set, m_node, m_score);
  m_first_undecided = m_next_window;
  m_segment_first = m_next_window;
  m_in_segment = true;
  ++m_stats.segments;
}

void OnlineDecoder::push(std::span<const double> probs, std::span<const std::uint64_t> blocked) {
  assert(probs.size() == m_k && "push: one probability per class of the graph");
  m_out_size = 0;
  node_scores(probs, m_options.score, m_options.prob_floor, m_node);
  if (m_options.drop_hopeless)
    for (auto& v : m_node) v = std::min(v, m_node_max);

  if (!m_in_segment && m_resume_class >= 0) {
    // Continue the checkpointed segment: constrained to the successors of its last committed class.
    const int last = m_resume_class;
    m_resume_class = -1;
    if (detail::viterbi_start_after(m_graph, last, m_node, m_score, blocked) >= 0) {
      m_first_undecided = m_next_window;
      m_segment_first = -1;  // not a segment start: the window continues the committed path
      m_in_segment = true;
    } else {
      start_segment(false);
    }
  } else if (!m_in_segment) {
    start_segment(m_first_segment);
    m_first_segment = false;
  } else {
    const int best = detail::viterbi_step(m_graph, m_score, m_node, m_next, back_row(m_next_window), blocked);
    if (best < 0) {
      // Dead end: close the segment on the previous window, start afresh with this one.
      commit_best_path(false);
      ++m_stats.dead_ends;
      start_segment(false);
    } else {
      m_score.swap(m_next);
    }
  }
  ++m_next_window;

  if (m_options.drop_hopeless) drop_hopeless();
  commit_merged();
  while (undecided() > m_options.max_lag_windows) {
    force_oldest();
    commit_merged();
  }
  ++m_stats.windows;
  if (undecided() > m_stats.max_undecided) m_stats.max_undecided = undecided();
}

void OnlineDecoder::resume(std::int64_t next_window, int last_class) {
  reset();
  m_first_segment = false;
  m_next_window = next_window;
  m_resume_class = (last_class >= 0 && last_class < m_graph.size()) ? last_class : -1;
}

void OnlineDecoder::end_segment() { close_segment(true); }

void OnlineDecoder::finish() { close_segment(false); }

void OnlineDecoder::close_segment(bool at_stop) {
  m_out_size = 0;
  if (m_in_segment && undecided() > 0) commit_best_path(at_stop);
  m_in_segment = false;
  m_first_segment = false;
}

void OnlineDecoder::trace(int c, std::int64_t to, std::int64_t from) {
  auto i = static_cast<std::size_t>(to - from);
  m_trace[i] = c;
  for (std::int64_t w = to; w > from; --w) {
    c = back_row(w)[static_cast<std::size_t>(c)];
    m_trace[--i] = c;
  }
}

void OnlineDecoder::commit_merged() {
  const std::int64_t last = m_next_window - 1;
  const std::int64_t first = m_first_undecided;
  if (first > last) return;

  // Walk back from the last window with the set of classes the survivors pass through; the latest window
  // where that set is a single class is where all survivors have merged.
  std::size_t n = 0;
  for (std::size_t c = 0; c < m_k; ++c)
    if (m_score[c] != kNoPath) m_set[n++] = static_cast<int>(c);
  std::int64_t w = last;
  while (n > 1 && w > first) {
    const auto row = back_row(w);
    std::size_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto p = static_cast<std::size_t>(row[static_cast<std::size_t>(m_set[i])]);
      if (m_mark[p] == 0) {
        m_mark[p] = 1;
        m_set_next[m++] = static_cast<int>(p);
      }
    }
    for (std::size_t i = 0; i < m; ++i) m_mark[static_cast<std::size_t>(m_set_next[i])] = 0;
    m_set.swap(m_set_next);
    n = m;
    --w;
  }
  if (n != 1) return;  // survivors still disagree on every undecided window

  trace(m_set[0], w, first);
  for (std::int64_t v = first; v <= w; ++v) {
    emit(v, m_trace[static_cast<std::size_t>(v - first)], false);
    m_stats.commit_lag_sum += last - v;
  }
  m_first_undecided = w + 1;
}

void OnlineDecoder::force_oldest() {
  const std::int64_t last = m_next_window - 1;
  const std::int64_t first = m_first_undecided;
  const int best = detail::best_finite(m_score);
  assert(best >= 0 && first <= last);
  trace(best, last, first);
  const int decided = m_trace[0];
  emit(first, decided, true);
  // Drop survivors that do not pass through the forced decision; the best one stays, so some survive.
  for (std::size_t c = 0; c < m_k; ++c) {
    if (m_score[c] == kNoPath) continue;
    trace(static_cast<int>(c), last, first);
    if (m_trace[0] != decided) m_score[c] = kNoPath;
  }
  m_first_undecided = first + 1;
}

void OnlineDecoder::drop_hopeless() {
  // s goes if some survivor b is ahead of it by more than margin(b, s). (Comparing with a survivor dropped
  // earlier in this loop would be sound too: what beats b beats s; skipping them is simply cheaper.) The
  // slack covers rounding in scores that are sums of many doubles.
  for (std::size_t s = 0; s < m_k; ++s) {
    if (m_score[s] == kNoPath) continue;
    for (std::size_t b = 0; b < m_k; ++b) {
      if (b == s || m_score[b] == kNoPath) continue;
      const double slack = 1e-9 * (1.0 + std::abs(m_score[b]) + std::abs(m_score[s]));
      if (m_score[b] - m_score[s] > m_drop_margin[b * m_k + s] + slack) {
        m_score[s] = kNoPath;
        ++m_stats.dropped;
        break;
      }
    }
  }
}

void OnlineDecoder::commit_best_path(bool at_stop) {
  const std::int64_t last = m_next_window - 1;
  const std::int64_t first = m_first_undecided;
  if (first > last) return;
  int best = -1;
  if (at_stop && !m_options.segment_end_score.empty()) {
    // m_next is free between pushes.
    for (std::size_t c = 0; c < m_k; ++c) m_next[c] = m_score[c] + m_options.segment_end_score[c];
    best = detail::best_finite(m_next);
  } else {
    best = detail::best_finite(m_score);
  }
  assert(best >= 0);
  trace(best, last, first);
  for (std::int64_t v = first; v <= last; ++v) emit(v, m_trace[static_cast<std::size_t>(v - first)], false);
  m_first_undecided = last + 1;
}

}  // namespace lc::decode
