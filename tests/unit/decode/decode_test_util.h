// Shared by the decode tests: oracles (brute-force enumeration, a port of the reference design's
// Bellman-Ford shortest path) and generators of probability tables, random and cycle-like.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "decode/graph.h"
#include "decode/score.h"
#include "window/states.h"

namespace lc::decode::testing {

inline TransitionGraph graph_up_to(int max_changes) {
  const auto classes = classes_up_to(max_changes);
  auto g = TransitionGraph::from_classes(classes);
  return std::move(g).value();
}

struct Oracle {
  std::vector<int> path;  // empty if no path exists
  double score = -std::numeric_limits<double>::infinity();
};

// Every path of the graph, depth first, scored left to right like the decoders. Among equal scores the
// path that is smaller compared from the last window backwards wins (the decoders' documented tie-break).
// `end` (empty, or one value per class): added to a path's score for the class it ends in (Oracle::score
// includes it). `blocked` (empty, or a step mask per window, as decode_offline takes): edges a path may not take.
inline Oracle brute_force(const TransitionGraph& g, std::span<const double> probs, PathScore mode,
                          double prob_floor = kDefaultProbFloor, bool use_start = true,
                          std::span<const double> end = {}, std::span<const std::uint64_t> blocked = {}) {
  const auto k = static_cast<std::size_t>(g.size());
  const std::size_t words = step_mask_words(g.size());
  const std::size_t t_len = probs.size() / k;
  Oracle best;
  if (t_len == 0) return Oracle{{}, 0.0};
  std::vector<int> path(t_len);
  const auto reverse_less = [](const std::vector<int>& a, const std::vector<int>& b) {
    for (std::size_t i = a.size(); i-- > 0;)
      if (a[i] != b[i]) return a[i] < b[i];
    return false;
  };
  const auto rec = [&](auto&& self, std::size_t t, double score) -> void {
    if (t == t_len) {
      if (!end.empty() && t > 0) score += end[static_cast<std::size_t>(path.back())];
      if (best.path.empty() || score > best.score || (score == best.score && reverse_less(path, best.path))) {
        best.path = path;
        best.score = score;
      }
      return;
    }
    for (int c = 0; c < g.size(); ++c) {
      if (t == 0 ? (use_start && !g.may_start(c)) : !g.allowed(path[t - 1], c)) continue;
      if (t > 0 && !blocked.empty() && step_blocked(blocked.subspan(t * k * words, k * words), words, c, path[t - 1])) continue;
      path[t] = c;
      self(self, t + 1, score + node_score(probs[t * k + static_cast<std::size_t>(c)], mode, prob_floor));
    }
  };
  rec(rec, 0, 0.0);
  return best;
}

// A straight port of the reference design: the windows as a layered graph with a source before window 0
// and a sink after the last window; an edge into node (t, b) weighs -score(t, b); Bellman-Ford from the
// source (relax every edge until nothing changes), the shortest source-sink path is the best path.
inline Oracle bellman_ford(const TransitionGraph& g, std::span<const double> probs, PathScore mode,
                           double prob_floor = kDefaultProbFloor) {
  const int k = g.size();
  const int t_len = static_cast<int>(probs.size()) / k;
  if (t_len == 0) return Oracle{{}, 0.0};
  const int source = t_len * k;
  const int sink = source + 1;
  const auto node = [k](int t, int c) { return t * k + c; };
  struct E {
    int u, v;
    double w;
  };
  std::vector<E> edges;
  for (int c = 0; c < k; ++c)
    if (g.may_start(c))
      edges.push_back({source, node(0, c), -node_score(probs[static_cast<std::size_t>(c)], mode, prob_floor)});
  for (int t = 1; t < t_len; ++t)
    for (int a = 0; a < k; ++a)
      for (int b = 0; b < k; ++b)
        if (g.allowed(a, b))
          edges.push_back(
              {node(t - 1, a), node(t, b), -node_score(probs[static_cast<std::size_t>(node(t, b))], mode, prob_floor)});
  for (int c = 0; c < k; ++c) edges.push_back({node(t_len - 1, c), sink, 0.0});

  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> dist(static_cast<std::size_t>(sink) + 1, inf);
  std::vector<int> pred(dist.size(), -1);
  dist[static_cast<std::size_t>(source)] = 0.0;
  for (std::size_t round = 0; round + 1 < dist.size(); ++round) {
    bool changed = false;
    for (const E& e : edges) {
      const double d = dist[static_cast<std::size_t>(e.u)] + e.w;
      if (dist[static_cast<std::size_t>(e.u)] < inf && d < dist[static_cast<std::size_t>(e.v)]) {
        dist[static_cast<std::size_t>(e.v)] = d;
        pred[static_cast<std::size_t>(e.v)] = e.u;
        changed = true;
      }
    }
    if (!changed) break;
  }
  Oracle out;
  if (dist[static_cast<std::size_t>(sink)] == inf) return out;
  out.score = -dist[static_cast<std::size_t>(sink)];
  for (int v = pred[static_cast<std::size_t>(sink)]; v != source; v = pred[static_cast<std::size_t>(v)])
    out.path.insert(out.path.begin(), v % k);
  return out;
}

// T x K table of positive random values normalised per window.
inline std::vector<double> random_table(std::mt19937_64& rng, int windows, int k) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> p(static_cast<std::size_t>(windows * k));
  for (int t = 0; t < windows; ++t) {
    double sum = 0.0;
    for (int c = 0; c < k; ++c) sum += (p[static_cast<std::size_t>(t * k + c)] = u(rng) + 1e-9);
    for (int c = 0; c < k; ++c) p[static_cast<std::size_t>(t * k + c)] /= sum;
  }
  return p;
}

