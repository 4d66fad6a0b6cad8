#include "count/events.h"

#include <algorithm>
#include <cmath>

#include "model/targets.h"

namespace lc::count {

std::string_view event_type_name(EventType t) {
  switch (t) {
    case EventType::Load: return "load";
    case EventType::Trip: return "trip";
    case EventType::FailedLoad: return "failed_load";
  }
  return "?";
}

std::optional<EventType> event_for(State a, State b) {
  if (is_load(a, b)) return EventType::Load;
  if (is_trip(a, b)) return EventType::Trip;
  if (is_failed_load(a, b)) return EventType::FailedLoad;
  return std::nullopt;
}

void Counters::add(EventType t) {
  switch (t) {
    case EventType::Load: ++loads; break;
    case EventType::Trip: ++trips; break;
    case EventType::FailedLoad: ++failed_loads; break;
  }
}

double change_time_s(const WindowClass& c, std::size_t j, double start_s, double end_s, int bucket, int buckets) {
  const double first = model::bucket_time_s(bucket, start_s, end_s, buckets);
  if (j == 0) return first;
  return first + (end_s - first) * static_cast<double>(j) / static_cast<double>(c.changes());
}

EventBuilder::EventBuilder(std::vector<WindowClass> classes, int position_buckets)
    : m_classes(std::move(classes)), m_buckets(position_buckets) {}

void EventBuilder::add(int class_index, std::int64_t start_ns, std::int64_t end_ns, int bucket, std::int64_t window,
                       std::int64_t emitted_ns, bool forced, std::vector<Event>& out) {
  const WindowClass& c = m_classes[static_cast<std::size_t>(class_index)];
  const double s = static_cast<double>(start_ns) * 1e-9, e = static_cast<double>(end_ns) * 1e-9;
  const std::size_t changes = c.changes();
  double prev = s;
  for (std::size_t j = 0; j <= changes; ++j) {
    const double t = j == changes ? e : change_time_s(c, j, s, e, bucket, m_buckets);
    m_state_s[static_cast<std::size_t>(c.path[j])] += t - prev;
    prev = t;
    if (j == changes) break;
    const auto type = event_for(c.path[j], c.path[j + 1]);
    if (!type) continue;
    Event ev;
    ev.type = *type;
    ev.time_ns = static_cast<std::int64_t>(std::llround(t * 1e9));
    ev.window = window;
    ev.emitted_ns = emitted_ns;
    ev.forced = forced;
    m_counters.add(*type);
    out.push_back(ev);
  }
}

void EventBuilder::stop_after(int class_index, std::int64_t end_ns, std::int64_t window, std::int64_t emitted_ns,
                              bool forced, std::vector<Event>& out) {
  if (m_classes[static_cast<std::size_t>(class_index)].last() != State::Unloading) return;
  Event ev;
  ev.type = EventType::Trip;
  ev.time_ns = end_ns;
  ev.window = window;
  ev.emitted_ns = emitted_ns;
  ev.forced = forced;
  m_counters.add(ev.type);
  out.push_back(ev);
}

std::vector<Event> truth_events(const std::vector<LabelInterval>& labels) {
  std::vector<Event> out;
  for (std::size_t i = 1; i < labels.size(); ++i) {
    const auto t = event_for(labels[i - 1].state, labels[i].state);
    if (!t) continue;
    Event e;
    e.type = *t;
    e.time_ns = static_cast<std::int64_t>(std::llround(labels[i].start_s * 1e9));
    out.push_back(e);
  }
  return out;
}

Counters count_events(const std::vector<Event>& events) {
  Counters c;
  for (const auto& e : events) c.add(e.type);
  return c;
}

MatchResult match_events(const std::vector<Event>& truth, const std::vector<Event>& predicted, EventType type,
                         double tolerance_s) {
  MatchResult r;
  std::vector<const Event*> t, p;
  for (const auto& e : truth)
    if (e.type == type) t.push_back(&e);
  for (const auto& e : predicted)
    if (e.type == type) p.push_back(&e);
  r.true_events = t.size();
  r.predicted = p.size();
  // All candidate pairs within tolerance, closest first; each event used once.
  struct Pair {
    double d;
    std::size_t i, j;
  };
  std::vector<Pair> pairs;
  const auto tol_ns = static_cast<std::int64_t>(tolerance_s * 1e9);
  std::size_t lo = 0;
  for (std::size_t j = 0; j < p.size(); ++j) {
    while (lo < t.size() && t[lo]->time_ns < p[j]->time_ns - tol_ns) ++lo;
    for (std::size_t i = lo; i < t.size() && t[i]->time_ns <= p[j]->time_ns + tol_ns; ++i)
      pairs.push_back({std::fabs(static_cast<double>(t[i]->time_ns - p[j]->time_ns)), i, j});
  }
  std::stable_sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.d < b.d; });
  std::vector<char> tu(t.size(), 0), pu(p.size(), 0);
  for (const auto& pr : pairs) {
    if (tu[pr.i] || pu[pr.j]) continue;
    tu[pr.i] = pu[pr.j] = 1;
    ++r.matched;
    if (p[pr.j]->emitted_ns >= 0) r.delays_s.push_back(static_cast<double>(p[pr.j]->emitted_ns - t[pr.i]->time_ns) * 1e-9);
  }
  return r;
}

}  // namespace lc::count
