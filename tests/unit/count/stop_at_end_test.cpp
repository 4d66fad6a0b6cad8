// The end of the input at a stop. A log that shows its engine stopping after the last window ends that window's
// segment as at any stop (the segment-end prior), as the daemon does when the bus goes silent:
// - the engine's frames pause for longer than the segment gap and restart too late for another window. Before,
//   the restart's few frames hid the stop: on held-out shift 9702 the engine restarted in the log's last second
//   and a dump just before the key-off went uncounted;
// - the log ends during a key-off's run-down, the engine reported below any idle (held-out shifts 9208, 9617).
// A log that ends with the engine running is no stop.
//
// Checked on the golden shift log cut at a window end where a stop decides differently from a plain end of
// input (searched from the end, so that the check keeps its teeth when the shipped model is retrained): pushed
// frame by frame and replayed on two threads.
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
  if (!pipe) {
    ADD_FAILURE() << pipe.error().message;
    return {};
  }
  for (const auto& f : frames) (*pipe)->push(f);
  if (end == End::Stop)
    (*pipe)->end_segment();
  else
    (*pipe)->finish();
  return outcome(**pipe);
}

struct Cut {
  std::vector<can::Frame> log;     // the whole golden log
  std::vector<can::Frame> frames;  // its frames before the cut
  std::int64_t cut_ns = 0;
  std::size_t after = 0;           // index in `log` of the first frame at or after the cut
};

// The golden log cut half a second after a window's end, where ending at a stop decides differently from ending
// the input, even with `extra_s` more seconds of the log's own frames (which make no window).
Cut find_cut(double extra_s) {
  Cut c;
  EXPECT_TRUE(can::read_candump_file(kLog, [&](const can::Frame& f) { c.log.push_back(f); }));
  EXPECT_GT(c.log.size(), 10000u);
  const std::int64_t t0 = c.log.front().time_ns;
  const std::int64_t first_window = (t0 / (5 * kS) + 1) * 5 * kS;
  for (int k = 58; k >= 30; --k) {
    const std::int64_t t = first_window + k * 5 * kS + kS / 2;
    const auto extra_ns = static_cast<std::int64_t>(extra_s * 1e9);
    std::vector<can::Frame> with_extra;
    for (const auto& f : c.log)
      if (f.time_ns < t + extra_ns) with_extra.push_back(f);
    if (run(with_extra, End::Finish) != run(with_extra, End::Stop)) {
      c.cut_ns = t;
      for (const auto& f : c.log)
        if (f.time_ns < t) c.frames.push_back(f);
      c.after = c.frames.size();
      return c;
    }
  }
  return c;
}

// An EEC1 frame from the engine (PGN 61444, source address 0): engine speed in bytes 4-5, 0.125 rpm per bit.
bool is_eec1(const can::Frame& f) { return f.extended && ((f.id >> 8) & 0x3FFFF) == 0xF004 && (f.id & 0xFF) == 0; }

TEST(StopAtEnd, ARestartTooShortForAWindowStillEndsTheSegmentAtAStop) {
  Cut c = find_cut(0);
  const std::vector<can::Frame>& log = c.log;
  const std::vector<can::Frame>& cut = c.frames;
  const std::int64_t t0 = log.front().time_ns, cut_ns = c.cut_ns;
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
    EXPECT_FALSE(plain->ended_at_stop()) << "the engine was running at the cut";
    EXPECT_TRUE(stopped->ended_at_stop());
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

TEST(StopAtEnd, ALogEndingInAKeyOffRunDownEndsAtAStop) {
  constexpr double kRunDownS = 1.5;
  Cut c = find_cut(kRunDownS);
  ASSERT_FALSE(c.frames.empty()) << "no cut of the golden log where the segment-end prior changes the decision";
  // The log's own next 1.5 s: as recorded (engine running), and with the engine running down to 200 rpm.
  std::vector<can::Frame> running = c.frames, run_down = c.frames;
  const auto end_ns = c.cut_ns + static_cast<std::int64_t>(kRunDownS * 1e9);
  for (std::size_t i = c.after; i < c.log.size() && c.log[i].time_ns < end_ns; ++i) {
    can::Frame f = c.log[i];
    running.push_back(f);
    if (is_eec1(f)) {
      const double u = static_cast<double>(f.time_ns - c.cut_ns) / (kRunDownS * 1e9);
      const auto raw = static_cast<std::uint16_t>((1400.0 - 1200.0 * u) / 0.125);
      f.data[3] = static_cast<std::uint8_t>(raw & 0xFF);
      f.data[4] = static_cast<std::uint8_t>(raw >> 8);
    }
    run_down.push_back(f);
  }
  EXPECT_EQ(run(running, End::Finish), run(c.frames, End::Finish)) << "the running engine's last 1.5 s decided nothing";
  EXPECT_NE(run(running, End::Finish), run(running, End::Stop));
  EXPECT_EQ(run(run_down, End::Finish), run(run_down, End::Stop)) << "the run-down is a stop";

  auto manifest = model::ModelBundle::read_manifest(kModel);
  ASSERT_TRUE(manifest) << manifest.error().message;
  auto f = CyclePipeline::make_front_end(*manifest, [](const Window&) {});
  ASSERT_TRUE(f) << f.error().message;
  for (const auto& x : run_down) (*f)->push(x);
  (*f)->finish();
  EXPECT_TRUE((*f)->ended_at_stop());
  EXPECT_EQ((*f)->stats().segments, 1u) << "no gap: only the engine's speed tells the stop";
}

}  // namespace
}  // namespace lc::count
