// The loader's work states and the window classes built from them (ARCHITECTURE.md "States, transitions").
//
// A window class is the path of states the window passes through, named by joining state names with
// "_TO_"; a window that stays in one state is "<STATE>_NO_TRANSITION". The reference design's nine classes
// are the paths of length 1 and 2; longer paths (two changes inside one window, e.g.
// "LOADED_TO_UNLOADING_TO_EMPTY" for a quick dump) use the same naming. Which class may follow which is
// derived from the paths (the next window starts in the state the previous one ended in) and stored as data
// in the model bundle.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lc {

enum class State : std::uint8_t { Empty = 0, Loading = 1, Loaded = 2, Unloading = 3 };
inline constexpr int kStateCount = 4;

inline constexpr std::array<std::string_view, kStateCount> kStateNames = {"EMPTY", "LOADING", "LOADED",
                                                                           "UNLOADING"};

inline std::string_view state_name(State s) { return kStateNames[static_cast<int>(s)]; }

// The changes of state the product counts (ARCHITECTURE.md "States, transitions, events"; count/events.h names
// them): a load, a trip (the bucket emptied at the truck) and a failed load (an abandoned dig).
inline constexpr bool is_load(State a, State b) { return a == State::Loading && b == State::Loaded; }
inline constexpr bool is_trip(State a, State b) { return a == State::Unloading && b == State::Empty; }
inline constexpr bool is_failed_load(State a, State b) { return a == State::Loading && b == State::Empty; }
std::optional<State> parse_state(std::string_view name);

// Whether the work cycle allows a direct change from `a` to `b` (EMPTY->LOADING->LOADED->UNLOADING->EMPTY,
// and LOADING->EMPTY for a failed load).
bool change_allowed(State a, State b);

// A window class: the sequence of states visited inside the window (at least one).
struct WindowClass {
  std::vector<State> path;
  State first() const { return path.front(); }
  State last() const { return path.back(); }
  std::size_t changes() const { return path.size() - 1; }
  std::string name() const;
  bool operator==(const WindowClass&) const = default;
};

// Parses "EMPTY_NO_TRANSITION", "EMPTY_TO_LOADING", "LOADED_TO_UNLOADING_TO_EMPTY"; nullopt on anything else
// (unknown state names, a disallowed change, an empty string).
std::optional<WindowClass> parse_window_class(std::string_view name);

// The reference design's nine classes, in ARCHITECTURE.md's order.
std::vector<WindowClass> reference_classes();

// All classes with up to `max_changes` allowed changes (1 gives the nine reference classes).
std::vector<WindowClass> classes_up_to(int max_changes);

}  // namespace lc
