#include "model/targets.h"

#include <algorithm>
#include <cmath>

namespace lc::model {

int position_bucket(double t_s, double start_s, double end_s, int buckets) {
  const double u = (t_s - start_s) / (end_s - start_s);
  const int b = static_cast<int>(std::floor(u * buckets));
  return std::clamp(b, 0, buckets - 1);
}

double bucket_time_s(int bucket, double start_s, double end_s, int buckets) {
  return start_s + (end_s - start_s) * (bucket + 0.5) / buckets;
}

WindowTarget window_target(const std::vector<LabelInterval>& labels, std::int64_t start_ns, std::int64_t end_ns,
                           int buckets, int max_changes) {
  WindowTarget t;
  const double s = static_cast<double>(start_ns) * 1e-9;
  const double e = static_cast<double>(end_ns) * 1e-9;
  constexpr double kEps = 1e-6;  // labels have millisecond resolution; the clock is exact to the microsecond
  if (labels.empty() || labels.front().start_s > s + kEps || labels.back().end_s < e - kEps) return t;
  // First interval containing s.
  auto it = std::upper_bound(labels.begin(), labels.end(), s + kEps,
                             [](double v, const LabelInterval& iv) { return v < iv.end_s; });
  if (it == labels.end()) return t;
  std::vector<State> path{it->state};
  for (++it; it != labels.end() && it->start_s <= e + kEps; ++it) {
    if (it->state == path.back()) continue;
    t.change_times_s.push_back(it->start_s);
    path.push_back(it->state);
  }
  for (std::size_t i = 1; i < path.size(); ++i)
    if (!change_allowed(path[i - 1], path[i])) {
      t.kind = WindowTarget::Kind::Disallowed;
      return t;
    }
  if (static_cast<int>(path.size()) - 1 > max_changes) {
    t.kind = WindowTarget::Kind::TooManyChanges;
    return t;
  }
  t.cls.path = std::move(path);
  t.kind = WindowTarget::Kind::Ok;
  if (!t.change_times_s.empty()) t.position = position_bucket(t.change_times_s.front(), s, e, buckets);
  return t;
}

}  // namespace lc::model
