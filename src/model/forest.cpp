#include "model/forest.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

namespace lc::model {

// Builds a Forest while nlohmann's SAX reader walks the XGBoost JSON. Only the fields the prediction needs
// are kept; each tree's arrays are turned into flat nodes as soon as the tree's object closes, so memory
// holds one tree's arrays at a time, never the document.
class ForestBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit ForestBuilder(const std::string& name) : m_name(name) {}

  // Why parsing stopped, if it did (empty when the SAX reader itself reported a syntax error).
  const std::string& failure() const { return m_failure; }

  Expected<Forest> finish();

  // --- nlohmann::json_sax ---
  bool null() override { return scalar_other("null"); }
  bool boolean(bool v) override { return number(v ? 1.0 : 0.0, nullptr); }
  bool number_integer(number_integer_t v) override { return number(static_cast<double>(v), nullptr); }
  bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v), nullptr); }
  bool number_float(number_float_t v, const string_t& text) override { return number(v, &text); }
  bool string(string_t& v) override;
  bool binary(binary_t&) override { return scalar_other("binary"); }
  bool start_object(std::size_t) override { return open(false); }
  bool key(string_t& k) override {
    m_key = k;
    return true;
  }
  bool end_object() override;
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override {
    m_stack.pop_back();
    return true;
  }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e) override {
    m_failure = "not valid JSON at byte " + std::to_string(pos) + ": " + e.what();
    return false;
  }

 private:
  // What a container is, decided once when it opens, so values need no path comparisons.
  enum class Ctx : std::uint8_t {
    Other, Root, Learner, ModelParam, Objective, Booster, BoosterModel, TreeInfo, Trees, Tree, TreeParam,
    Left, Right, SplitIndex, SplitCond, DefaultLeft, SplitType, Categories
  };
  struct TreeArrays {
    std::vector<std::int64_t> left, right, split_index, split_type;
    std::vector<float> split_cond;
    std::vector<std::uint8_t> default_left;
    std::size_t categories = 0;
    void clear() {
      left.clear(), right.clear(), split_index.clear(), split_type.clear(), split_cond.clear(), default_left.clear();
      categories = 0;
    }
  };

  bool fail(std::string msg) {
    m_failure = std::move(msg);
    return false;
  }
  Ctx top() const { return m_stack.empty() ? Ctx::Other : m_stack.back(); }
  bool open(bool array);
  bool number(double v, const string_t* text);
  bool scalar_other(const char* what) {
    const Ctx c = top();
    if (c >= Ctx::Left && c <= Ctx::SplitType) return fail("tree " + std::to_string(m_tree_count) + ": " + what + " in a node array");
    return true;
  }
  bool close_tree();

  const std::string& m_name;
  std::string m_failure;
  std::vector<Ctx> m_stack;
  std::string m_key;
  // Fields read from the document.
  std::string m_objective, m_booster, m_base_score, m_num_class, m_num_feature;
  std::vector<std::uint32_t> m_tree_info;
  TreeArrays m_t;
  std::size_t m_tree_count = 0;
  Forest m_forest;
  std::vector<std::pair<std::uint32_t, int>> m_queue;  // reused by close_tree
  std::vector<std::uint32_t> m_new_index;
  int m_tree_depth = 0;
  std::vector<std::uint8_t> m_depth;  // per tree
};

