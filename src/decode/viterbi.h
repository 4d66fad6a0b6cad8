// Exact best path through the layered graph of windows (offline decoder) and the one-window recursion it
// shares with the online decoder, so both make bit-identical decisions.
//
// Probability tables are row-major: window t's K class probabilities at probs[t*K .. t*K+K).
//
// Ties are broken deterministically: at each window, the predecessor with the lowest class index among the
// best; at the end, the lowest final class index among the best. Equivalently, among optimal paths the one
// that is smallest when compared from the last window backwards.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "decode/graph.h"
#include "decode/score.h"
#include "util/expected.h"

namespace lc::decode {

struct OfflineOptions {
  PathScore score = kDefaultPathScore;
  // Restrict window 0 to the graph's start classes (if it has a start set). False: any class may start.
  bool use_start_classes = true;
  // SumLogProb only: probabilities below this count as this (score.h).
  double prob_floor = kDefaultProbFloor;
  // Empty, or one value per class, finite and <= 0: added to the score of a path that ends in that class
  // (the table is a segment that ended with a stop of the machine; OnlineOptions::segment_end_score).
  std::vector<double> segment_end_score{};
};

struct DecodedPath {
  std::vector<int> classes;  // one class index per window
  double score = 0.0;        // sum of the path's node scores, added from window 0 onwards
};

// Exact Viterbi, O(T*K^2) time, O(T*K) memory. An empty table gives an empty path with score 0.
// With segment_end_score, the path maximises the node scores plus its last class's end score (DecodedPath::score
// stays the node scores' sum).
// Errors (BadInput): probs.size() not a multiple of graph.size(); prob_floor outside (0, 1]; segment_end_score
// neither empty nor K finite values <= 0; no path of the
// graph fits (possible only with a start set or a graph with dead ends), naming the first window that no
// allowed path reaches.
//
// `blocked` (optional): one step mask per window (graph.h, step_mask_words(K) words per class, window t's
// masks at [t * K * words, (t + 1) * K * words)), the edges window t may not take from window t - 1 (window 0's
// are ignored). Error (BadInput) if it is neither empty nor that size.
Expected<DecodedPath> decode_offline(const TransitionGraph& graph, std::span<const double> probs,
                                     const OfflineOptions& options = {}, std::span<const std::uint64_t> blocked = {});

// Sum of node scores of `path` over the table, added from window 0 onwards (the same order the decoders use),
// so scores of different paths are comparable exactly. Precondition: path.size() * K == probs.size().
double path_score(std::span<const double> probs, int num_classes, std::span<const int> path, PathScore mode,
                  double prob_floor = kDefaultProbFloor);

// Whether `score` is empty or `classes` finite values <= 0; else BadInput naming `who` and the entry.
Status check_segment_end_score(std::span<const double> score, int classes, const std::string& who);

namespace detail {

// Scores of the first window of a segment: next[k] = node[k] if k may start (all classes if !use_start_set),
// else -inf; then shifted so the best is 0. Returns the best class (lowest index on ties), or -1 if none.
int viterbi_start(const TransitionGraph& graph, bool use_start_set, std::span<const double> node,
                  std::span<double> next) noexcept;

// Scores of the first window after a resumed checkpoint: only successors of `last_class` (the class of the
// last committed window) may follow. Same normalisation and return value as viterbi_start.
// `blocked`: this step's mask (graph.h), or empty.
int viterbi_start_after(const TransitionGraph& graph, int last_class, std::span<const double> node,
                        std::span<double> next, std::span<const std::uint64_t> blocked = {}) noexcept;

// One step: next[b] = max over allowed predecessors a with finite prev[a] of prev[a], plus node[b];
// back[b] = that a (lowest index on ties), or -1 and next[b] = -inf if no predecessor has a finite score.
// Scores are then shifted so the best is 0 (decisions depend on differences only; this keeps an online
// decoder that runs for months from losing precision). Returns the best class, or -1 if none is finite.
// All spans have size K; no allocation. `blocked`: this step's mask (graph.h): its edges are skipped; or empty.
int viterbi_step(const TransitionGraph& graph, std::span<const double> prev, std::span<const double> node,
                 std::span<double> next, std::span<std::int32_t> back,
                 std::span<const std::uint64_t> blocked = {}) noexcept;

// Index of the largest finite entry (lowest index on ties), or -1 if none is finite.
int best_finite(std::span<const double> scores) noexcept;

}  // namespace detail
}  // namespace lc::decode
