// The end of the input after a stop: a log whose engine stops (a gap longer than the segment gap) and restarts
// too late to make another window has still shown the stop, so the last segment ends as at any stop (the
// segment-end prior), as the daemon ends it when the bus goes silent. Before, the restart's few frames hid the
// stop and the end of input was decided without the prior: on held-out shift 9702 the engine restarted in the
// log's last second and a dump just before the key-off went uncounted.
//
// Checked on the golden shift log cut at a window end where the stop decides differently from a plain end of
// input (searched from the end, so that the check keeps its teeth when the shipped model is retrained), with a
// restart of 3 s one minute after the cut: pushed frame by frame and replayed on two threads.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include <unistd.h>

#include "can/candump.h"
#include "count/replay.h"

namespace lc::count {
namespace {

const std::string kModel = std::string(LC_TEST_DATA_DIR) + "/../../models/default";
const std::string kLog = std::string(LC_TEST_DATA_DIR) + "/golden/shift.log";
constexpr std::int64_t kS = 1'000'000'000;

using Outcome = std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::vector<std::pair<EventType, std::int64_t>>>;

Outcome outcome(const CyclePipeline& p) {
  const auto& c = p.counter(0).counters();
  std::vector<std::pair<EventType, std::int64_t>> ev;
  for (const auto& e : p.counter(0).events()) ev.emplace_back(e.type, e.time_ns);
  return {c.loads, c.trips, c.failed_loads, ev};
}

Expected<std::unique_ptr<CyclePipeline>> make_pipeline() {
  LC_TRY(bundle, model::ModelBundle::load(kModel));
  return CyclePipeline::create(std::move(bundle), {PathCounterOptions{}});
}

enum class End { Finish, Stop };

Outcome run(const std::vector<can::Frame>& frames, End end) {
  auto pipe = make_pipeline();
  EXPECT_TRUE(pipe) << pipe.error().message;
  for (const auto& f : frames) (*pipe)->push(f);
  if (end == End::Stop)
    (*pipe)->end_segment();
  else
    (*pipe)->finish();
  return outcome(**pipe);
}

TEST(StopAtEnd, ARestartTooShortForAWindowStillEndsTheSegmentAtAStop) {
  std::vector<can::Frame> log;
  ASSERT_TRUE(can::read_candump_file(kLog, [&](const can::Frame& f) { log.push_back(f); }));
  ASSERT_GT(log.size(), 10000u);
  const std::int64_t t0 = log.front().time_ns;
  const std::int64_t first_window = (t0 / (5 * kS) + 1) * 5 * kS;

  // A cut half a second after a window's end, where ending at a stop decides differently from ending the input.
  std::vector<can::Frame> cut;
  std::int64_t cut_ns = 0;
  for (int k = 58; k >= 30 && cut.empty(); --k) {
    const std::int64_t t = first_window + k * 5 * kS + kS / 2;
    std::vector<can::Frame> c;
    for (const auto& f : log)
      if (f.time_ns < t) c.push_back(f);
    if (run(c, End::Finish) != run(c, End::Stop)) {
      cut = std::move(c);
      cut_ns = t;
    }
  }
  ASSERT_FALSE(cut.empty()) << "no cut of the golden log where the segment-end prior changes the decision";
  const Outcome at_stop = run(cut, End::Stop);

  // The engine restarts a minute later; 3 s of frames (the log's own first ones, moved) make no window.
  std::vector<can::Frame> restarted = cut;
  for (const auto& f : log) {
    if (f.time_ns >= t0 + 3 * kS) break;
    can::Frame g = f;
    g.time_ns = f.time_ns - t0 + cut_ns + 60 * kS;
    restarted.push_back(g);
  }
  {
    auto manifest = model::ModelBundle::read_manifest(kModel);
    ASSERT_TRUE(manifest) << manifest.error().message;
    auto front_end = [&](const std::vector<can::Frame>& frames) {
      auto f = CyclePipeline::make_front_end(*manifest, [](const Window&) {});
      EXPECT_TRUE(f) << f.error().message;
      for (const auto& x : frames) (*f)->push(x);
      (*f)->finish();
      return std::move(*f);
    };
    const auto plain = front_end(cut), stopped = front_end(restarted);
    EXPECT_FALSE(plain->stopped_since_last_window()) << "no gap after the last window";
    EXPECT_TRUE(stopped->stopped_since_last_window());
    EXPECT_EQ(stopped->stats().windows, plain->stats().windows) << "the restart made a window";
    EXPECT_EQ(stopped->stats().segments, plain->stats().segments + 1);
  }
  EXPECT_EQ(run(restarted, End::Finish), at_stop) << "pushed frame by frame";

  // The same through replay's two threads, whose windows come from a front end outside the pipeline.
  const std::string path = ::testing::TempDir() + "/stop_at_end_" + std::to_string(::getpid()) + ".log";
  {
    auto w = can::CandumpWriter::open(path);
    ASSERT_TRUE(w) << w.error().message;
    for (const auto& f : restarted) w->write(f);
    ASSERT_TRUE(w->close());
  }
  auto manifest = model::ModelBundle::read_manifest(kModel);
  ASSERT_TRUE(manifest) << manifest.error().message;
  auto replayed = replay_log(path, *manifest, make_pipeline);
  ASSERT_TRUE(replayed) << replayed.error().message;
  EXPECT_EQ(outcome(*replayed->pipeline), at_stop) << "replayed on two threads";
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lc::count
