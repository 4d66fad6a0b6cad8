#include "count/path_counter.h"

#include <algorithm>
#include <cmath>

#include "decode/greedy.h"
#include "decode/viterbi.h"

#include <nlohmann/json.hpp>

namespace lc::count {

namespace {

// The change index of class c's load that no trip follows in the window, and of its trip that no load precedes
// (-1: none): the two ends of a load-to-trip time across a window boundary.
std::pair<int, int> boundary_load_trip(const WindowClass& c) {
  int load = -1, trip = -1;
  bool loaded = false;
  for (std::size_t j = 0; j < c.changes(); ++j) {
    const auto e = event_for(c.path[j], c.path[j + 1]);
    if (e == EventType::Load) {
      load = static_cast<int>(j);
      loaded = true;
    } else if (e == EventType::Trip) {
      if (!loaded && trip < 0) trip = static_cast<int>(j);
      load = -1;
    }
  }
  return {load, trip};
}

// The edges a step mask may block: from a class with a load no trip follows to one with a trip no load precedes.
std::vector<decode::Edge> load_trip_edges(const std::vector<WindowClass>& classes, const decode::TransitionGraph& g) {
  std::vector<decode::Edge> out;
  for (const auto& e : g.edges())
    if (boundary_load_trip(classes[static_cast<std::size_t>(e.from)]).first >= 0 &&
        boundary_load_trip(classes[static_cast<std::size_t>(e.to)]).second >= 0)
      out.push_back(e);
  return out;
}

}  // namespace

std::string_view decoder_name(DecoderKind k) {
  switch (k) {
    case DecoderKind::Greedy: return "greedy";
    case DecoderKind::Offline: return "offline";
    case DecoderKind::Online: return "online";
  }
  return "?";
}

Expected<DecoderKind> parse_decoder(std::string_view name) {
  if (name == "greedy") return DecoderKind::Greedy;
  if (name == "offline") return DecoderKind::Offline;
  if (name == "online") return DecoderKind::Online;
  return Error::bad_input("unknown decoder '" + std::string(name) + "' (use online, offline or greedy)");
}

PathCounter::PathCounter(std::vector<WindowClass> classes, decode::TransitionGraph graph, int buckets,
                         const PathCounterOptions& o, std::vector<decode::OnlineDecoder> online)
    : m_opt(o),
      m_classes(classes),
      m_graph(std::move(graph)),
      m_k(classes.size()),
      m_builder(std::move(classes), buckets),
      m_online(std::move(online)) {
  // Online: at most max_lag undecided windows after a push, plus the one being pushed.
  m_cap = o.kind == DecoderKind::Online ? static_cast<std::size_t>(std::max(1, o.online.max_lag_windows)) + 2 : 1;
  if (o.kind == DecoderKind::Offline) m_cap = 1 << 12;  // grows with the segment (offline is a desktop tool)
  m_start.assign(m_cap, 0);
  m_end.assign(m_cap, 0);
  m_pos.assign(m_cap * m_k, 0);
  m_seg.assign(m_cap, 0);
  if (o.kind == DecoderKind::Online) m_ring_probs.assign(m_cap * m_k, 0.0);
  m_events.reserve(256);
  if (o.min_load_to_trip_s > 0 && o.kind != DecoderKind::Greedy) {
    m_min_gap_ns = static_cast<std::int64_t>(std::llround(o.min_load_to_trip_s * 1e9));
    m_buckets = buckets;
    for (const auto& c : m_classes) {
      const auto [load, trip] = boundary_load_trip(c);
      m_load_change.push_back(load);
      m_trip_change.push_back(trip);
    }
    m_prev_load.assign(m_k, kNoLoad);
    m_mask.assign(m_k * decode::step_mask_words(static_cast<int>(m_k)), 0);
  }
}

std::int64_t PathCounter::change_ns(int k, int change, std::int64_t start_ns, std::int64_t end_ns, int bucket) const {
  if (change < 0) return kNoLoad;
  return std::llround(change_time_s(m_classes[static_cast<std::size_t>(k)], static_cast<std::size_t>(change),
                                    static_cast<double>(start_ns) * 1e-9, static_cast<double>(end_ns) * 1e-9, bucket,
                                    m_buckets) * 1e9);
}

std::int64_t PathCounter::load_ns(int k, std::int64_t start_ns, std::int64_t end_ns, int bucket) const {
  return change_ns(k, m_load_change[static_cast<std::size_t>(k)], start_ns, end_ns, bucket);
}

std::int64_t PathCounter::trip_ns(int k, std::int64_t start_ns, std::int64_t end_ns, int bucket) const {
  return change_ns(k, m_trip_change[static_cast<std::size_t>(k)], start_ns, end_ns, bucket);
}

void PathCounter::make_step_mask(const ScoredWindow& w) {
  const std::size_t words = decode::step_mask_words(static_cast<int>(m_k));
  std::fill(m_mask.begin(), m_mask.end(), 0);
  for (std::size_t b = 0; b < m_k; ++b) {
    const std::int64_t t = trip_ns(static_cast<int>(b), w.start_ns, w.end_ns, w.positions[b]);
    if (t == kNoLoad) continue;
    for (const int a : m_graph.predecessors(static_cast<int>(b))) {
      const std::int64_t l = m_prev_load[static_cast<std::size_t>(a)];
      if (l != kNoLoad && t - l < m_min_gap_ns) decode::step_block(m_mask, words, static_cast<int>(b), a);
    }
  }
  for (std::size_t k = 0; k < m_k; ++k) m_prev_load[k] = load_ns(static_cast<int>(k), w.start_ns, w.end_ns, w.positions[k]);
}

Expected<PathCounter> PathCounter::create(std::vector<WindowClass> classes, decode::TransitionGraph graph, int buckets,
                                          const PathCounterOptions& o) {
  if (classes.size() != static_cast<std::size_t>(graph.size()))
    return Error::bad_input("path counter: " + std::to_string(classes.size()) + " classes but the graph has " +
                            std::to_string(graph.size()));
  if (!(o.min_load_to_trip_s >= 0 && std::isfinite(o.min_load_to_trip_s)))
    return Error::bad_input("path counter: min_load_to_trip_s " + std::to_string(o.min_load_to_trip_s) + " is not a number >= 0");
  std::vector<decode::OnlineDecoder> online;
  if (o.kind == DecoderKind::Online) {
    decode::OnlineOptions oo = o.online;
    if (o.min_load_to_trip_s > 0) oo.blockable = load_trip_edges(classes, graph);
    LC_TRY(d, decode::OnlineDecoder::create(graph, oo));
    online.push_back(std::move(d));
  }
  return PathCounter(std::move(classes), std::move(graph), buckets, o, std::move(online));
}

std::int64_t PathCounter::forced_commits() const {
  return m_online.empty() ? 0 : m_online.front().stats().forced_commits;
}

void PathCounter::commit(std::int64_t window, int class_index, bool forced, std::int64_t emitted_ns) {
  const std::size_t s = slot(window);
  const std::size_t before = m_events.size();
  m_last_committed_class = class_index;
  if (m_min_gap_ns > 0)
    m_last_committed_load_ns = load_ns(class_index, m_start[s], m_end[s], m_pos[s * m_k + static_cast<std::size_t>(class_index)]);
  m_last_committed_window = window;
  m_last_committed_end_ns = m_end[s];
  m_last_committed_forced = forced;
  m_builder.add(class_index, m_start[s], m_end[s], m_pos[s * m_k + static_cast<std::size_t>(class_index)], window, emitted_ns,
                forced, m_events);
  publish(before);
  if (m_opt.keep_history) {
    m_hist_class.push_back(class_index);
    m_hist_start.push_back(m_start[s]);
  }
}

void PathCounter::publish(std::size_t first) {
  if (on_event)
    for (std::size_t i = first; i < m_events.size(); ++i) on_event(m_events[i]);
  if (!m_opt.keep_events) m_events.clear();  // capacity stays: no allocation per event afterwards
}

void PathCounter::stopped(std::int64_t emitted_ns) {
  if (m_last_committed_class >= 0) {
    const std::size_t before = m_events.size();
    m_builder.stop_after(m_last_committed_class, m_last_committed_end_ns, m_last_committed_window, emitted_ns,
                         m_last_committed_forced, m_events);
    publish(before);
  }
  m_last_committed_class = -1;
}

void PathCounter::push(const ScoredWindow& w) {
  const std::int64_t idx = m_next++;
  if (m_min_gap_ns > 0) make_step_mask(w);
  if (m_opt.kind == DecoderKind::Offline) {
    if (w.segment_start && idx > m_segment_first) decode_offline_segment(true);
    if (w.segment_start || idx == 0) m_segment_first = idx;
    const std::size_t need = static_cast<std::size_t>(idx - m_segment_first + 1);
    if (need > m_cap) {
      // Offline keeps the whole segment: grow the ring (desktop replay only).
      std::vector<std::int64_t> s(m_cap * 2), e(m_cap * 2);
      std::vector<std::uint8_t> p(m_cap * 2 * m_k);
      for (std::int64_t i = m_segment_first; i < idx; ++i) {
        const std::size_t a = static_cast<std::size_t>(i) % m_cap, b = static_cast<std::size_t>(i) % (m_cap * 2);
        s[b] = m_start[a];
        e[b] = m_end[a];
        std::copy_n(m_pos.begin() + static_cast<std::ptrdiff_t>(a * m_k), m_k, p.begin() + static_cast<std::ptrdiff_t>(b * m_k));
      }
      m_cap *= 2;
      m_start = std::move(s);
      m_end = std::move(e);
      m_pos = std::move(p);
    }
    m_probs.insert(m_probs.end(), w.probs.begin(), w.probs.end());
    m_blocked.insert(m_blocked.end(), m_mask.begin(), m_mask.end());
  }
  const std::size_t s = slot(idx);
  m_start[s] = w.start_ns;
  m_end[s] = w.end_ns;
  std::copy(w.positions.begin(), w.positions.end(), m_pos.begin() + static_cast<std::ptrdiff_t>(s * m_k));
  if (!m_ring_probs.empty())
    std::copy(w.probs.begin(), w.probs.end(), m_ring_probs.begin() + static_cast<std::ptrdiff_t>(s * m_k));
  m_seg[s] = w.segment_start ? 1 : 0;
  m_last_end_ns = w.end_ns;
  switch (m_opt.kind) {
    case DecoderKind::Greedy:
      if (w.segment_start && idx > 0) stopped(w.start_ns);
      commit(idx, decode::argmax(w.probs), false, w.end_ns);
      break;
    case DecoderKind::Offline:
      break;
    case DecoderKind::Online: {
      decode::OnlineDecoder& d = m_online.front();
      if (w.segment_start && idx > 0) {
        d.end_segment();
        for (const auto& c : d.committed()) commit(c.window, c.class_index, c.forced, w.start_ns);
        stopped(w.start_ns);
      }
      d.push(w.probs, m_mask);
      for (const auto& c : d.committed()) commit(c.window, c.class_index, c.forced, w.end_ns);
      break;
    }
  }
}

CounterCheckpoint PathCounter::checkpoint() const {
  CounterCheckpoint c;
  c.next_window = m_next;
  c.last_committed_class = m_last_committed_class;
  c.last_committed_load_ns = m_last_committed_class >= 0 ? m_last_committed_load_ns : kNoLoad;
  c.last_window_end_ns = m_last_end_ns;
  c.counters = m_builder.counters();
  c.state_seconds = m_builder.state_seconds();
  if (m_online.empty()) return c;
  for (std::int64_t w = m_online.front().first_undecided(); w < m_next; ++w) {
    const std::size_t s = slot(w);
    PendingWindow p;
    p.index = w;
    p.start_ns = m_start[s];
    p.end_ns = m_end[s];
    p.segment_start = m_seg[s] != 0;
    p.probs.assign(m_ring_probs.begin() + static_cast<std::ptrdiff_t>(s * m_k),
                   m_ring_probs.begin() + static_cast<std::ptrdiff_t>((s + 1) * m_k));
    p.positions.assign(m_pos.begin() + static_cast<std::ptrdiff_t>(s * m_k), m_pos.begin() + static_cast<std::ptrdiff_t>((s + 1) * m_k));
    c.pending.push_back(std::move(p));
  }
  return c;
}

Status PathCounter::restore(const CounterCheckpoint& c) {
  if (m_online.empty()) return Error::internal("restore: only the online decoder can resume from a checkpoint");
  if (m_next != 0) return Error::internal("restore: the counter has already counted windows");
  if (c.pending.size() + 1 > m_cap) return Error::bad_input("checkpoint: more pending windows than the decoder's lag allows");
  for (const auto& p : c.pending)
    if (p.probs.size() != m_k || p.positions.size() != m_k)
      return Error::bad_input("checkpoint: pending window " + std::to_string(p.index) + " has the wrong number of classes");
  m_builder.restore(c.counters, c.state_seconds);
  m_last_committed_class = c.last_committed_class;
  m_next = c.pending.empty() ? c.next_window : c.pending.front().index;
  m_last_end_ns = c.last_window_end_ns;
  if (c.pending.empty()) {  // otherwise the pending windows are committed before any stop can follow
    m_last_committed_window = c.next_window - 1;
    m_last_committed_end_ns = c.last_window_end_ns;
  }
  const bool fresh = c.pending.empty() ? c.last_committed_class < 0 : c.pending.front().segment_start;
  m_online.front().resume(m_next, fresh ? -1 : c.last_committed_class);
  if (m_min_gap_ns > 0) {
    std::fill(m_prev_load.begin(), m_prev_load.end(), kNoLoad);
    if (!fresh && c.last_committed_class >= 0) m_prev_load[static_cast<std::size_t>(c.last_committed_class)] = c.last_committed_load_ns;
  }
  for (const auto& p : c.pending) {
    ScoredWindow w;
    w.start_ns = p.start_ns;
    w.end_ns = p.end_ns;
    w.segment_start = p.segment_start && p.index != c.pending.front().index;
    w.probs = p.probs;
    w.positions = p.positions;
    push(w);
  }
  return ok();
}

std::string checkpoint_to_json(const CounterCheckpoint& c) {
  nlohmann::json j;
  j["next_window"] = c.next_window;
  j["last_committed_class"] = c.last_committed_class;
  j["last_window_end_ns"] = c.last_window_end_ns;
  if (c.last_committed_load_ns != kNoLoad) j["last_committed_load_ns"] = c.last_committed_load_ns;
  j["counters"] = {c.counters.loads, c.counters.trips, c.counters.failed_loads};
  j["state_seconds"] = c.state_seconds;
  nlohmann::json p = nlohmann::json::array();
  for (const auto& w : c.pending)
    p.push_back({{"index", w.index}, {"start_ns", w.start_ns}, {"end_ns", w.end_ns}, {"segment_start", w.segment_start},
                 {"probs", w.probs}, {"positions", w.positions}});
  j["pending"] = p;
  return j.dump();
}

Expected<CounterCheckpoint> checkpoint_from_json(const std::string& text, std::size_t classes) {
  CounterCheckpoint c;
  try {
    const auto j = nlohmann::json::parse(text);
    c.next_window = j.at("next_window").get<std::int64_t>();
    c.last_committed_class = j.at("last_committed_class").get<int>();
    c.last_window_end_ns = j.at("last_window_end_ns").get<std::int64_t>();
    if (j.contains("last_committed_load_ns")) c.last_committed_load_ns = j.at("last_committed_load_ns").get<std::int64_t>();
    const auto cnt = j.at("counters").get<std::vector<std::uint64_t>>();
    if (cnt.size() != 3) return Error::bad_input("checkpoint: 'counters' must have 3 entries");
    c.counters = Counters{cnt[0], cnt[1], cnt[2]};
    c.state_seconds = j.at("state_seconds").get<std::array<double, kStateCount>>();
    for (const auto& w : j.at("pending")) {
      PendingWindow p;
      p.index = w.at("index").get<std::int64_t>();
      p.start_ns = w.at("start_ns").get<std::int64_t>();
      p.end_ns = w.at("end_ns").get<std::int64_t>();
      p.segment_start = w.at("segment_start").get<bool>();
      p.probs = w.at("probs").get<std::vector<double>>();
      p.positions = w.at("positions").get<std::vector<std::uint8_t>>();
      if (p.probs.size() != classes || p.positions.size() != classes)
        return Error::bad_input("checkpoint: pending window " + std::to_string(p.index) + " does not match the model's " +
                                std::to_string(classes) + " classes");
      c.pending.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception& e) {
    return Error::bad_input(std::string("checkpoint: ") + e.what());
  }
  if (c.last_committed_class >= static_cast<int>(classes)) return Error::bad_input("checkpoint: 'last_committed_class' out of range");
  return c;
}

void PathCounter::decode_offline_segment(bool at_stop) {
  if (m_probs.empty()) return;
  decode::OfflineOptions oo;
  oo.score = m_opt.online.score;
  oo.prob_floor = m_opt.online.prob_floor;
  oo.use_start_classes = false;
  if (at_stop) oo.segment_end_score = m_opt.online.segment_end_score;
  auto path = decode::decode_offline(m_graph, m_probs, oo, m_blocked);
  if (path) {
    for (std::size_t i = 0; i < path->classes.size(); ++i)
      commit(m_segment_first + static_cast<std::int64_t>(i), path->classes[i], false, -1);
  } else {
    // A full class graph always has a path; a manifest graph with dead ends may not: fall back to greedy.
    for (std::size_t i = 0; i < m_probs.size() / m_k; ++i)
      commit(m_segment_first + static_cast<std::int64_t>(i),
             decode::argmax(std::span<const double>(m_probs).subspan(i * m_k, m_k)), true, -1);
    ++m_greedy_or_offline_forced;
  }
  if (at_stop) stopped(-1);
  m_probs.clear();
  m_blocked.clear();
}

void PathCounter::end_segment() {
  switch (m_opt.kind) {
    case DecoderKind::Greedy: stopped(m_last_end_ns); break;
    case DecoderKind::Offline: decode_offline_segment(true); break;
    case DecoderKind::Online: {
      decode::OnlineDecoder& d = m_online.front();
      d.end_segment();
      for (const auto& c : d.committed()) commit(c.window, c.class_index, c.forced, m_last_end_ns);
      stopped(m_last_end_ns);
      break;
    }
  }
}

void PathCounter::finish() {
  switch (m_opt.kind) {
    case DecoderKind::Greedy: break;
    case DecoderKind::Offline: decode_offline_segment(false); break;
    case DecoderKind::Online: {
      decode::OnlineDecoder& d = m_online.front();
      d.finish();
      for (const auto& c : d.committed()) commit(c.window, c.class_index, c.forced, m_last_end_ns);
      break;
    }
  }
}

}  // namespace lc::count