// Like random_table but every value a multiple of 1/8 (exact in binary), so sums are exact and ties common.
inline std::vector<double> quantised_table(std::mt19937_64& rng, int windows, int k) {
  std::uniform_int_distribution<int> u(0, 8);
  std::vector<double> p(static_cast<std::size_t>(windows * k));
  for (auto& v : p) v = u(rng) / 8.0;
  return p;
}

// A cycle-like label sequence: the work cycle EMPTY -> LOADING -> LOADED -> UNLOADING -> EMPTY (with an
// abandoned dig LOADING -> EMPTY now and then), phase lengths in seconds drawn so that a window of
// `window_s` seconds (plus the last second before it) holds at most `max_changes` changes, cut into windows;
// returns the class index of each window in `classes`.
inline std::vector<int> cycle_labels(std::mt19937_64& rng, int windows, int window_s, int max_changes,
                                     const std::vector<WindowClass>& classes) {
  // Each phase at least ceil(window_s / max_changes) s keeps a window at <= max_changes changes.
  const int min_s = (window_s + max_changes - 1) / max_changes;
  std::uniform_int_distribution<int> extra(0, 3 * window_s);
  std::uniform_int_distribution<int> long_extra(0, 12 * window_s);
  std::bernoulli_distribution failed_dig(0.15);
  std::vector<State> per_s;
  State s = static_cast<State>(std::uniform_int_distribution<int>(0, 3)(rng));
  const auto total_s = static_cast<std::size_t>(windows * window_s);
  while (per_s.size() < total_s) {
    // Idling empty and hauling loaded take long; digging and dumping are short.
    const bool is_long = s == State::Empty || s == State::Loaded;
    const int dur = min_s + (is_long ? long_extra(rng) : extra(rng));
    for (int i = 0; i < dur; ++i) per_s.push_back(s);
    switch (s) {
      case State::Empty:
        s = State::Loading;
        break;
      case State::Loading:
        s = failed_dig(rng) ? State::Empty : State::Loaded;
        break;
      case State::Loaded:
        s = State::Unloading;
        break;
      case State::Unloading:
        s = State::Empty;
        break;
    }
  }
  std::vector<int> labels;
  for (int w = 0; w < windows; ++w) {
    // A change exactly on the boundary belongs to the later window: its path starts in the state the
    // previous window ended in, so consecutive labels always chain in the graph.
    WindowClass c;
    if (w > 0) c.path.push_back(per_s[static_cast<std::size_t>(w * window_s - 1)]);
    for (int i = 0; i < window_s; ++i) {
      const State x = per_s[static_cast<std::size_t>(w * window_s + i)];
      if (c.path.empty() || c.path.back() != x) c.path.push_back(x);
    }
    int idx = -1;
    for (std::size_t j = 0; j < classes.size(); ++j)
      if (classes[j] == c) idx = static_cast<int>(j);
    labels.push_back(idx);
  }
  return labels;
}

