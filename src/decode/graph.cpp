#include "decode/graph.h"

#include <algorithm>

namespace lc::decode {

namespace {
constexpr const char* kWhat = "transition graph: ";
}

Expected<TransitionGraph> TransitionGraph::build(std::vector<std::string> names, std::span<const Edge> edges) {
  if (names.empty()) return Error::bad_input(std::string(kWhat) + "no classes");
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) return Error::bad_input(std::string(kWhat) + "class " + std::to_string(i) + ": empty name");
    for (std::size_t j = 0; j < i; ++j)
      if (names[j] == names[i])
        return Error::bad_input(std::string(kWhat) + "class " + std::to_string(i) + ": duplicate name '" + names[i] +
                                "'");
  }
  const int k = static_cast<int>(names.size());
  for (std::size_t e = 0; e < edges.size(); ++e) {
    const Edge& edge = edges[e];
    if (edge.from < 0 || edge.from >= k || edge.to < 0 || edge.to >= k)
      return Error::bad_input(std::string(kWhat) + "edge " + std::to_string(e) + ": class index out of range [0, " +
                              std::to_string(k) + ")");
  }

  TransitionGraph g;
  g.m_names = std::move(names);
  const auto ku = static_cast<std::size_t>(k);
  g.m_words_per_row = (ku + 63) / 64;
  g.m_next_mask.assign(ku * g.m_words_per_row, 0);
  for (const Edge& edge : edges) {
    const auto to = static_cast<std::size_t>(edge.to);
    g.m_next_mask[static_cast<std::size_t>(edge.from) * g.m_words_per_row + to / 64] |= std::uint64_t{1} << (to % 64);
  }
  // Predecessor lists from the mask: ascending by construction, duplicates gone.
  g.m_pred_begin.assign(ku + 1, 0);
  for (int b = 0; b < k; ++b) {
    g.m_pred_begin[static_cast<std::size_t>(b)] = g.m_pred.size();
    for (int a = 0; a < k; ++a)
      if (g.allowed(a, b)) g.m_pred.push_back(a);
  }
  g.m_pred_begin[ku] = g.m_pred.size();
  g.m_start.assign(ku, 1);
  return g;
}

Expected<TransitionGraph> TransitionGraph::from_classes(std::span<const WindowClass> classes) {
  std::vector<std::string> names;
  names.reserve(classes.size());
  for (const auto& c : classes) {
    if (c.path.empty())
      return Error::bad_input(std::string(kWhat) + "class " + std::to_string(names.size()) + ": empty path");
    names.push_back(c.name());
  }
  std::vector<Edge> edges;
  for (std::size_t a = 0; a < classes.size(); ++a)
    for (std::size_t b = 0; b < classes.size(); ++b)
      if (classes[b].first() == classes[a].last()) edges.push_back({static_cast<int>(a), static_cast<int>(b)});
  return build(std::move(names), edges);
}

Expected<TransitionGraph> TransitionGraph::from_edges(std::vector<std::string> names, std::span<const Edge> edges) {
  return build(std::move(names), edges);
}

Expected<TransitionGraph> TransitionGraph::from_edges(std::vector<std::string> names,
                                                      std::span<const std::pair<std::string, std::string>> edges) {
  std::vector<Edge> idx;
  idx.reserve(edges.size());
  for (std::size_t e = 0; e < edges.size(); ++e) {
    const auto find = [&](const std::string& n) {
      const auto it = std::find(names.begin(), names.end(), n);
      return it == names.end() ? -1 : static_cast<int>(it - names.begin());
    };
    const int from = find(edges[e].first);
    const int to = find(edges[e].second);
    if (from < 0 || to < 0)
      return Error::bad_input(std::string(kWhat) + "edge " + std::to_string(e) + ": unknown class '" +
                              (from < 0 ? edges[e].first : edges[e].second) + "'");
    idx.push_back({from, to});
  }
  return build(std::move(names), idx);
}

int TransitionGraph::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < m_names.size(); ++i)
    if (m_names[i] == name) return static_cast<int>(i);
  return -1;
}

bool TransitionGraph::allowed(int a, int b) const {
  if (a < 0 || b < 0 || a >= size() || b >= size()) return false;
  const auto bu = static_cast<std::size_t>(b);
  return ((m_next_mask[static_cast<std::size_t>(a) * m_words_per_row + bu / 64] >> (bu % 64)) & 1U) != 0;
}

std::vector<Edge> TransitionGraph::edges() const {
  std::vector<Edge> out;
  for (int a = 0; a < size(); ++a)
    for (int b = 0; b < size(); ++b)
      if (allowed(a, b)) out.push_back({a, b});
  return out;
}

Status TransitionGraph::set_start_classes(std::span<const int> classes) {
  if (classes.empty()) return Error::bad_input(std::string(kWhat) + "empty set of start classes");
  std::vector<std::uint8_t> start(m_names.size(), 0);
  for (const int c : classes) {
    if (c < 0 || c >= size())
      return Error::bad_input(std::string(kWhat) + "start class index " + std::to_string(c) + " out of range [0, " +
                              std::to_string(size()) + ")");
    start[static_cast<std::size_t>(c)] = 1;
  }
  m_start = std::move(start);
  m_start_restricted = true;
  return ok();
}

Status TransitionGraph::set_start_classes(std::span<const std::string> names) {
  std::vector<int> idx;
  idx.reserve(names.size());
  for (const auto& n : names) {
    const int i = index_of(n);
    if (i < 0) return Error::bad_input(std::string(kWhat) + "unknown start class '" + n + "'");
    idx.push_back(i);
  }
  return set_start_classes(std::span<const int>(idx));
}

void TransitionGraph::allow_any_start() {
  std::fill(m_start.begin(), m_start.end(), std::uint8_t{1});
  m_start_restricted = false;
}

bool TransitionGraph::is_path(std::span<const int> path) const {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] < 0 || path[i] >= size()) return false;
    if (i > 0 && !allowed(path[i - 1], path[i])) return false;
  }
  return true;
}

}  // namespace lc::decode
