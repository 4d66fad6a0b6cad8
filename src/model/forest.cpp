#include "model/forest.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace lc::model {

// Builds a Forest while RapidJSON's SAX reader walks the XGBoost JSON (a handler in RapidJSON's concept:
// one call per value, numbers handed over as their text). Only the fields the prediction needs are kept;
// each tree's arrays become flat nodes as soon as the tree's object closes, so memory holds one tree's arrays
// at a time, never the document. (nlohmann's SAX reader, used first, spent 1.5 G instructions on the shipped
// models' 9 MB, as many as XGBoost's own loader; RapidJSON in place about 0.1 G.)
class ForestBuilder {
 public:
  explicit ForestBuilder(const std::string& name) : m_name(name) {}

  // Why the handler stopped the reader, if it did (empty for a syntax error found by the reader).
  const std::string& failure() const { return m_failure; }

  Expected<Forest> finish();

  // --- RapidJSON Handler concept ---
  bool Null() { return scalar_other("null"); }
  bool Bool(bool v) { return number(v ? "1" : "0"); }
  bool Int(int) { return bad_number(); }  // numbers arrive as text (kParseNumbersAsStringsFlag)
  bool Uint(unsigned) { return bad_number(); }
  bool Int64(std::int64_t) { return bad_number(); }
  bool Uint64(std::uint64_t) { return bad_number(); }
  bool Double(double) { return bad_number(); }
  bool RawNumber(const char* text, rapidjson::SizeType len, bool) { return number(std::string_view(text, len)); }
  bool String(const char* text, rapidjson::SizeType len, bool) { return string(std::string_view(text, len)); }
  bool StartObject() { return open(false); }
  bool Key(const char* text, rapidjson::SizeType len, bool) {
    m_key.assign(text, len);
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return end_object(); }
  bool StartArray() { return open(true); }
  bool EndArray(rapidjson::SizeType) {
    m_stack.pop_back();
    return true;
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
  bool number(std::string_view text);
  bool string(std::string_view v);
  bool end_object();
  bool bad_number() { return fail("internal: the JSON reader did not hand numbers over as text"); }
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
  std::vector<std::uint32_t> m_queue;  // reused by close_tree
  std::vector<std::uint32_t> m_new_index;
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

namespace {

// Reads an integer written as text ("12", also "12.0" or "1.2e1" as some writers print them); false if it is
// not a whole number.
bool to_int(std::string_view t, std::int64_t& out) {
  const auto r = std::from_chars(t.data(), t.data() + t.size(), out);
  if (r.ec == std::errc() && r.ptr == t.data() + t.size()) return true;
  double d = 0;
  const auto rd = std::from_chars(t.data(), t.data() + t.size(), d);
  if (rd.ec != std::errc() || rd.ptr != t.data() + t.size() || d != std::floor(d) || std::fabs(d) > 9e15) return false;
  out = static_cast<std::int64_t>(d);
  return true;
}

}  // namespace

bool ForestBuilder::number(std::string_view text) {
  const Ctx c = top();
  if (c == Ctx::Categories) {
    ++m_t.categories;
    return true;
  }
  if (c == Ctx::SplitCond) {
    // Straight from the text to float, as XGBoost reads it (via double could round twice).
    float f = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), f);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size())
      return fail("tree " + std::to_string(m_tree_count) + ": split_conditions holds '" + std::string(text) + "'");
    m_t.split_cond.push_back(f);
    return true;
  }
  std::vector<std::int64_t>* dest = nullptr;
  switch (c) {
    case Ctx::Left: dest = &m_t.left; break;
    case Ctx::Right: dest = &m_t.right; break;
    case Ctx::SplitIndex: dest = &m_t.split_index; break;
    case Ctx::SplitType: dest = &m_t.split_type; break;
    case Ctx::DefaultLeft:
    case Ctx::TreeInfo: break;
    default: return true;  // a number this reader does not need
  }
  std::int64_t v = 0;
  if (!to_int(text, v))
    return fail((c == Ctx::TreeInfo ? std::string("tree_info") : "tree " + std::to_string(m_tree_count)) + ": '" +
                std::string(text) + "' where a whole number belongs");
  if (dest != nullptr) dest->push_back(v);
  else if (c == Ctx::DefaultLeft) m_t.default_left.push_back(v != 0 ? 1 : 0);
  else m_tree_info.push_back(v >= 0 && v < 0xFFFFFFFFLL ? static_cast<std::uint32_t>(v) : 0xFFFFFFFFu);
  return true;
}