bool ForestBuilder::open(bool array) {
  const Ctx parent = top();
  Ctx c = Ctx::Other;
  if (m_stack.empty()) {
    c = array ? Ctx::Other : Ctx::Root;
  } else if (parent == Ctx::Root && m_key == "learner") {
    c = Ctx::Learner;
  } else if (parent == Ctx::Learner) {
    if (m_key == "learner_model_param") c = Ctx::ModelParam;
    else if (m_key == "objective") c = Ctx::Objective;
    else if (m_key == "gradient_booster") c = Ctx::Booster;
  } else if (parent == Ctx::Booster && m_key == "model") {
    c = Ctx::BoosterModel;
  } else if (parent == Ctx::BoosterModel) {
    if (m_key == "trees" && array) c = Ctx::Trees;
    else if (m_key == "tree_info" && array) c = Ctx::TreeInfo;
  } else if (parent == Ctx::Trees && !array) {
    c = Ctx::Tree;
    m_t.clear();
  } else if (parent == Ctx::Tree) {
    if (!array && m_key == "tree_param") c = Ctx::TreeParam;
    else if (array && m_key == "left_children") c = Ctx::Left;
    else if (array && m_key == "right_children") c = Ctx::Right;
    else if (array && m_key == "split_indices") c = Ctx::SplitIndex;
    else if (array && m_key == "split_conditions") c = Ctx::SplitCond;
    else if (array && m_key == "default_left") c = Ctx::DefaultLeft;
    else if (array && m_key == "split_type") c = Ctx::SplitType;
    else if (array && m_key == "categories_nodes") c = Ctx::Categories;
  } else if (parent >= Ctx::Left && parent <= Ctx::SplitType) {
    return fail("tree " + std::to_string(m_tree_count) + ": nested container in a node array");
  }
  m_stack.push_back(c);
  return true;
}

bool ForestBuilder::number(double v, const string_t* text) {
  switch (top()) {
    case Ctx::Left: m_t.left.push_back(static_cast<std::int64_t>(v)); break;
    case Ctx::Right: m_t.right.push_back(static_cast<std::int64_t>(v)); break;
    case Ctx::SplitIndex: m_t.split_index.push_back(static_cast<std::int64_t>(v)); break;
    case Ctx::SplitType: m_t.split_type.push_back(static_cast<std::int64_t>(v)); break;
    case Ctx::DefaultLeft: m_t.default_left.push_back(v != 0.0 ? 1 : 0); break;
    case Ctx::SplitCond: {
      // XGBoost prints floats with enough digits to read back the same float; read the text straight into a
      // float (via double could round twice).
      float f = static_cast<float>(v);
      if (text != nullptr) {
        const auto r = std::from_chars(text->data(), text->data() + text->size(), f);
        if (r.ec != std::errc()) f = static_cast<float>(v);
      }
      m_t.split_cond.push_back(f);
      break;
    }
    case Ctx::TreeInfo: m_tree_info.push_back(v >= 0 && v < 4294967295.0 ? static_cast<std::uint32_t>(v) : 0xFFFFFFFFu); break;
    case Ctx::Categories: ++m_t.categories; break;
    default: break;
  }
  return true;
}

bool ForestBuilder::string(string_t& v) {
  switch (top()) {
    case Ctx::ModelParam:
      if (m_key == "base_score") m_base_score = v;
      else if (m_key == "num_class") m_num_class = v;
      else if (m_key == "num_feature") m_num_feature = v;
      break;
    case Ctx::Objective:
      if (m_key == "name") m_objective = v;
      break;
    case Ctx::Booster:
      if (m_key == "name") m_booster = v;
      break;
    default: return scalar_other("a string");
  }
  return true;
}

bool ForestBuilder::end_object() {
  const Ctx c = top();
  m_stack.pop_back();
  if (c == Ctx::Tree) return close_tree();
  return true;
}

