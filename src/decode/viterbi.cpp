#include "decode/viterbi.h"

#include <cmath>
#include <limits>

namespace lc::decode {

namespace detail {

namespace {
constexpr double kNoPath = -std::numeric_limits<double>::infinity();

// Shift finite scores so the best is 0; returns the best index or -1.
int normalise(std::span<double> scores) noexcept {
  const int best = best_finite(scores);
  if (best < 0) return -1;
  const double top = scores[static_cast<std::size_t>(best)];
  for (double& s : scores)
    if (s != kNoPath) s -= top;
  return best;
}
}  // namespace

int best_finite(std::span<const double> scores) noexcept {
  int best = -1;
  for (std::size_t k = 0; k < scores.size(); ++k)
    if (std::isfinite(scores[k]) && (best < 0 || scores[k] > scores[static_cast<std::size_t>(best)]))
      best = static_cast<int>(k);
  return best;
}

int viterbi_start(const TransitionGraph& graph, bool use_start_set, std::span<const double> node,
                  std::span<double> next) noexcept {
  for (std::size_t k = 0; k < next.size(); ++k)
    next[k] = (!use_start_set || graph.may_start(static_cast<int>(k))) ? node[k] : kNoPath;
  return normalise(next);
}

int viterbi_start_after(const TransitionGraph& graph, int last_class, std::span<const double> node,
                        std::span<double> next, std::span<const std::uint64_t> blocked) noexcept {
  const std::size_t words = step_mask_words(graph.size());
  for (std::size_t k = 0; k < next.size(); ++k)
    next[k] = graph.allowed(last_class, static_cast<int>(k)) && !step_blocked(blocked, words, static_cast<int>(k), last_class)
                  ? node[k]
                  : kNoPath;
  return normalise(next);
}

int viterbi_step(const TransitionGraph& graph, std::span<const double> prev, std::span<const double> node,
                 std::span<double> next, std::span<std::int32_t> back,
                 std::span<const std::uint64_t> blocked) noexcept {
  const std::size_t words = step_mask_words(graph.size());
  for (std::size_t b = 0; b < next.size(); ++b) {
    double best = kNoPath;
    std::int32_t arg = -1;
    // Ascending predecessors and a strict '>' keep the lowest index on ties.
    for (const int a : graph.predecessors(static_cast<int>(b))) {
      if (step_blocked(blocked, words, static_cast<int>(b), a)) continue;
      const double s = prev[static_cast<std::size_t>(a)];
      if (s > best) {
        best = s;
        arg = a;
      }
    }
    back[b] = arg;
    next[b] = arg < 0 ? kNoPath : best + node[b];
  }
  return normalise(next);
}

}  // namespace detail

Status check_segment_end_score(std::span<const double> score, int classes, const std::string& who) {
  if (score.empty()) return ok();
  if (score.size() != static_cast<std::size_t>(classes))
    return Error::bad_input(who + ": segment_end_score has " + std::to_string(score.size()) + " values for " +
                            std::to_string(classes) + " classes");
  for (std::size_t k = 0; k < score.size(); ++k)
    if (!(std::isfinite(score[k]) && score[k] <= 0.0))
      return Error::bad_input(who + ": segment_end_score[" + std::to_string(k) + "] = " + std::to_string(score[k]) +
                              " is not a finite value <= 0");
  return ok();
}

double path_score(std::span<const double> probs, int num_classes, std::span<const int> path, PathScore mode,
                  double prob_floor) {
  double s = 0.0;
  const auto k = static_cast<std::size_t>(num_classes);
  for (std::size_t t = 0; t < path.size(); ++t)
    s += node_score(probs[t * k + static_cast<std::size_t>(path[t])], mode, prob_floor);
  return s;
}

Expected<DecodedPath> decode_offline(const TransitionGraph& graph, std::span<const double> probs,
                                     const OfflineOptions& options, std::span<const std::uint64_t> blocked) {
  const auto k = static_cast<std::size_t>(graph.size());
  if (probs.size() % k != 0)
    return Error::bad_input("decode_offline: probability table of " + std::to_string(probs.size()) +
                            " values is not a whole number of windows of " + std::to_string(k) + " classes");
  if (!valid_prob_floor(options.prob_floor))
    return Error::bad_input("decode_offline: prob_floor " + std::to_string(options.prob_floor) + " outside (0, 1]");
  LC_TRY_STATUS(check_segment_end_score(options.segment_end_score, graph.size(), "decode_offline"));
  const std::size_t windows = probs.size() / k;
  const std::size_t step = k * step_mask_words(graph.size());  // mask words per window
  if (!blocked.empty() && blocked.size() != windows * step)
    return Error::bad_input("decode_offline: " + std::to_string(blocked.size()) + " step-mask words for " +
                            std::to_string(windows) + " windows (" + std::to_string(step) + " per window)");
  DecodedPath out;
  if (windows == 0) return out;

  std::vector<double> node(k), cur(k), next(k);
  std::vector<std::int32_t> back(windows * k, -1);
  node_scores(probs.first(k), options.score, options.prob_floor, node);
  int best = detail::viterbi_start(graph, options.use_start_classes, node, cur);
  if (best < 0) return Error::bad_input("decode_offline: window 0: no class may start a path");
  for (std::size_t t = 1; t < windows; ++t) {
    node_scores(probs.subspan(t * k, k), options.score, options.prob_floor, node);
    best = detail::viterbi_step(graph, cur, node, next, std::span<std::int32_t>(back).subspan(t * k, k),
                                blocked.empty() ? blocked : blocked.subspan(t * step, step));
    if (best < 0)
      return Error::bad_input("decode_offline: window " + std::to_string(t) +
                              ": no allowed path reaches it (the transition graph dead-ends)");
    cur.swap(next);
  }

  if (!options.segment_end_score.empty()) {
    for (std::size_t j = 0; j < k; ++j) next[j] = cur[j] + options.segment_end_score[j];
    best = detail::best_finite(next);
  }
  out.classes.resize(windows);
  int c = best;
  for (std::size_t t = windows; t-- > 0;) {
    out.classes[t] = c;
    if (t > 0) c = back[t * k + static_cast<std::size_t>(c)];
  }
  out.score = path_score(probs, graph.size(), out.classes, options.score, options.prob_floor);
  return out;
}

}  // namespace lc::decode