bool ForestBuilder::string(std::string_view v) {
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
    case Ctx::TreeParam:
      // One value per leaf is all this evaluator knows (XGBoost >= 2.0 can store a vector per leaf).
      if (m_key == "size_leaf_vector" && v != "0" && v != "1")
        return fail("tree " + std::to_string(m_tree_count) + ": vector leaves (size_leaf_vector " + std::string(v) +
                    ") are not supported");
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
  m_queue.clear();
  m_queue.push_back(0u);
  m_new_index[0] = 0;
  nodes.push_back({});
  // Breadth-first: a node's slot was reserved when its parent was placed; its children get two new slots.
  for (std::size_t qi = 0; qi < m_queue.size(); ++qi) {
    const std::uint32_t old = m_queue[qi];
    const std::uint32_t slot = root + m_new_index[old];
    const std::int64_t l = m_t.left[old], r = m_t.right[old];
    // Not finite: predict() could not reproduce XGBoost there (it sends a missing value to -inf or +inf).
    if (!std::isfinite(m_t.split_cond[old]))
      return fail(where + ": node " + std::to_string(old) + " has a threshold or leaf value that is not finite (not supported)");
    if (l == -1 && r == -1) {
      nodes[slot] = Forest::Node{m_t.split_cond[old], slot, Forest::kLeaf};
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
    m_queue.push_back(static_cast<std::uint32_t>(l));
    m_queue.push_back(static_cast<std::uint32_t>(r));
  }
  if (nodes.size() >= Forest::kLeaf) return fail(where + ": the model has too many nodes");
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
  m_forest.prepare_walk();
  m_forest.m_nodes.shrink_to_fit();
  return std::move(m_forest);
}

void Forest::prepare_walk() {
  // Depth of every node from its parent's (children always come after their parent in m_nodes).
  std::vector<std::uint8_t> node_depth(m_nodes.size(), 0);
  std::vector<std::uint8_t> tree_depth(m_roots.size(), 0);
  m_max_depth = 0;
  for (std::size_t t = 0; t < m_roots.size(); ++t) {
    const std::size_t end = t + 1 < m_roots.size() ? m_roots[t + 1] : m_nodes.size();
    for (std::size_t i = m_roots[t]; i < end; ++i) {
      const Node& n = m_nodes[i];
      if (n.split & kLeaf) {
        tree_depth[t] = std::max(tree_depth[t], node_depth[i]);
        continue;
      }
      const auto d = static_cast<std::uint8_t>(std::min(node_depth[i] + 1, 255));
      node_depth[n.left] = d;
      node_depth[n.left + 1] = d;
    }
    m_max_depth = std::max(m_max_depth, static_cast<int>(tree_depth[t]));
  }
  // Walk order: by depth, so each group of kLanes trees has trees of about the same depth and few lanes idle
  // (in file order a group runs as deep as its deepest tree: 42 % more steps on the shipped models).
  m_walk_order.resize(m_roots.size());
  for (std::size_t t = 0; t < m_walk_order.size(); ++t) m_walk_order[t] = static_cast<std::uint32_t>(t);
  std::stable_sort(m_walk_order.begin(), m_walk_order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return tree_depth[a] < tree_depth[b]; });
  m_group_depth.clear();
  for (std::size_t g = 0; g < m_walk_order.size(); g += kLanes) {
    std::uint8_t d = 0;
    for (std::size_t i = g; i < std::min(g + kLanes, m_walk_order.size()); ++i) d = std::max(d, tree_depth[m_walk_order[i]]);
    m_group_depth.push_back(d);
  }
  m_leaf.assign(m_walk_order.size(), 0.0f);
  // The nodes as walked (predict): `split` becomes the index the node reads in the doubled row, i.e. its feature
  // in the copy of its default direction (left: 0.., right: num_features + 1..), and for a leaf the -inf
  // between the copies. walk_split / file_split convert; the file keeps XGBoost's form.
  for (Node& n : m_nodes) n.split = walk_split(n.split);
  m_row.assign(2 * m_num_features + 1, 0.0f);
}