// Checks one tree's arrays and appends it to the forest breadth-first, children side by side.
bool ForestBuilder::close_tree() {
  const std::string where = "tree " + std::to_string(m_tree_count);
  const std::size_t n = m_t.left.size();
  if (n == 0) return fail(where + ": has no nodes");
  if (m_t.right.size() != n || m_t.split_index.size() != n || m_t.split_cond.size() != n || m_t.default_left.size() != n)
    return fail(where + ": node arrays (left_children, right_children, split_indices, split_conditions, default_left) "
                        "differ in length");
  for (const auto t : m_t.split_type)
    if (t != 0) return fail(where + ": categorical splits are not supported");
  if (m_t.categories != 0) return fail(where + ": categorical splits are not supported");

  auto& nodes = m_forest.m_nodes;
  const auto root = static_cast<std::uint32_t>(nodes.size());
  m_forest.m_roots.push_back(root);
  m_new_index.assign(n, 0xFFFFFFFFu);
  m_tree_depth = 0;
  m_queue.clear();
  m_queue.emplace_back(0u, 0);
  m_new_index[0] = 0;
  nodes.push_back({});
  // Breadth-first: a node's slot was reserved when its parent was placed; its children get two new slots.
  for (std::size_t qi = 0; qi < m_queue.size(); ++qi) {
    const auto [old, depth] = m_queue[qi];
    const std::uint32_t slot = root + m_new_index[old];
    const std::int64_t l = m_t.left[old], r = m_t.right[old];
    if (l == -1 && r == -1) {
      nodes[slot] = Forest::Node{m_t.split_cond[old], slot, Forest::kLeaf};
      m_tree_depth = std::max(m_tree_depth, depth);
      m_forest.m_max_depth = std::max(m_forest.m_max_depth, depth);
      continue;
    }
    if (l < 0 || r < 0 || l >= static_cast<std::int64_t>(n) || r >= static_cast<std::int64_t>(n) || l == r)
      return fail(where + ": node " + std::to_string(old) + " has children out of range");
    if (m_new_index[l] != 0xFFFFFFFFu || m_new_index[r] != 0xFFFFFFFFu)
      return fail(where + ": node " + std::to_string(old) + " reaches a node twice (not a tree)");
    const std::int64_t f = m_t.split_index[old];
    if (f < 0 || f >= static_cast<std::int64_t>(Forest::kFeatureMask))
      return fail(where + ": node " + std::to_string(old) + " splits on feature " + std::to_string(f));
    const auto left_slot = static_cast<std::uint32_t>(nodes.size() - root);
    m_new_index[l] = left_slot;
    m_new_index[r] = left_slot + 1;
    nodes[slot] = Forest::Node{m_t.split_cond[old], root + left_slot,
                               static_cast<std::uint32_t>(f) | (m_t.default_left[old] ? Forest::kDefaultLeft : 0u)};
    nodes.push_back({});
    nodes.push_back({});
    m_queue.emplace_back(static_cast<std::uint32_t>(l), depth + 1);
    m_queue.emplace_back(static_cast<std::uint32_t>(r), depth + 1);
  }
  if (nodes.size() >= Forest::kLeaf) return fail(where + ": the model has too many nodes");
  m_depth.push_back(static_cast<std::uint8_t>(std::min(m_tree_depth, 255)));
  ++m_tree_count;
  return true;
}

