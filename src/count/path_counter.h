// Scored windows -> a decoded path -> events and counters, for one decoder (greedy, offline or online).
//
// The app feeds every scored window (class probabilities and, per class, the position bucket of the model
// that gave it) in order. Greedy commits each window at once (argmax); online commits as the decoder decides
// (decode/online.h) and never takes a commit back; offline keeps every window and decodes each segment
// exactly at finish(). Events reach `on_event` (if set) as they are committed, and are kept in events().
// A window marked segment_start (first after a long gap) starts a new segment: no event is derived across it.
// Online keeps only the undecided windows (a ring sized at creation); nothing grows with time unless
// `keep_history` is set (eval and plots want the committed class of every window).
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "count/events.h"
#include "decode/graph.h"
#include "decode/online.h"
#include "util/expected.h"

namespace lc::count {

enum class DecoderKind : std::uint8_t { Greedy, Offline, Online };
std::string_view decoder_name(DecoderKind k);
Expected<DecoderKind> parse_decoder(std::string_view name);  // "greedy" | "offline" | "online"

struct ScoredWindow {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  bool segment_start = false;
  std::span<const double> probs;             // K
  std::span<const std::uint8_t> positions;   // K
};

// What an online PathCounter needs to resume after a restart exactly where it was (the daemon stores it in the
// outbox in the same transaction as the events it covers): the windows pushed but not yet committed (their
// scores), the class of the last committed window, and the totals.
struct PendingWindow {
  std::int64_t index = 0;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  bool segment_start = false;
  std::vector<double> probs;
  std::vector<std::uint8_t> positions;
};
inline constexpr std::int64_t kNoLoad = INT64_MIN;  // a window class with no load that a trip may follow
struct CounterCheckpoint {
  std::int64_t next_window = 0;        // windows pushed so far
  int last_committed_class = -1;       // -1: none in the open segment
  // With min_load_to_trip_s: the time of the last committed window's load that no trip follows in the window
  // (the next window may not put a trip too soon after it), or kNoLoad. Absent in older checkpoints: kNoLoad.
  std::int64_t last_committed_load_ns = kNoLoad;
  std::int64_t last_window_end_ns = 0;  // end of the newest window pushed
  std::vector<PendingWindow> pending;
  Counters counters;
  std::array<double, kStateCount> state_seconds{};
};
std::string checkpoint_to_json(const CounterCheckpoint& c);
Expected<CounterCheckpoint> checkpoint_from_json(const std::string& text, std::size_t classes);

struct PathCounterOptions {
  DecoderKind kind = DecoderKind::Online;
  decode::OnlineOptions online;  // lag, score, floor, end prior (also used by offline for all but the lag)
  // CyclePipeline sets online.prob_floor and online.segment_end_score from the model bundle's manifest; a floor
  // here replaces the bundle's (`eval --prob-floor`).
  std::optional<double> prob_floor_override;
  bool keep_history = false;
  // Online and offline: the shortest time from a load to the trip after it, by the events' times (events.h),
  // that a path may take across two consecutive windows; 0: no such rule. A failed dig the models read as a
  // load can otherwise only return to EMPTY through a dump in the next window, counting a trip and a load that
  // never happened. CyclePipeline sets it from the bundle's decoder_min_load_to_trip_s; an override replaces that
  // (`eval --min-load-to-trip`, 0 turns the rule off).
  double min_load_to_trip_s = 0.0;
  std::optional<double> min_load_to_trip_override;
  // Keep every event in events() (replay, eval). The daemon, which runs for years, hands events to on_event
  // and keeps none, so nothing grows with time.
  bool keep_events = true;
};

class PathCounter {
 public:
  static Expected<PathCounter> create(std::vector<WindowClass> classes, decode::TransitionGraph graph, int position_buckets,
                                      const PathCounterOptions& options);

  void push(const ScoredWindow& w);
  void finish();
  // The input went silent (engine off, bus down): decide every undecided window now instead of waiting for
  // the next window. The next window starts a new segment. (Offline: decodes the open segment.)
  void end_segment();

  // Online only: the state to resume from (see CounterCheckpoint), and resuming from it on a fresh counter.
  // restore() re-pushes the pending windows, which may commit some of them (emitting their events through
  // on_event as usual); no window committed before the checkpoint is committed again.
  CounterCheckpoint checkpoint() const;
  Status restore(const CounterCheckpoint& c);

