#include "count/path_counter.h"

#include <algorithm>

#include "decode/greedy.h"
#include "decode/viterbi.h"

namespace lc::count {

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
  m_events.reserve(256);
}

Expected<PathCounter> PathCounter::create(std::vector<WindowClass> classes, decode::TransitionGraph graph, int buckets,
                                          const PathCounterOptions& o) {
  if (classes.size() != static_cast<std::size_t>(graph.size()))
    return Error::bad_input("path counter: " + std::to_string(classes.size()) + " classes but the graph has " +
                            std::to_string(graph.size()));
  std::vector<decode::OnlineDecoder> online;
  if (o.kind == DecoderKind::Online) {
    LC_TRY(d, decode::OnlineDecoder::create(graph, o.online));
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
  m_builder.add(class_index, m_start[s], m_end[s], m_pos[s * m_k + static_cast<std::size_t>(class_index)], window, emitted_ns,
                forced, m_events);
  if (on_event)
    for (std::size_t i = before; i < m_events.size(); ++i) on_event(m_events[i]);
  if (m_opt.keep_history) {
    m_hist_class.push_back(class_index);
    m_hist_start.push_back(m_start[s]);
  }
}

void PathCounter::push(const ScoredWindow& w) {
  const std::int64_t idx = m_next++;
  if (m_opt.kind == DecoderKind::Offline) {
    if (w.segment_start && idx > m_segment_first) decode_offline_segment();
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
  }
  const std::size_t s = slot(idx);
  m_start[s] = w.start_ns;
  m_end[s] = w.end_ns;
  std::copy(w.positions.begin(), w.positions.end(), m_pos.begin() + static_cast<std::ptrdiff_t>(s * m_k));
  m_last_end_ns = w.end_ns;
  switch (m_opt.kind) {
    case DecoderKind::Greedy:
      commit(idx, decode::argmax(w.probs), false, w.end_ns);
      break;
    case DecoderKind::Offline:
      break;
    case DecoderKind::Online: {
      decode::OnlineDecoder& d = m_online.front();
      if (w.segment_start && idx > 0) {
        d.end_segment();
        for (const auto& c : d.committed()) commit(c.window, c.class_index, c.forced, w.start_ns);
      }
      d.push(w.probs);
      for (const auto& c : d.committed()) commit(c.window, c.class_index, c.forced, w.end_ns);
      break;
    }
  }
}

void PathCounter::decode_offline_segment() {
  if (m_probs.empty()) return;
  decode::OfflineOptions oo;
  oo.score = m_opt.online.score;
  oo.prob_floor = m_opt.online.prob_floor;
  oo.use_start_classes = false;
  auto path = decode::decode_offline(m_graph, m_probs, oo);
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
  m_probs.clear();
}

void PathCounter::finish() {
  switch (m_opt.kind) {
    case DecoderKind::Greedy: break;
    case DecoderKind::Offline: decode_offline_segment(); break;
    case DecoderKind::Online: {
      decode::OnlineDecoder& d = m_online.front();
      d.finish();
      for (const auto& c : d.committed()) commit(c.window, c.class_index, c.forced, m_last_end_ns);
      break;
    }
  }
}

}  // namespace lc::count