namespace {

// learner_model_param values are JSON strings holding numbers ("13", "5E-1").
template <typename T>
bool parse_param(const std::string& s, T& out) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

Expected<Forest> ForestBuilder::finish() {
  auto bad = [&](const std::string& msg) { return Error::bad_input(m_name + ": " + msg); };
  if (m_objective != "multi:softprob")
    return bad("objective is '" + m_objective + "', expected 'multi:softprob' (learner.objective.name)");
  if (m_booster != "gbtree") return bad("booster is '" + m_booster + "', only 'gbtree' is supported (learner.gradient_booster.name)");
  std::size_t classes = 0, features = 0;
  float base = 0.5f;
  if (!parse_param(m_num_class, classes) || classes < 2)
    return bad("learner_model_param.num_class must be a number >= 2 (multi:softprob), found '" + m_num_class + "'");
  if (!parse_param(m_num_feature, features) || features == 0)
    return bad("learner_model_param.num_feature must be a number >= 1, found '" + m_num_feature + "'");
  if (!parse_param(m_base_score, base) || !std::isfinite(base))
    return bad("learner_model_param.base_score is not a number: '" + m_base_score + "'");
  m_forest.m_num_classes = classes;
  m_forest.m_num_features = features;
  m_forest.m_base_score = base;
  for (std::size_t t = 0; t < m_forest.m_roots.size(); ++t) {
    const std::size_t end = t + 1 < m_forest.m_roots.size() ? m_forest.m_roots[t + 1] : m_forest.m_nodes.size();
    for (std::size_t i = m_forest.m_roots[t]; i < end; ++i) {
      const auto split = m_forest.m_nodes[i].split;
      if (!(split & Forest::kLeaf) && (split & Forest::kFeatureMask) >= features)
        return bad("tree " + std::to_string(t) + " splits on feature " + std::to_string(split & Forest::kFeatureMask) +
                   " but the model has " + std::to_string(features));
    }
  }
  if (m_forest.m_roots.size() != m_tree_info.size())
    return bad(std::to_string(m_forest.m_roots.size()) + " trees but " + std::to_string(m_tree_info.size()) +
               " entries in tree_info");
  for (std::size_t t = 0; t < m_tree_info.size(); ++t)
    if (m_tree_info[t] >= m_forest.m_num_classes)
      return bad("tree_info[" + std::to_string(t) + "] is not a class of " + std::to_string(m_forest.m_num_classes));
  m_forest.m_tree_class = std::move(m_tree_info);
  for (std::size_t g = 0; g < m_depth.size(); g += Forest::kLanes) {
    std::uint8_t d = 0;
    for (std::size_t t = g; t < std::min(g + Forest::kLanes, m_depth.size()); ++t) d = std::max(d, m_depth[t]);
    m_forest.m_group_depth.push_back(d);
  }
  m_forest.m_nodes.shrink_to_fit();
  return std::move(m_forest);
}


Expected<Forest> Forest::from_xgboost_json(std::string_view json, const std::string& name) {
  ForestBuilder b(name);
  bool parsed = false;
  try {
    parsed = nlohmann::json::sax_parse(json.begin(), json.end(), &b);
  } catch (const std::exception& e) {
    return Error::bad_input(name + ": " + e.what());
  }
  if (!parsed) return Error::bad_input(name + ": " + (b.failure().empty() ? std::string("not valid JSON") : b.failure()));
  return b.finish();
}

void Forest::predict(const float* row, std::span<float> out) const noexcept {
  float* margin = out.data();
  for (std::size_t c = 0; c < m_num_classes; ++c) margin[c] = m_base_score;
  const Node* nodes = m_nodes.data();
  const std::size_t trees = m_roots.size();
  for (std::size_t g = 0, t = 0; t < trees; ++g, t += kLanes) {
    const std::size_t lanes = std::min(kLanes, trees - t);
    std::uint32_t at[kLanes];
    for (std::size_t k = 0; k < kLanes; ++k) at[k] = m_roots[t + (k < lanes ? k : 0)];
    // The next group's nodes are contiguous: ask for them now, so its walk does not wait on memory (the
    // forest, ~1.4 MB for the shipped models, does not fit in L2; the walks are otherwise latency-bound).
    if (t + kLanes < trees) {
      const auto* from = reinterpret_cast<const char*>(nodes + m_roots[t + kLanes]);
      const auto* to = reinterpret_cast<const char*>(nodes + (t + 2 * kLanes < trees ? m_roots[t + 2 * kLanes] : m_nodes.size()));
      for (const char* p = from; p < to; p += 64) __builtin_prefetch(p);
    }
    // One level of every lane per step; a lane that reached its leaf stays there (leaves point to themselves).
    for (int d = 0; d < m_group_depth[g]; ++d) {
      for (std::size_t k = 0; k < kLanes; ++k) {
        const Node n = nodes[at[k]];
        const float x = row[n.split & kFeatureMask];
        // Missing (NaN) takes the default direction; otherwise left when x < threshold (XGBoost's rule).
        // Written as bit arithmetic so the compiler emits no branch (a branch here mispredicts half the time).
        const std::uint32_t less = x < n.value;  // false for NaN
        const std::uint32_t missing = x != x;
        const std::uint32_t left = less | (missing & (n.split >> 31));
        const std::uint32_t next = n.left + (left ^ 1u);
        const std::uint32_t stay = 0u - ((n.split >> 30) & 1u);  // all ones at a leaf
        at[k] = (next & ~stay) | (at[k] & stay);
      }
    }
    // Leaf values added in tree order, as XGBoost does, so the sums round the same way.
    for (std::size_t k = 0; k < lanes; ++k) margin[m_tree_class[t + k]] += nodes[at[k]].value;
  }
  // XGBoost's softmax (src/common/math.h): float max and exp, double sum, float division.
  float wmax = margin[0];
  for (std::size_t c = 1; c < m_num_classes; ++c) wmax = std::fmax(margin[c], wmax);
  double wsum = 0.0;
  for (std::size_t c = 0; c < m_num_classes; ++c) {
    margin[c] = std::exp(margin[c] - wmax);
    wsum += margin[c];
  }
  for (std::size_t c = 0; c < m_num_classes; ++c) margin[c] /= static_cast<float>(wsum);
}

}  // namespace lc::model
