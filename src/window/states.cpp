#include "window/states.h"

namespace lc {

std::optional<State> parse_state(std::string_view name) {
  for (int i = 0; i < kStateCount; ++i)
    if (kStateNames[static_cast<std::size_t>(i)] == name) return static_cast<State>(i);
  return std::nullopt;
}

bool change_allowed(State a, State b) {
  switch (a) {
    case State::Empty: return b == State::Loading;
    case State::Loading: return b == State::Loaded || b == State::Empty;
    case State::Loaded: return b == State::Unloading;
    case State::Unloading: return b == State::Empty;
  }
  return false;
}

std::string WindowClass::name() const {
  std::string s(state_name(path.front()));
  if (path.size() == 1) return s + "_NO_TRANSITION";
  for (std::size_t i = 1; i < path.size(); ++i) {
    s += "_TO_";
    s += state_name(path[i]);
  }
  return s;
}

std::optional<WindowClass> parse_window_class(std::string_view name) {
  constexpr std::string_view kNo = "_NO_TRANSITION";
  if (name.size() > kNo.size() && name.ends_with(kNo)) {
    auto s = parse_state(name.substr(0, name.size() - kNo.size()));
    if (!s) return std::nullopt;
    return WindowClass{{*s}};
  }
  WindowClass c;
  constexpr std::string_view kTo = "_TO_";
  while (true) {
    const std::size_t pos = name.find(kTo);
    auto s = parse_state(name.substr(0, pos));
    if (!s) return std::nullopt;
    if (!c.path.empty() && !change_allowed(c.path.back(), *s)) return std::nullopt;
    c.path.push_back(*s);
    if (pos == std::string_view::npos) break;
    name.remove_prefix(pos + kTo.size());
  }
  if (c.path.size() < 2) return std::nullopt;
  return c;
}

std::vector<WindowClass> reference_classes() { return classes_up_to(1); }

std::vector<WindowClass> classes_up_to(int max_changes) {
  // Breadth first by number of changes, then by the first state's order: for max_changes = 1 this gives
  // ARCHITECTURE.md's order (EMPTY_NO_TRANSITION, EMPTY_TO_LOADING, LOADING_NO_TRANSITION, ...).
  std::vector<WindowClass> out;
  for (int s = 0; s < kStateCount; ++s) {
    std::vector<WindowClass> frontier{WindowClass{{static_cast<State>(s)}}};
    std::vector<WindowClass> mine = frontier;
    for (int k = 0; k < max_changes; ++k) {
      std::vector<WindowClass> next;
      for (const auto& c : frontier)
        for (int t = 0; t < kStateCount; ++t)
          if (change_allowed(c.last(), static_cast<State>(t))) {
            WindowClass n = c;
            n.path.push_back(static_cast<State>(t));
            next.push_back(n);
          }
      mine.insert(mine.end(), next.begin(), next.end());
      frontier = std::move(next);
    }
    out.insert(out.end(), mine.begin(), mine.end());
  }
  return out;
}

}  // namespace lc
