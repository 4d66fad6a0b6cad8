// The transition graph between window classes (ARCHITECTURE.md "States, transitions, events").
//
// K window classes, indexed 0..K-1 in the model's output order. `allowed(a, b)` says whether class b may
// label the window right after a window labelled a. The graph is data: either derived from the classes'
// state paths (b may follow a iff b starts in the state a ends in) or read from a model bundle's manifest
// as an explicit edge list. It is compiled once into a bit mask (for checks) and an ascending predecessor
// list per class (what the decoders iterate), so the per-window work is integer-only.
//
// Start classes: by default any class may label the first window of a segment (the state when decoding
// starts is unknown). A configured start set restricts the first window of the first segment.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/expected.h"
#include "window/states.h"

namespace lc::decode {

// One directed edge of the graph: class `to` may follow class `from` (indices into the class list).
struct Edge {
  int from = 0;
  int to = 0;
  bool operator==(const Edge&) const = default;
};

// Edges blocked for one step of the recursion, i.e. for one window, although the graph allows them (a rule
// that depends on the windows' data, such as count/path_counter.h's shortest load-to-trip time). Row b (the new
// window's class) holds step_mask_words(K) 64-bit words; bit a set: class a may not precede b at this step.
// An empty span blocks nothing.
inline std::size_t step_mask_words(int classes) { return (static_cast<std::size_t>(classes) + 63) / 64; }
inline bool step_blocked(std::span<const std::uint64_t> mask, std::size_t words, int b, int a) {
  return !mask.empty() &&
         ((mask[static_cast<std::size_t>(b) * words + static_cast<std::size_t>(a) / 64] >> (static_cast<unsigned>(a) % 64)) & 1u) != 0;
}
// Blocks a -> b in `mask` (one step's K * words words).
inline void step_block(std::span<std::uint64_t> mask, std::size_t words, int b, int a) {
  mask[static_cast<std::size_t>(b) * words + static_cast<std::size_t>(a) / 64] |= std::uint64_t{1} << (static_cast<unsigned>(a) % 64);
}

class TransitionGraph {
 public:
  // From window classes (the reference nine, or classes_up_to(n)): b may follow a iff
  // b.first() == a.last(). Names are WindowClass::name(). Error (BadInput) if `classes` is empty or holds a
  // class twice.
  static Expected<TransitionGraph> from_classes(std::span<const WindowClass> classes);

  // From an explicit list (a model bundle's manifest). Error (BadInput, naming the edge's position and the
  // offending name) on an empty or duplicate class name, or an edge naming an unknown class. Duplicate edges
  // are harmless. A class without successors is allowed here; decoders report a path that dead-ends.
  static Expected<TransitionGraph> from_edges(std::vector<std::string> names,
                                              std::span<const std::pair<std::string, std::string>> edges);
  // Same with indices; Error (BadInput) on an index outside [0, names.size()).
  static Expected<TransitionGraph> from_edges(std::vector<std::string> names, std::span<const Edge> edges);

  int size() const { return static_cast<int>(m_names.size()); }
  const std::string& name(int k) const { return m_names[static_cast<std::size_t>(k)]; }
  const std::vector<std::string>& names() const { return m_names; }
  // Index of a class name, or -1 if unknown (a load-time lookup, not for the per-window path).
  int index_of(std::string_view name) const;

  // Whether b may follow a; false for indices out of range.
  bool allowed(int a, int b) const;
  // The classes that may precede b, ascending (decoders rely on the order for tie-breaking).
  std::span<const int> predecessors(int b) const {
    const auto lo = m_pred_begin[static_cast<std::size_t>(b)];
    const auto hi = m_pred_begin[static_cast<std::size_t>(b) + 1];
    return std::span<const int>(m_pred).subspan(lo, hi - lo);
  }
  // All edges, ordered by (from, to): what a manifest writer stores.
  std::vector<Edge> edges() const;

  // Start classes. Error (BadInput) on an empty set, an unknown index or name; the graph is unchanged then.
  Status set_start_classes(std::span<const int> classes);
  Status set_start_classes(std::span<const std::string> names);
  void allow_any_start();
  bool may_start(int k) const { return m_start[static_cast<std::size_t>(k)] != 0; }
  bool start_restricted() const { return m_start_restricted; }

  // Whether `path` (class indices) is a path of the graph: every index in range and every step allowed.
  // The start set is not checked (segments may start anywhere). An empty path is valid.
  bool is_path(std::span<const int> path) const;

 private:
  TransitionGraph() = default;
  static Expected<TransitionGraph> build(std::vector<std::string> names, std::span<const Edge> edges);

  std::vector<std::string> m_names;
  std::size_t m_words_per_row = 0;
  std::vector<std::uint64_t> m_next_mask;  // row a, bit b: b may follow a
  std::vector<std::size_t> m_pred_begin;   // K+1 offsets into m_pred
  std::vector<int> m_pred;                 // predecessors of each class, ascending
  std::vector<std::uint8_t> m_start;       // 1 if the class may start the first segment
  bool m_start_restricted = false;
};

}  // namespace lc::decode
