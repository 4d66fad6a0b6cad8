// Forest <-> its compiled binary form (see forest.h). Layout, every field little-endian:
//   "LCFOREST" | u32 version (1) | u32 0 | u64 JSON fingerprint | u64 fingerprint of everything after the
//   header | u64 features | u64 classes | u64 trees | u64 nodes | f32 base score | u32 0 |
//   nodes x (f32 value, u32 left, u32 split) | trees x u32 root | trees x u32 class
// The second fingerprint catches a damaged file (a flipped threshold would still pass the structure checks).
// The walk order and group depths are recomputed on load (prepare_walk), so they cannot disagree with the trees.
#include <bit>
#include <cmath>
#include <cstring>

#include "model/forest.h"
#include "util/fingerprint.h"

namespace lc::model {
namespace {

constexpr char kMagic[8] = {'L', 'C', 'F', 'O', 'R', 'E', 'S', 'T'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeader = 8 + 4 + 4 + 8 * 6 + 4 + 4;

void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

struct Cursor {
  std::string_view b;
  std::size_t at = 0;
  std::uint32_t u32() {
    std::uint32_t v;
    std::memcpy(&v, b.data() + at, 4);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
    at += 4;
    return v;
  }
  std::uint64_t u64() {
    const std::uint64_t lo = u32();
    return lo | (static_cast<std::uint64_t>(u32()) << 32);
  }
  float f32() { return std::bit_cast<float>(u32()); }
};

}  // namespace

std::string Forest::to_binary(std::uint64_t json_fingerprint) const {
  std::string out(kMagic, sizeof kMagic);
  out.reserve(kHeader + m_nodes.size() * 12 + m_roots.size() * 8);
  put32(out, kVersion);
  put32(out, 0);
  put64(out, json_fingerprint);
  const std::size_t body_fp_at = out.size();
  put64(out, 0);  // filled in below
  put64(out, m_num_features);
  put64(out, m_num_classes);
  put64(out, m_roots.size());
  put64(out, m_nodes.size());
  put32(out, std::bit_cast<std::uint32_t>(m_base_score));
  put32(out, 0);
  for (const Node& n : m_nodes) {
    put32(out, std::bit_cast<std::uint32_t>(n.value));
    put32(out, n.left);
    put32(out, file_split(n.split));  // as in the file, not as walked (prepare_walk)
  }
  for (auto r : m_roots) put32(out, r);
  for (auto c : m_tree_class) put32(out, c);
  std::string body_fp;
  put64(body_fp, fingerprint64(std::string_view(out).substr(kHeader)));
  out.replace(body_fp_at, 8, body_fp);
  return out;
}

Expected<Forest> Forest::from_binary(std::string_view bytes, std::uint64_t json_fingerprint, const std::string& name) {
  auto bad = [&](const std::string& msg) { return Error::bad_input(name + ": " + msg); };
  if (bytes.size() < kHeader || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return bad("not a compiled forest (no LCFOREST header)");
  Cursor c{bytes, sizeof kMagic};
  if (const auto v = c.u32(); v != kVersion) return bad("compiled forest version " + std::to_string(v) + ", expected 1");
  c.u32();
  if (c.u64() != json_fingerprint) return bad("compiled from another version of the JSON model (fingerprint differs)");
  const std::uint64_t body_fp = c.u64();
  if (fingerprint64(bytes.substr(kHeader)) != body_fp) return bad("damaged (its contents do not match their fingerprint)");
  Forest f;
  const std::uint64_t features = c.u64(), classes = c.u64(), trees = c.u64(), nodes = c.u64();
  f.m_base_score = c.f32();
  c.u32();
  if (features == 0 || features > kFeatureMask || classes < 2 || classes > 0xFFFF || trees == 0 || nodes < trees ||
      nodes >= kLeaf || !std::isfinite(f.m_base_score))
    return bad("implausible header (features, classes, trees, nodes or base score)");
  if (bytes.size() != kHeader + nodes * 12 + trees * 8)
    return bad("is " + std::to_string(bytes.size()) + " bytes, its header promises " + std::to_string(kHeader + nodes * 12 + trees * 8));
  f.m_num_features = features;
  f.m_num_classes = classes;
  // Filled in one pass: resize() would first zero every node, a second pass over memory that start-up paid for
  // (17 % of a 100-line replay's time with the two-member model, by perf).
  f.m_nodes.reserve(nodes);
  for (std::uint64_t i = 0; i < nodes; ++i) {
    const float value = c.f32();
    const std::uint32_t left = c.u32();
    f.m_nodes.push_back(Node{value, left, c.u32()});
  }
  f.m_roots.resize(trees);
  for (auto& r : f.m_roots) r = c.u32();
  f.m_tree_class.resize(trees);
  for (auto& k : f.m_tree_class) k = c.u32();
  // What predict() relies on: trees tile the node array in order; inside a tree every split's children are
  // the two nodes at left, left + 1, after it and inside the tree (so every walk ends), and a leaf is exactly
  // kLeaf pointing to itself.
  if (f.m_roots[0] != 0) return bad("the first tree does not start at node 0");
  for (std::size_t t = 0; t < trees; ++t) {
    const std::size_t begin = f.m_roots[t];
    const std::size_t end = t + 1 < trees ? f.m_roots[t + 1] : nodes;
    if (end <= begin || end > nodes) return bad("tree " + std::to_string(t) + " has no nodes or runs past the end");
    if (f.m_tree_class[t] >= classes) return bad("tree " + std::to_string(t) + " scores class " + std::to_string(f.m_tree_class[t]));
    for (std::size_t i = begin; i < end; ++i) {
      const Node& n = f.m_nodes[i];
      // predict() sends -inf left and +inf right of every threshold and keeps a lane at its leaf by -inf < value.
      if (!std::isfinite(n.value)) return bad("node " + std::to_string(i) + " has a threshold or leaf value that is not finite");
      if (n.split & kLeaf) {
        if (n.split != kLeaf || n.left != i) return bad("node " + std::to_string(i) + " is a malformed leaf");
        continue;
      }
      if ((n.split & kFeatureMask) >= features) return bad("node " + std::to_string(i) + " splits on a feature out of range");
      if (n.left <= i || static_cast<std::size_t>(n.left) + 1 >= end)
        return bad("node " + std::to_string(i) + " has children outside its tree");
    }
  }
  f.prepare_walk();
  return f;
}

bool Forest::same_trees(const Forest& o) const {
  if (m_nodes.size() != o.m_nodes.size() || m_roots != o.m_roots || m_tree_class != o.m_tree_class ||
      m_num_features != o.m_num_features || m_num_classes != o.m_num_classes ||
      std::bit_cast<std::uint32_t>(m_base_score) != std::bit_cast<std::uint32_t>(o.m_base_score))
    return false;
  for (std::size_t i = 0; i < m_nodes.size(); ++i)
    if (std::bit_cast<std::uint32_t>(m_nodes[i].value) != std::bit_cast<std::uint32_t>(o.m_nodes[i].value) ||
        m_nodes[i].left != o.m_nodes[i].left || m_nodes[i].split != o.m_nodes[i].split)
      return false;
  return true;
}

}  // namespace lc::model
