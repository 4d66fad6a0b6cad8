// Cycle events and shift counters (ARCHITECTURE.md "States, transitions, events").
//
// A load is LOADING->LOADED, a trip is UNLOADING->EMPTY (a completed dump), a failed load is LOADING->EMPTY.
// The same definitions count the decoder's committed path (EventBuilder) and the truth in a labels file
// (truth_events), so evaluation compares like with like.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "window/labels.h"
#include "window/states.h"

namespace lc::count {

enum class EventType : std::uint8_t { Load, Trip, FailedLoad };
std::string_view event_type_name(EventType t);  // "load", "trip", "failed_load"
// The event a change from a to b is, if any.
std::optional<EventType> event_for(State a, State b);

struct Counters {
  std::uint64_t loads = 0;
  std::uint64_t trips = 0;
  std::uint64_t failed_loads = 0;
  void add(EventType t);
  bool operator==(const Counters&) const = default;
};

struct Event {
  EventType type = EventType::Load;
  std::int64_t time_ns = 0;      // when it happened (inside its window, from the winning position model)
  std::int64_t window = -1;      // index of the window it is in (-1 for truth events)
  std::int64_t emitted_ns = -1;  // end of the newest window when the decoder committed it (-1: truth)
  bool forced = false;           // its window was committed by the lag limit
};

// When the j-th change (0-based) of a window of class `c` happens, in seconds, as events are timed: the first at
// the middle of position bucket `bucket` of [start_s, end_s], further ones evenly between it and the window's
// end. Precondition: j < c.changes().
double change_time_s(const WindowClass& c, std::size_t j, double start_s, double end_s, int bucket, int buckets);

// Committed window classes -> events, counters and time per state. Classes are WindowClass paths; a window
// with changes places its first change at the middle of the winning position bucket and further changes
// evenly between that and the window's end.
class EventBuilder {
 public:
  EventBuilder(std::vector<WindowClass> classes, int position_buckets);

  // One committed window. Appends its events to `out` (no allocation once `out` has capacity).
  void add(int class_index, std::int64_t start_ns, std::int64_t end_ns, int position_bucket, std::int64_t window,
           std::int64_t emitted_ns, bool forced, std::vector<Event>& out);

  // The machine stopped (engine off, bus silent) after committed window `window` of class `class_index`, which
  // ended at `end_ns`. A dump under way at a stop completes: if the class ends in UNLOADING, a trip at end_ns.
  // An operator finishes tipping before leaving the cab, and material leaves a tipped bucket whether the
  // engine runs or not; in the simulated labels every stop in UNLOADING has its dump end inside the gap.
  void stop_after(int class_index, std::int64_t end_ns, std::int64_t window, std::int64_t emitted_ns, bool forced,
                  std::vector<Event>& out);

  const Counters& counters() const { return m_counters; }
  // Seconds spent in each state, by the committed path (utilisation).
  const std::array<double, kStateCount>& state_seconds() const { return m_state_s; }
  // Continues from a checkpoint's totals.
  void restore(const Counters& c, const std::array<double, kStateCount>& state_s) {
    m_counters = c;
    m_state_s = state_s;
  }

 private:
  std::vector<WindowClass> m_classes;
  int m_buckets;
  Counters m_counters;
  std::array<double, kStateCount> m_state_s{};
};

// Events and counters of a labels file: one event per allowed change of state at the change's time.
std::vector<Event> truth_events(const std::vector<LabelInterval>& labels);
Counters count_events(const std::vector<Event>& events);

// Event matching for evaluation: a predicted event matches a true one of the same type within `tolerance_s`
// (each true event matched at most once; greedy by time distance, deterministic).
struct MatchResult {
  std::size_t true_events = 0, predicted = 0, matched = 0;
  double precision() const { return predicted ? static_cast<double>(matched) / static_cast<double>(predicted) : 1.0; }
  double recall() const { return true_events ? static_cast<double>(matched) / static_cast<double>(true_events) : 1.0; }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }
  std::vector<double> delays_s;  // per matched pair: predicted.emitted - true.time (online decoders)
};
MatchResult match_events(const std::vector<Event>& truth, const std::vector<Event>& predicted, EventType type,
                         double tolerance_s);

}  // namespace lc::count
