#include "dispatch/health.h"

#include <gtest/gtest.h>

namespace lc::dispatch {
namespace {

// The bodies of the `health` and `counters` topics are contracts for the dispatch office: exact keys, order
// and values, as documented by example in health.h.
TEST(HealthJson, MatchesTheDocumentedExample) {
  HealthReport r;
  r.frames_per_s = 812.5;
  r.frames_dropped = 0;
  r.degraded_windows = 3;
  r.forced_commits = 1;
  OutboxStatus s;
  s.rows = 1200;
  s.unacknowledged = 0;
  s.capacity = 100000;
  const std::int64_t t = (1795305600LL + 3600) * 1'000'000'000LL;  // 2026-11-22T01:00:00Z
  EXPECT_EQ(health_json(r, "loader7", s, true, t).dump(),
            R"({"machine_id":"loader7","time":"2026-11-22T01:00:00.000Z","frames_per_s":812.5,)"
            R"("frames_dropped":0,"degraded_windows":3,"forced_commits":1,"outbox_depth":0,"outbox_rows":1200,)"
            R"("outbox_capacity":100000,"outbox_over_capacity":false,"mqtt_connected":true})");
}

TEST(CountersJson, MatchesTheDocumentedExample) {
  ShiftState sh;
  sh.shift_id = "2026-11-22T00:00Z";
  sh.counters = {42, 41, 3};
  EXPECT_EQ(counters_json("loader7", sh, 87).dump(),
            R"({"machine_id":"loader7","shift_id":"2026-11-22T00:00Z","loads":42,"trips":41,"failed_loads":3,)"
            R"("last_sequence":86})");
}

}  // namespace
}  // namespace lc::dispatch