  std::function<void(const Event&)> on_event;

  const std::vector<Event>& events() const { return m_events; }
  const Counters& counters() const { return m_builder.counters(); }
  const std::array<double, kStateCount>& state_seconds() const { return m_builder.state_seconds(); }
  std::int64_t windows() const { return m_next; }
  std::int64_t forced_commits() const;
  // With keep_history: the committed class of every window, in window order, and the windows' start times.
  const std::vector<int>& history_classes() const { return m_hist_class; }
  const std::vector<std::int64_t>& history_start_ns() const { return m_hist_start; }
  DecoderKind kind() const { return m_opt.kind; }
  const PathCounterOptions& options() const { return m_opt; }

 private:
  PathCounter(std::vector<WindowClass> classes, decode::TransitionGraph graph, int buckets, const PathCounterOptions& o,
              std::vector<decode::OnlineDecoder> online);
  void commit(std::int64_t window, int class_index, bool forced, std::int64_t emitted_ns);
  // Hands the events from index `first` on to on_event (and drops them without keep_events).
  void publish(std::size_t first);
  // The segment ended at a stop, every window of it committed: a dump under way completes (events.h,
  // EventBuilder::stop_after). The next window starts from no committed class.
  void stopped(std::int64_t emitted_ns);
  std::size_t slot(std::int64_t window) const { return static_cast<std::size_t>(window) % m_cap; }
  // `at_stop`: the segment ended with a gap (the machine stopped), so its end takes the segment-end prior.
  void decode_offline_segment(bool at_stop);
  // min_load_to_trip_s: the time of class k's load (one no trip follows in the window) or of its trip (one no
  // load precedes), as events are timed; kNoLoad without one.
  std::int64_t change_ns(int k, int change, std::int64_t start_ns, std::int64_t end_ns, int bucket) const;
  std::int64_t load_ns(int k, std::int64_t start_ns, std::int64_t end_ns, int bucket) const;
  std::int64_t trip_ns(int k, std::int64_t start_ns, std::int64_t end_ns, int bucket) const;
  // Fills m_mask with the edges window `w` may not take from the window before (their trip too soon after its
  // load), and moves m_prev_load on to `w`'s loads.
  void make_step_mask(const ScoredWindow& w);

  PathCounterOptions m_opt;
  std::vector<WindowClass> m_classes;
  decode::TransitionGraph m_graph;
  std::size_t m_k;
  EventBuilder m_builder;
  std::vector<decode::OnlineDecoder> m_online;  // one, for kind Online
  // Ring of undecided windows (online), or every window of the open segment (offline).
  std::size_t m_cap;
  std::vector<std::int64_t> m_start, m_end;
  std::vector<std::uint8_t> m_pos;  // cap x K
  std::vector<double> m_ring_probs;  // online: cap x K, the undecided windows' scores (checkpoints)
  std::vector<std::uint8_t> m_seg;   // cap: segment_start flags
  int m_last_committed_class = -1;  // -1: none in the open segment
  std::int64_t m_last_committed_window = -1;
  std::int64_t m_last_committed_end_ns = 0;
  bool m_last_committed_forced = false;
  std::vector<double> m_probs;      // offline: the open segment's probabilities (T x K)
  std::int64_t m_segment_first = 0;
  std::int64_t m_next = 0;
  std::int64_t m_last_end_ns = 0;
  // min_load_to_trip_s (all empty without it):
  std::int64_t m_min_gap_ns = 0;
  int m_buckets = 0;
  std::vector<int> m_load_change, m_trip_change;  // per class: index of the change, -1 none
  std::vector<std::int64_t> m_prev_load;           // per class: the previous window's load time, kNoLoad
  std::vector<std::uint64_t> m_mask;               // this window's step mask (decode/graph.h)
  std::vector<std::uint64_t> m_blocked;            // offline: the open segment's step masks
  std::int64_t m_last_committed_load_ns = kNoLoad;
  std::vector<Event> m_events;
  std::vector<int> m_hist_class;
  std::vector<std::int64_t> m_hist_start;
  std::int64_t m_greedy_or_offline_forced = 0;
};

}  // namespace lc::count
