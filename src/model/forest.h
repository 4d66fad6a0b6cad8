// A compiled tree ensemble: the per-window scorer of the daemon and of replay.
//
// The bundle's models are XGBoost JSON (the contract, written by XGBoost through its C API when training).
// Scoring one window through XGBoost's C API cost ~250k instructions per model, a third of it parsing and
// copying the JSON predict configuration on every call (BENCHMARKS.md, callgrind); and loading the three
// models took ~0.3 s of CPU and 24 MB of RSS here. A gradient-boosted forest is only arithmetic: `Forest`
// reads the trees out of the same JSON once (RapidJSON's SAX reader, no document tree in memory), lays each
// tree out breadth-first with siblings side by side (12 bytes a node), and walks them 8 at a time.
//
// It computes exactly what XGBoost 1.7's CPU predictor computes for multi:softprob: per class, base_score plus
// the leaf values of that class's trees added in tree order in float; at a split a missing (NaN) value takes
// the node's default direction and anything else goes left when value < threshold; then XGBoost's softmax.
// tests/unit/model/forest_test.cpp checks it against XGBoost itself on every shipped model. Models this
// evaluator cannot reproduce (another objective, dart boosters, categorical splits, vector leaves) are refused
// with an error naming the file and what is unsupported, never approximated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace lc::model {

class Forest {
 public:
  // Reads an XGBoost JSON model (multi:softprob, gbtree). `name` (the file) is used in errors.
  static Expected<Forest> from_xgboost_json(std::string_view json, const std::string& name);

  // The compiled form (forest_binary.cpp): the flat trees as they are in memory, stamped with the
  // fingerprint of the JSON text they were compiled from. Loading it skips the JSON parse (most of a replay's
  // start-up). from_binary checks everything predict() relies on (every walk stays inside its tree and ends
  // at a leaf, features and classes in range) and that the stamp equals `json_fingerprint`; any failure is an
  // Error naming `name`, and the caller falls back to the JSON.
  std::string to_binary(std::uint64_t json_fingerprint) const;
  static Expected<Forest> from_binary(std::string_view bytes, std::uint64_t json_fingerprint, const std::string& name);
  // Equal trees, leaves, classes and base score (the walk order follows from them).
  bool same_trees(const Forest& other) const;

  std::size_t num_features() const { return m_num_features; }
  std::size_t num_classes() const { return m_num_classes; }
  std::size_t num_trees() const { return m_roots.size(); }
  std::size_t num_nodes() const { return m_nodes.size(); }
  int max_depth() const { return m_max_depth; }

  // Class probabilities of one row: `row` holds num_features() floats (NaN = missing), `out` gets
  // num_classes() probabilities. No allocation. Not for concurrent calls on one Forest (it reuses a buffer).
  void predict(const float* row, std::span<float> out) const noexcept;

 private:
  struct Node {
    float value;          // threshold of a split, or the leaf value
    std::uint32_t left;   // index in m_nodes of the left child; the right child is left + 1
    std::uint32_t split;  // in the file: feature index | kDefaultLeft, a leaf kLeaf; in memory, as walked: the
                          // index the node reads in predict's doubled row (walk_split, file_split)
  };
  static constexpr std::uint32_t kDefaultLeft = 0x80000000u;
  static constexpr std::uint32_t kLeaf = 0x40000000u;
  static constexpr std::uint32_t kFeatureMask = 0x3FFFFFFFu;
  // Trees are walked kLanes at a time, one level of each per step and without branches: a tree walk's
  // direction is a coin flip the branch predictor cannot learn, and independent walks overlap in the CPU.
  static constexpr std::size_t kLanes = 8;
  friend class ForestBuilder;
  // From m_nodes/m_roots, in the file's form: each tree's depth, the walk order by depth and each group's
  // depth; sizes m_leaf and m_row, and turns the nodes' splits into the walk's form.
  void prepare_walk();
  std::uint32_t walk_split(std::uint32_t file) const;
  std::uint32_t file_split(std::uint32_t walk) const;

  std::vector<Node> m_nodes;            // all trees, each breadth-first from its root
  std::vector<std::uint32_t> m_roots;   // first node of each tree in m_nodes
  std::vector<std::uint32_t> m_tree_class;
  std::vector<std::uint32_t> m_walk_order;  // trees by depth, walked kLanes at a time
  std::vector<std::uint8_t> m_group_depth;  // per group of kLanes trees of the walk order: the deepest leaf
  mutable std::vector<float> m_leaf;        // per tree: the leaf value of the current row
  mutable std::vector<float> m_row;         // the current row twice (missing as -inf, then as +inf), -inf between
  std::size_t m_num_features = 0;
  std::size_t m_num_classes = 0;
  float m_base_score = 0.5f;
  int m_max_depth = 0;
};

}  // namespace lc::model