// Noisy classifier output for a label sequence: logits N(0, noise) with `margin` added to the true class,
// softmax. With probability `confident_wrong` a window instead gets a confident wrong answer (a random other
// class near 1, the true class near 0), as over-confident boosted trees sometimes give.
inline std::vector<double> noisy_probs(std::mt19937_64& rng, const std::vector<int>& labels, int k, double margin,
                                       double noise, double confident_wrong) {
  std::normal_distribution<double> n(0.0, noise);
  std::bernoulli_distribution wrong(confident_wrong);
  std::uniform_int_distribution<int> other(1, k - 1);
  std::vector<double> p(labels.size() * static_cast<std::size_t>(k));
  for (std::size_t t = 0; t < labels.size(); ++t) {
    std::span<double> row(p.data() + t * static_cast<std::size_t>(k), static_cast<std::size_t>(k));
    const bool w = wrong(rng);
    const int target = w ? (labels[t] + other(rng)) % k : labels[t];
    double sum = 0.0;
    for (int c = 0; c < k; ++c) {
      double logit = n(rng) + (c == target ? (w ? 4.0 * margin : margin) : 0.0);
      if (w && c == labels[t]) logit -= 4.0 * margin;
      sum += (row[static_cast<std::size_t>(c)] = std::exp(logit));
    }
    for (auto& v : row) v /= sum;
  }
  return p;
}

// Events of a class path, as the count layer will define them: the window index of each change.
struct Events {
  std::vector<int> load, trip, failed;  // window index of each event
};

inline Events events_of(const std::vector<WindowClass>& classes, const std::vector<int>& path) {
  Events ev;
  for (std::size_t t = 0; t < path.size(); ++t) {
    const auto& p = classes[static_cast<std::size_t>(path[t])].path;
    // Changes inside the window, and a change between windows (a greedy path need not chain).
    std::vector<State> seq;
    if (t > 0) seq.push_back(classes[static_cast<std::size_t>(path[t - 1])].last());
    seq.insert(seq.end(), p.begin(), p.end());
    for (std::size_t i = 1; i < seq.size(); ++i) {
      if (seq[i - 1] == State::Loading && seq[i] == State::Loaded) ev.load.push_back(static_cast<int>(t));
      if (seq[i - 1] == State::Unloading && seq[i] == State::Empty) ev.trip.push_back(static_cast<int>(t));
      if (seq[i - 1] == State::Loading && seq[i] == State::Empty) ev.failed.push_back(static_cast<int>(t));
    }
  }
  return ev;
}

struct Score {
  long truth = 0, predicted = 0, matched = 0, abs_count_error = 0;
  long windows = 0, windows_right = 0;
  void add(const std::vector<int>& want, const std::vector<int>& got, int tolerance) {
    truth += static_cast<long>(want.size());
    predicted += static_cast<long>(got.size());
    abs_count_error += std::labs(static_cast<long>(want.size()) - static_cast<long>(got.size()));
    // One-to-one matching in time order within the tolerance (both lists are sorted).
    std::size_t j = 0;
    for (const int w : want) {
      while (j < got.size() && got[j] < w - tolerance) ++j;
      if (j < got.size() && got[j] <= w + tolerance) {
        ++matched;
        ++j;
      }
    }
  }
  double f1() const {
    return truth + predicted == 0 ? 1.0 : 2.0 * static_cast<double>(matched) / static_cast<double>(truth + predicted);
  }
};

// Moves probability of a transition window's class onto its neighbours: the model is unsure in which
// window the change happened (the usual way a window classifier errs, and what makes greedy count twice).
inline void smear_transitions(std::mt19937_64& rng, const std::vector<WindowClass>& classes,
                              const std::vector<int>& labels, std::vector<double>& probs, double amount) {
  if (amount <= 0.0) return;
  const std::size_t k = classes.size();
  std::bernoulli_distribution coin(0.5);
  for (std::size_t t = 0; t < labels.size(); ++t) {
    if (classes[static_cast<std::size_t>(labels[t])].changes() == 0) continue;
    for (const std::size_t n : {t - 1, t + 1}) {
      if (t == 0 && n > t) continue;  // t - 1 wrapped
      if (n >= labels.size() || !coin(rng)) continue;
      for (std::size_t c = 0; c < k; ++c) probs[n * k + c] *= 1.0 - amount;
      probs[n * k + static_cast<std::size_t>(labels[t])] += amount;
    }
  }
}

}  // namespace lc::decode::testing
