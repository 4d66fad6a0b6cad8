#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "count/event_json.h"
#include "count/events.h"
#include "count/path_counter.h"

namespace lc::count {
namespace {

std::vector<LabelInterval> cycle_labels() {
  // EMPTY -> LOADING -> LOADED -> UNLOADING -> EMPTY -> LOADING -> EMPTY (failed) -> LOADING -> LOADED
  return {{0, 10, State::Empty},     {10, 18, State::Loading}, {18, 40, State::Loaded}, {40, 44, State::Unloading},
          {44, 60, State::Empty},    {60, 63, State::Loading}, {63, 70, State::Empty},  {70, 80, State::Loading},
          {80, 100, State::Loaded}};
}

TEST(TruthEvents, CountTheContractDefinitions) {
  const auto ev = truth_events(cycle_labels());
  const Counters c = count_events(ev);
  EXPECT_EQ(c.loads, 2u);
  EXPECT_EQ(c.trips, 1u);
  EXPECT_EQ(c.failed_loads, 1u);
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ev[0].type, EventType::Load);
  EXPECT_EQ(ev[0].time_ns, 18'000'000'000LL);
  EXPECT_EQ(ev[1].type, EventType::Trip);
  EXPECT_EQ(ev[1].time_ns, 44'000'000'000LL);
  EXPECT_EQ(ev[2].type, EventType::FailedLoad);
}

TEST(EventBuilder, TwoChangeWindowGivesTwoEventsInsideTheWindowAndSplitsStateTime) {
  const std::vector<WindowClass> classes = {*parse_window_class("LOADED_TO_UNLOADING_TO_EMPTY"),
                                            *parse_window_class("EMPTY_NO_TRANSITION")};
  EventBuilder b(classes, 3);
  std::vector<Event> out;
  b.add(0, 100'000'000'000LL, 105'000'000'000LL, 0, 7, 110'000'000'000LL, false, out);
  ASSERT_EQ(out.size(), 1u);  // LOADED->UNLOADING is no event; UNLOADING->EMPTY is a trip
  EXPECT_EQ(out[0].type, EventType::Trip);
  EXPECT_GT(out[0].time_ns, 100'000'000'000LL);
  EXPECT_LT(out[0].time_ns, 105'000'000'000LL);
  EXPECT_EQ(out[0].window, 7);
  double total = 0;
  for (double s : b.state_seconds()) total += s;
  EXPECT_NEAR(total, 5.0, 1e-9);
  EXPECT_GT(b.state_seconds()[static_cast<int>(State::Unloading)], 0.0);
  b.add(1, 105'000'000'000LL, 110'000'000'000LL, 0, 8, 110'000'000'000LL, false, out);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(b.counters().trips, 1u);
}

TEST(MatchEvents, SameTypeWithinToleranceEachUsedOnce) {
  std::vector<Event> truth(2), pred(3);
  truth[0] = {EventType::Trip, 100'000'000'000LL};
  truth[1] = {EventType::Trip, 200'000'000'000LL};
  pred[0] = {EventType::Trip, 105'000'000'000LL};   // matches truth 0
  pred[1] = {EventType::Trip, 108'000'000'000LL};   // double count: truth 0 already used
  pred[2] = {EventType::Load, 200'000'000'000LL};   // wrong type
  const MatchResult m = match_events(truth, pred, EventType::Trip, 10.0);
  EXPECT_EQ(m.true_events, 2u);
  EXPECT_EQ(m.predicted, 2u);
  EXPECT_EQ(m.matched, 1u);
  EXPECT_DOUBLE_EQ(m.precision(), 0.5);
  EXPECT_DOUBLE_EQ(m.recall(), 0.5);
  const MatchResult far = match_events(truth, {{EventType::Trip, 111'000'000'000LL}}, EventType::Trip, 10.0);
  EXPECT_EQ(far.matched, 0u);
}

TEST(EventJson, ContractFields) {
  Event e{EventType::FailedLoad, 1763700012'500'000'000LL};
  const auto j = event_json(e, "loader7", 42, Counters{3, 2, 1});
  EXPECT_EQ(j["event_id"], "loader7-00000042");
  EXPECT_EQ(j["machine_id"], "loader7");
  EXPECT_EQ(j["type"], "failed_load");
  EXPECT_EQ(j["time"], "2025-11-21T04:40:12.500Z");
  EXPECT_EQ(j["counters"]["trips"], 2);
}

// Probabilities that look like a noisy classifier on a true cycle of window classes.
std::vector<double> noisy_cycle(std::mt19937_64& rng, const std::vector<WindowClass>& classes, std::size_t windows,
                                std::vector<int>* truth = nullptr, double noise = 0.6) {
  const std::size_t k = classes.size();
  std::vector<double> probs;
  State s = State::Empty;
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t w = 0; w < windows; ++w) {
    WindowClass c{{s}};
    if (u(rng) < 0.3) {
      State n = s == State::Empty ? State::Loading
                : s == State::Loading ? (u(rng) < 0.2 ? State::Empty : State::Loaded)
                : s == State::Loaded ? State::Unloading
                                     : State::Empty;
      c.path.push_back(n);
      s = n;
    }
    int idx = 0;
    for (std::size_t i = 0; i < k; ++i)
      if (classes[i] == c) idx = static_cast<int>(i);
    if (truth) truth->push_back(idx);
    double sum = 0;
    std::vector<double> p(k);
    for (std::size_t i = 0; i < k; ++i) sum += p[i] = u(rng) * noise + (static_cast<int>(i) == idx ? 1.0 : 0.0);
    for (double& v : p) probs.push_back(v / sum);
  }
  return probs;
}

PathCounter make(const std::vector<WindowClass>& classes, int lag, double min_load_to_trip_s = 0.0) {
  auto g = decode::TransitionGraph::from_classes(classes);
  PathCounterOptions o;
  o.kind = DecoderKind::Online;
  o.online.max_lag_windows = lag;
  o.min_load_to_trip_s = min_load_to_trip_s;
  auto pc = PathCounter::create(classes, std::move(*g), 3, o);
  return std::move(*pc);
}

ScoredWindow window_at(const std::vector<double>& probs, const std::vector<std::uint8_t>& pos, std::size_t k, std::size_t w,
                       bool seg) {
  ScoredWindow sw;
  sw.start_ns = static_cast<std::int64_t>(w) * 5'000'000'000LL;
  sw.end_ns = sw.start_ns + 5'000'000'000LL;
  sw.segment_start = seg;
  sw.probs = std::span<const double>(probs).subspan(w * k, k);
  sw.positions = std::span<const std::uint8_t>(pos).subspan(w * k, k);
  return sw;
}

// The daemon's promise after kill -9: resuming from the last checkpoint gives exactly the events of an
// uninterrupted run - none lost, none twice.
TEST(PathCounterCheckpoint, ResumingFromAnyWindowGivesTheUninterruptedEvents) {
  const std::uint64_t seed = 4242;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  const auto classes = classes_up_to(2);
  const std::size_t k = classes.size();
  for (int round = 0; round < 30; ++round) {
    // The last 10 rounds with a shortest load-to-trip time: resuming must block the same edges (the checkpoint
    // carries the last committed window's load time).
    const double gap = round < 20 ? 0.0 : 9.9;
    const std::size_t T = 300;
    // With the rule, heavy noise: the cycle above changes state once per window at most, so without noise no
    // path would put a trip right after a load.
    const auto probs = noisy_cycle(rng, classes, T, nullptr, gap > 0 ? 4.0 : 0.6);
    std::vector<std::uint8_t> pos(T * k);
    for (auto& p : pos) p = static_cast<std::uint8_t>(rng() % 3);
    std::vector<bool> seg(T, false);
    seg[150] = true;  // a gap in the middle
    // With the rule, every cut, so that many fall right after a committed load whose trip the next window must
    // not bring too soon, and a lag that forces no commit (a forced commit may decide differently after a
    // resume, rule or not: decode/online.h).
    const int lag = gap > 0 ? static_cast<int>(T) : 1 + static_cast<int>(rng() % 8);
    PathCounter full = make(classes, lag, gap);
    for (std::size_t w = 0; w < T; ++w) full.push(window_at(probs, pos, k, w, seg[w]));
    full.finish();
    if (gap > 0) {
      EXPECT_EQ(full.forced_commits(), 0);
    }

    std::vector<std::size_t> cuts;
    if (gap > 0) {
      for (std::size_t c = 1; c + 1 < T; ++c) cuts.push_back(c);
    } else {
      cuts.push_back(1 + rng() % (T - 2));
    }
    for (const std::size_t cut : cuts) {
    PathCounter first = make(classes, lag, gap);
    for (std::size_t w = 0; w <= cut; ++w) first.push(window_at(probs, pos, k, w, seg[w]));
    const CounterCheckpoint cp = first.checkpoint();
    auto parsed = checkpoint_from_json(checkpoint_to_json(cp), k);
    ASSERT_TRUE(parsed) << parsed.error().message;
    std::vector<Event> events = first.events();  // what was durably committed before the crash
    PathCounter second = make(classes, lag, gap);
    ASSERT_TRUE(second.restore(*parsed));
    for (std::size_t w = cut + 1; w < T; ++w) second.push(window_at(probs, pos, k, w, seg[w]));
    second.finish();
    events.insert(events.end(), second.events().begin(), second.events().end());
    ASSERT_EQ(events.size(), full.events().size()) << "round " << round << " cut " << cut << " lag " << lag;
    for (std::size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].type, full.events()[i].type) << "round " << round << " event " << i;
      EXPECT_EQ(events[i].time_ns, full.events()[i].time_ns) << "round " << round << " event " << i;
      EXPECT_EQ(events[i].window, full.events()[i].window) << "round " << round << " event " << i;
    }
    EXPECT_EQ(second.counters(), full.counters());
    }
  }
}

// A failed dig that the models read as a load (LOADING_TO_LOADED, p 0.6), then an empty window in which a dump
// (LOADED_TO_UNLOADING_TO_EMPTY) gets p 0.2: the best path is a load and a trip that never happened, the trip
// 3.75 s after the load by the events' times (load at 4.17 s into window 2, the dump starting 0.83 s into
// window 3 and ending halfway to its end). With a shortest load-to-trip time of 4.75 s that path is not
// allowed and the window is read as the failed load it was; with the dump later in window 3 (trip 5.42 s after
// the load) it is allowed again. Online and offline decide alike.
TEST(PathCounter, ShortestLoadToTripTimeRemovesAPhantomTrip) {
  const auto classes = classes_up_to(2);
  const std::size_t k = classes.size(), T = 9;
  auto idx = [&](const std::string& name) {
    for (std::size_t i = 0; i < k; ++i)
      if (classes[i].name() == name) return i;
    ADD_FAILURE() << name;
    return std::size_t{0};
  };
  std::vector<double> probs(T * k, 0.001);
  auto set = [&](std::size_t w, const std::string& name, double p) { probs[w * k + idx(name)] = p; };
  set(0, "EMPTY_NO_TRANSITION", 0.95);
  set(1, "EMPTY_TO_LOADING", 0.9);
  set(2, "LOADING_TO_LOADED", 0.6);
  set(2, "LOADING_TO_EMPTY", 0.05);
  set(3, "EMPTY_NO_TRANSITION", 0.5);
  set(3, "LOADED_NO_TRANSITION", 0.1);
  set(3, "LOADED_TO_UNLOADING_TO_EMPTY", 0.2);
  for (std::size_t w = 4; w < T; ++w) set(w, "EMPTY_NO_TRANSITION", 0.95);
  auto g = decode::TransitionGraph::from_classes(classes);
  for (const int dump_bucket : {0, 2}) {
    std::vector<std::uint8_t> pos(T * k, 1);
    pos[2 * k + idx("LOADING_TO_LOADED")] = 2;
    pos[3 * k + idx("LOADED_TO_UNLOADING_TO_EMPTY")] = static_cast<std::uint8_t>(dump_bucket);
    for (const double gap : {0.0, 4.75}) {
      for (const DecoderKind kind : {DecoderKind::Online, DecoderKind::Offline}) {
        SCOPED_TRACE("dump bucket " + std::to_string(dump_bucket) + " gap " + std::to_string(gap) + " " +
                     std::string(decoder_name(kind)));
        PathCounterOptions o;
        o.kind = kind;
        o.min_load_to_trip_s = gap;
        auto pc = PathCounter::create(classes, *g, 3, o);
        ASSERT_TRUE(pc) << pc.error().message;
        for (std::size_t w = 0; w < T; ++w) pc->push(window_at(probs, pos, k, w, w == 0));
        pc->finish();
        const bool phantom = gap == 0.0 || dump_bucket == 2;
        EXPECT_EQ(pc->counters(), phantom ? (Counters{1, 1, 0}) : (Counters{0, 0, 1}));
        if (phantom) {
          ASSERT_EQ(pc->events().size(), 2u);
          EXPECT_NEAR(static_cast<double>(pc->events()[1].time_ns - pc->events()[0].time_ns),
                      dump_bucket == 0 ? 3.75e9 : 5.4166667e9, 1e3);
        }
      }
    }
  }
  PathCounterOptions bad;
  bad.min_load_to_trip_s = -1.0;
  const auto e = PathCounter::create(classes, *g, 3, bad);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("min_load_to_trip_s"), std::string::npos);
}

TEST(PathCounter, OnlineAndOfflineAgreeWithoutForcedCommitsAndGreedyOvercounts) {
  const std::uint64_t seed = 777;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  const auto classes = classes_up_to(2);
  const std::size_t k = classes.size();
  const std::size_t T = 500;
  std::vector<int> truth;
  const auto probs = noisy_cycle(rng, classes, T, &truth, 1.1);
  std::vector<std::uint8_t> pos(T * k, 1);
  auto g = decode::TransitionGraph::from_classes(classes);
  std::vector<PathCounter> pcs;
  for (DecoderKind kind : {DecoderKind::Online, DecoderKind::Offline, DecoderKind::Greedy}) {
    PathCounterOptions o;
    o.kind = kind;
    o.online.max_lag_windows = 400;  // never forced
    o.keep_history = true;
    pcs.push_back(std::move(*PathCounter::create(classes, *g, 3, o)));
  }
  for (std::size_t w = 0; w < T; ++w)
    for (auto& pc : pcs) pc.push(window_at(probs, pos, k, w, w == 0));
  for (auto& pc : pcs) pc.finish();
  EXPECT_EQ(pcs[0].forced_commits(), 0);
  EXPECT_EQ(pcs[0].history_classes(), pcs[1].history_classes());
  EXPECT_EQ(pcs[0].counters(), pcs[1].counters());
  // Truth trips: windows whose class ends UNLOADING->EMPTY.
  std::uint64_t true_trips = 0;
  for (int c : truth) {
    const auto& p = classes[static_cast<std::size_t>(c)].path;
    for (std::size_t i = 1; i < p.size(); ++i) true_trips += p[i - 1] == State::Unloading && p[i] == State::Empty;
  }
  // With this much noise the constrained path is near the truth; the greedy baseline, whose windows need not
  // form a path, counts many trips that never happened.
  auto err = [&](const PathCounter& pc) { return std::abs(static_cast<long>(pc.counters().trips) - static_cast<long>(true_trips)); };
  EXPECT_LE(err(pcs[1]), 2);
  EXPECT_GT(err(pcs[2]), err(pcs[1]));
}

}  // namespace
}  // namespace lc::count

namespace lc::count {
namespace {

TEST(PathCounter, WithoutKeepEventsNothingGrowsButEveryEventIsHandedOn) {
  const auto classes = classes_up_to(2);
  auto g = decode::TransitionGraph::from_classes(classes);
  PathCounterOptions o;
  o.kind = DecoderKind::Online;
  o.keep_events = false;
  auto pc = PathCounter::create(classes, std::move(*g), 3, o);
  ASSERT_TRUE(pc);
  std::size_t handed = 0;
  pc->on_event = [&](const Event&) { ++handed; };
  std::mt19937_64 rng(99);
  const std::size_t k = classes.size(), T = 400;
  const auto probs = noisy_cycle(rng, classes, T);
  std::vector<std::uint8_t> pos(T * k, 0);
  for (std::size_t w = 0; w < T; ++w) pc->push(window_at(probs, pos, k, w, w == 0));
  pc->finish();
  EXPECT_TRUE(pc->events().empty());
  const Counters& c = pc->counters();
  EXPECT_EQ(handed, c.loads + c.trips + c.failed_loads);
  EXPECT_GT(handed, 10u);
}

}  // namespace
}  // namespace lc::count

namespace lc::count {
namespace {

TEST(PathCounter, SegmentEndPriorDecidesAStopButNotTheEndOfTheInput) {
  // Three windows that look LOADED, the last one a little like a dump ending EMPTY; then a gap (the next
  // window starts a segment), and the same three windows again before the input ends. With a prior that the
  // machine stops EMPTY, the first segment's last window is the dump (a trip); the second segment, cut by the
  // end of the input and not by a stop, keeps the likelier LOADED (no trip). Online and offline alike.
  const auto classes = classes_up_to(2);
  const std::size_t k = classes.size();
  auto g = decode::TransitionGraph::from_classes(classes);
  const auto idx = [&](const std::string& name) { return static_cast<std::size_t>(g->index_of(name)); };
  std::vector<double> probs(7 * k, 0.001);
  for (std::size_t w : {0u, 1u, 2u, 4u, 5u, 6u}) probs[w * k + idx("LOADED_NO_TRANSITION")] = 0.9;
  for (std::size_t w : {2u, 6u}) probs[w * k + idx("LOADED_TO_UNLOADING_TO_EMPTY")] = 0.3;
  probs[3 * k + idx("EMPTY_NO_TRANSITION")] = 0.9;  // the first window after the gap
  std::vector<std::uint8_t> pos(7 * k, 1);
  std::vector<double> end;
  for (const auto& c : classes) end.push_back(c.last() == State::Empty ? 0.0 : -4.6);
  for (DecoderKind kind : {DecoderKind::Online, DecoderKind::Offline}) {
    for (const bool with_prior : {false, true}) {
      PathCounterOptions o;
      o.kind = kind;
      o.keep_history = true;
      if (with_prior) o.online.segment_end_score = end;
      auto pc = PathCounter::create(classes, *g, 3, o);
      ASSERT_TRUE(pc) << pc.error().message;
      for (std::size_t w = 0; w < 7; ++w) pc->push(window_at(probs, pos, k, w, w == 0 || w == 3));
      pc->finish();
      const auto& h = pc->history_classes();
      ASSERT_EQ(h.size(), 7u);
      SCOPED_TRACE(std::string(decoder_name(kind)) + (with_prior ? " with" : " without") + " the prior");
      EXPECT_EQ(h[2], static_cast<int>(idx(with_prior ? "LOADED_TO_UNLOADING_TO_EMPTY" : "LOADED_NO_TRANSITION")));
      EXPECT_EQ(h[6], static_cast<int>(idx("LOADED_NO_TRANSITION")));
      EXPECT_EQ(pc->counters().trips, with_prior ? 1u : 0u);
    }
  }
}

// A dump under way when the machine stops completes: the trip is counted at the end of the stop's last window
// (events.h, EventBuilder::stop_after). A cycle whose last window before a stop is LOADED_TO_UNLOADING, for the
// models and the decoders alike (the segment-end prior cannot move it: a dump ending EMPTY gets p 0.001):
//   segment 1 ends at a gap (the next window starts a segment), segment 2 at end_segment() (the daemon's
//   silent bus), segment 3 at finish() (the end of the input, not a stop: the dump is not counted).
// Every decoder counts the two trips at a stop, at the windows' ends; a counter resumed from a checkpoint taken
// just before the gap counts the first one exactly once.
TEST(PathCounter, AStopInUnloadingCompletesTheDump) {
  const auto classes = classes_up_to(2);
  const std::size_t k = classes.size();
  auto g = decode::TransitionGraph::from_classes(classes);
  const auto idx = [&](const std::string& name) { return static_cast<std::size_t>(g->index_of(name)); };
  const std::vector<std::string> cycle = {"EMPTY_NO_TRANSITION", "EMPTY_TO_LOADING", "LOADING_TO_LOADED",
                                          "LOADED_NO_TRANSITION", "LOADED_TO_UNLOADING"};
  const std::size_t n = cycle.size(), T = 3 * n;
  std::vector<double> probs(T * k, 0.001);
  for (std::size_t w = 0; w < T; ++w) probs[w * k + idx(cycle[w % n])] = 0.9;
  std::vector<std::uint8_t> pos(T * k, 1);
  std::vector<double> end;
  for (const auto& c : classes) end.push_back(c.last() == State::Empty ? 0.0 : -3.6);
  auto make_counter = [&](DecoderKind kind) {
    PathCounterOptions o;
    o.kind = kind;
    o.online.segment_end_score = end;
    auto pc = PathCounter::create(classes, *g, 3, o);
    EXPECT_TRUE(pc) << pc.error().message;
    return std::move(*pc);
  };
  const std::int64_t stop1_ns = static_cast<std::int64_t>(n) * 5'000'000'000LL;
  const std::int64_t stop2_ns = 2 * stop1_ns;
  for (DecoderKind kind : {DecoderKind::Online, DecoderKind::Offline, DecoderKind::Greedy}) {
    SCOPED_TRACE(std::string(decoder_name(kind)));
    PathCounter pc = make_counter(kind);
    std::vector<Event> handed_on;
    pc.on_event = [&](const Event& e) { handed_on.push_back(e); };
    for (std::size_t w = 0; w < T; ++w) {
      pc.push(window_at(probs, pos, k, w, w % n == 0));
      if (w == 2 * n - 1) pc.end_segment();
    }
    pc.finish();
    EXPECT_EQ(pc.counters().loads, 3u);
    EXPECT_EQ(pc.counters().trips, 2u);
    std::vector<std::int64_t> trips;
    for (const auto& e : pc.events())
      if (e.type == EventType::Trip) trips.push_back(e.time_ns);
    EXPECT_EQ(trips, (std::vector<std::int64_t>{stop1_ns, stop2_ns}));
    EXPECT_EQ(handed_on.size(), pc.events().size());
  }
  // Online, resumed from a checkpoint after the first segment's last window (its dump still undecided or
  // committed, depending on the lag): the stop's trip counted once, as without the restart.
  for (std::size_t cut = n - 2; cut < n + 1; ++cut) {
    PathCounter first = make_counter(DecoderKind::Online);
    for (std::size_t w = 0; w <= cut; ++w) first.push(window_at(probs, pos, k, w, w % n == 0));
    auto cp = checkpoint_from_json(checkpoint_to_json(first.checkpoint()), k);
    ASSERT_TRUE(cp) << cp.error().message;
    PathCounter second = make_counter(DecoderKind::Online);
    ASSERT_TRUE(second.restore(*cp));
    for (std::size_t w = cut + 1; w < 2 * n; ++w) second.push(window_at(probs, pos, k, w, w % n == 0));
    second.end_segment();
    EXPECT_EQ(second.counters().trips, 2u) << "cut after window " << cut;
  }
}

}  // namespace
}  // namespace lc::count
