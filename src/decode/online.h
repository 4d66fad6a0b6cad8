// The online decoder: the offline Viterbi recursion run one window at a time, committing each window's
// class as soon as it can no longer change, and at the latest `max_lag_windows` windows after it arrived.
//
// After every window the decoder keeps, for each class, the best path ending in that class (a "survivor",
// one per class with a finite score). Every future best path extends one of them, so once all survivors
// agree on a window (their tracebacks have merged) that window's class is final: it is committed and equals
// what the offline decoder would choose. If survivors still disagree on the oldest undecided window when
// more than max_lag_windows windows are undecided, that window is committed by force with the class the
// currently best survivor gives it, and survivors that disagree are dropped, so every later path is
// consistent with it. Committed decisions never change; consecutive committed classes within a segment
// always form a path of the graph. With a lag so large that no commit is forced, the committed path equals
// decode_offline's on the same segment window for window (same recursion, same tie-breaks, same arithmetic).
//
// Dropping hopeless survivors (drop_hopeless): a window adds between lo = node_score(0) and
// hi = node_score(max_prob) to any path, so R = hi - lo bounds what one window can swing between two paths.
// If from class b every class can be reached in exactly J(b) windows (J(b) is computed from the graph at
// creation; 3 for the loader cycle with up to two changes per window), then any continuation of a survivor s
// can be copied by a path from the best survivor b from its J(b)-th window on, losing at most (J(b) - 1) * R
// on the windows before. If the segment ends i < J(b) windows from now, a path from s ends in a class x that s
// reaches in i windows and one from b may end in any y that b reaches in i, so a path from b loses at most
// i * R + max e(x) - max e(y), e being segment_end_score. So when score(b) - score(s) exceeds the largest of
// these bounds, margin(b, s), every path through s is beaten by one through b: s is dropped (as a forced
// commit drops survivors) and no longer holds up the merge test. (In the loader graph every class reaches one
// ending in EMPTY within a window, so with a segment-end prior that favours EMPTY only i = 0 adds anything.)
// The optimum never passes through a dropped survivor, so committed windows still equal decode_offline's.
//
// Memory is allocated once in create(); push() and end_segment() do not allocate. Per push the cost is
// O(K^2) for the recursion and for dropping, plus O(K * max_lag_windows) for the merge test (and for a
// forced commit).
//
// Segments: end_segment() (engine off, bus silent, a gap in the log) commits every undecided window along
// the best path, each survivor's score raised by its class's `segment_end_score` (the log-prior of the state a
// machine stops in), and the next window may start in any class. finish() (the input is over: the end of a
// log is where the recording stopped, not a stop of the machine) commits the best path without it. The graph's start set, if configured, applies
// to the first window after create() or reset() only. If the graph dead-ends (a manifest graph in which no
// allowed class can follow any survivor), push() ends the segment before that window itself and counts it
// in stats().dead_ends; the full graphs built from window classes never dead-end.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "decode/graph.h"
#include "decode/score.h"
#include "util/expected.h"

namespace lc::decode {

// The product's default lag: 24 windows of 5 s = 2 min. On 96 held-out simulated hours the survivors of the
// shipped model always merged within it (no forced commit, online == offline on every window; median emission
// delay 12.5-12.6 s). A 6-window lag forced 309 commits (before dropping existed) and differed from offline on 3 %
// of windows for no gain in delay. A longer lag costs nothing while paths merge early; it only bounds the rare
// long wait.
inline constexpr int kDefaultMaxLagWindows = 24;

struct OnlineOptions {
  PathScore score = kDefaultPathScore;
  // The most windows that may stay undecided after a push. 0 commits every window on arrival (a greedy
  // choice constrained by the graph).
  int max_lag_windows = kDefaultMaxLagWindows;
  // SumLogProb only: probabilities below this count as this (score.h).
  double prob_floor = kDefaultProbFloor;
  // Drop survivors that provably cannot be on the best path (see "Dropping hopeless survivors" below), so the
  // rest merge sooner. Exact: the committed path is the same, only earlier.
  bool drop_hopeless = true;
  // The largest probability push() will get (1 for a model's probabilities; the pipeline's decoder class
  // weights can raise it). It bounds what one window can add to a path; larger values are counted as it.
  double max_prob = 1.0;
  // Empty, or one value per class, finite and <= 0: added to a path's score when its segment ends (by
  // end_segment(), not finish()) in that class. A model bundle's segment-end prior (count/path_counter.h).
  std::vector<double> segment_end_score{};
  // The edges push()'s step masks may block (graph.h). Dropping bounds what a path from the best survivor can
  // copy using only the other edges, so it stays exact whatever the masks block among these. A mask may block
  // nothing else (precondition).
  std::vector<Edge> blockable{};
};

// One final decision.
struct Committed {
  std::int64_t window = 0;  // index of the window, counting every push since create()/reset() from 0
  int class_index = 0;
  bool forced = false;  // committed by the lag limit while survivors still disagreed
  // First window of a segment: no transition links it to the window before (end_segment() or a dead end;
  // the count layer must not derive an event across it).
  bool segment_start = false;
  bool operator==(const Committed&) const = default;
};

struct OnlineStats {
  std::int64_t windows = 0;         // pushed
  std::int64_t committed = 0;       // decisions made (forced ones included)
  std::int64_t forced_commits = 0;  // decisions forced by the lag limit
  std::int64_t segments = 0;        // segments started (by the first push, after end_segment, at a dead end)
  std::int64_t dead_ends = 0;       // segments ended because no allowed class could follow
  int max_undecided = 0;            // largest number of undecided windows seen after a push
  std::int64_t dropped = 0;         // survivors dropped as hopeless (drop_hopeless)
  std::int64_t commit_lag_sum = 0;  // sum over merge commits of the windows pushed after the committed one
};

class OnlineDecoder {
 public:
  // Error (BadInput) if max_lag_windows < 0 or above kMaxLag, prob_floor is outside (0, 1], or
  // segment_end_score is neither empty nor K values that are finite and <= 0.
  static constexpr int kMaxLag = 100000;
  static Expected<OnlineDecoder> create(TransitionGraph graph, const OnlineOptions& options = {});