std::uint32_t Forest::walk_split(std::uint32_t file) const {
  const auto nf = static_cast<std::uint32_t>(m_num_features);
  if (file & kLeaf) return nf;
  const std::uint32_t f = file & kFeatureMask;
  return file & kDefaultLeft ? f : nf + 1 + f;
}

std::uint32_t Forest::file_split(std::uint32_t walk) const {
  const auto nf = static_cast<std::uint32_t>(m_num_features);
  if (walk == nf) return kLeaf;
  return walk < nf ? walk | kDefaultLeft : walk - nf - 1;
}

Expected<Forest> Forest::from_xgboost_json(std::string_view json, const std::string& name) {
  ForestBuilder b(name);
  if (json.find('\0') != std::string_view::npos) return Error::bad_input(name + ": contains a NUL byte (not a JSON text)");
  // Text after the document is an error (RapidJSON without kParseStopWhenDoneFlag).
  // In-situ parsing hands numbers over as pointers into the text instead of copying each one: a private,
  // NUL-terminated copy of the text is the buffer it may write into.
  std::string text(json);
  rapidjson::InsituStringStream ss(text.data());
  rapidjson::Reader reader;
  const rapidjson::ParseResult r = reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseInsituFlag |
                                                rapidjson::kParseValidateEncodingFlag>(ss, b);
  if (r.IsError()) {
    if (!b.failure().empty()) return Error::bad_input(name + ": " + b.failure());
    return Error::bad_input(name + ": not valid JSON at byte " + std::to_string(r.Offset()) + ": " +
                            rapidjson::GetParseError_En(r.Code()));
  }
  return b.finish();
}

void Forest::predict(const float* row, std::span<float> out) const noexcept {
  float* margin = out.data();
  for (std::size_t c = 0; c < m_num_classes; ++c) margin[c] = m_base_score;
  const Node* nodes = m_nodes.data();
  const std::size_t trees = m_roots.size();
  const std::uint32_t* order = m_walk_order.data();
  float* leaf = m_leaf.data();
  // The row twice, each missing value (NaN) replaced by the side its node sends it to: -inf goes left of every
  // threshold and +inf right of it, and a node reads the copy of its default direction (prepare_walk). Between
  // the copies one -inf, which every leaf reads. So a step is one ordered comparison: left when x < threshold.
  const std::size_t nf = m_num_features;
  constexpr float kInf = std::numeric_limits<float>::infinity();
  float* x_left = m_row.data();
  float* x_right = x_left + nf + 1;
  for (std::size_t i = 0; i < nf; ++i) x_left[i] = row[i] != row[i] ? -kInf : row[i];
  for (std::size_t i = 0; i < nf; ++i) x_right[i] = row[i] != row[i] ? kInf : row[i];
  x_left[nf] = -kInf;
  const float* x_row = x_left;
  for (std::size_t g = 0, t = 0; t < trees; ++g, t += kLanes) {
    const std::size_t lanes = std::min(kLanes, trees - t);
    std::uint32_t at[kLanes];
    for (std::size_t k = 0; k < kLanes; ++k) at[k] = m_roots[order[t + (k < lanes ? k : 0)]];
    // One level of every lane per step, with no branch (its direction is a coin flip the branch predictor
    // cannot learn). A lane at its leaf stays there: -inf < the leaf value, and "left" of a leaf is itself.
    for (int d = 0; d < m_group_depth[g]; ++d) {
      for (std::size_t k = 0; k < kLanes; ++k) {
        const Node n = nodes[at[k]];
        at[k] = n.left + static_cast<std::uint32_t>(!(x_row[n.split] < n.value));
      }
    }
    for (std::size_t k = 0; k < lanes; ++k) leaf[order[t + k]] = nodes[at[k]].value;
  }
  // Leaf values added in file order, as XGBoost does, so the sums round the same way.
  for (std::size_t t = 0; t < trees; ++t) margin[m_tree_class[t]] += leaf[t];
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