  // Adds the next window's class probabilities (K values in the graph's class order) and commits what has
  // become final. Precondition, checked with assert: probs.size() == graph().size(). NaN or non-positive
  // probabilities are handled as score.h says. No allocation. `blocked`: the edges this window may not take
  // from the window before (a step mask, graph.h; only among OnlineOptions::blockable), or empty. The
  // offline decoder given the same masks decides the same.
  void push(std::span<const double> probs, std::span<const std::uint64_t> blocked = {});

  // The machine stopped (a gap): commits every undecided window along the best path, the survivors' scores
  // raised by segment_end_score, and starts a new segment. No-op without undecided windows. No allocation.
  void end_segment();

  // Resumes after a restart from a checkpoint. The next push gets window index `next_window` and continues
  // the segment whose last committed window had class `last_class`: only its successors may follow. Pushing
  // the windows that were undecided at the checkpoint then decides them as the uninterrupted decoder did:
  // every survivor then shared the committed prefix, so only the suffix decides (scores are relative), and no
  // window before `next_window` is committed again. (With drop_hopeless a decision may come a window sooner
  // or later than it did uninterrupted, since survivors outside the committed prefix could drop others
  // before they were gone; the decisions are the same unless a commit is forced.) With last_class < 0 the
  // next push starts a fresh segment.
  void resume(std::int64_t next_window, int last_class);
  // The oldest window not yet committed (== the next push's index when nothing is undecided).
  std::int64_t first_undecided() const { return m_in_segment ? m_first_undecided : m_next_window; }
  std::int64_t next_window() const { return m_next_window; }
  // End of the stream: the same as end_segment() but without segment_end_score (the input stopped, not
  // necessarily the machine).
  void finish();

  // Decisions committed by the last push(), end_segment() or finish(), in window order (at most
  // max_lag_windows + 1 of them). The span is valid until the next call to any non-const member.
  std::span<const Committed> committed() const { return std::span<const Committed>(m_out).first(m_out_size); }

  // Windows pushed but not yet committed.
  int undecided() const { return m_in_segment ? static_cast<int>(m_next_window - m_first_undecided) : 0; }
  const OnlineStats& stats() const { return m_stats; }
  const TransitionGraph& graph() const { return m_graph; }
  const OnlineOptions& options() const { return m_options; }

  // Back to the state right after create(): window numbering from 0, start set in force, stats cleared.
  void reset();

 private:
  OnlineDecoder(TransitionGraph graph, const OnlineOptions& options);

  std::span<std::int32_t> back_row(std::int64_t window);
  void start_segment(bool use_start_set);
  void emit(std::int64_t window, int class_index, bool forced);
  // Traces survivor `c` at window `to` back to window `from` (from <= to), filling m_trace[0 .. to-from].
  void trace(int c, std::int64_t to, std::int64_t from);
  void commit_merged();
  void force_oldest();
  // Along the best survivor; with `at_stop` its score includes segment_end_score.
  void commit_best_path(bool at_stop);
  void close_segment(bool at_stop);
  void drop_hopeless();

  TransitionGraph m_graph;
  OnlineOptions m_options;
  std::size_t m_k = 0;
  std::size_t m_rows = 0;  // back-pointer rows kept: max_lag_windows + 1

  std::vector<double> m_drop_margin;  // K x K: [b * K + s] = (J(b, s) - 1) * R, +inf without a bound
  double m_node_max = 0.0;           // node_score(max_prob): node scores are clamped to it
  std::vector<double> m_node;        // node scores of the window being pushed
  std::vector<double> m_score;       // survivor scores after the last window (-inf: no survivor)
  std::vector<double> m_next;        // scratch for the recursion (and for the end scores at a stop)
  std::vector<std::int32_t> m_back;  // ring of m_rows rows of K back-pointers, row = window % m_rows
  std::vector<int> m_set;            // scratch: classes alive at some window during the merge test
  std::vector<int> m_set_next;       // scratch
  std::vector<std::uint8_t> m_mark;  // scratch: membership marks for m_set_next
  std::vector<int> m_trace;          // scratch: a traceback, m_rows entries
  std::vector<Committed> m_out;      // decisions of the last call, m_rows entries
  std::size_t m_out_size = 0;

  bool m_in_segment = false;
  bool m_first_segment = true;
  int m_resume_class = -1;  // resume(): class of the last committed window, applied by the next push
  std::int64_t m_next_window = 0;      // index the next push gets
  std::int64_t m_first_undecided = 0;  // oldest window not yet committed (valid in a segment)
  std::int64_t m_segment_first = 0;    // first window of the current segment
  OnlineStats m_stats;
};

}  // namespace lc::decode
