// replay_log (two threads: reader + scorer) must give exactly what pushing the frames into one CyclePipeline
// gives: every window, in order, with bit-identical probabilities, and the same events. Checked on the golden
// shift log with the shipped model, with a queue of one window (the threads hand over at every window) and
// with the default queue. Errors must come back (not hang) from either side.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <string>
#include <vector>

#include "can/candump.h"
#include "count/replay.h"

namespace lc::count {
namespace {

const std::string kModel = std::string(LC_TEST_DATA_DIR) + "/../../models/default";
const std::string kLog = std::string(LC_TEST_DATA_DIR) + "/golden/shift.log";

struct Scored {
  std::vector<std::int64_t> ends;
  std::vector<std::vector<double>> probs;
  std::vector<std::pair<EventType, std::int64_t>> events;
  std::uint64_t windows = 0, segments = 0;
};

Expected<std::unique_ptr<CyclePipeline>> make_pipeline(Scored& out) {
  LC_TRY(bundle, model::ModelBundle::load(kModel));
  PathCounterOptions o;
  LC_TRY(pipe, CyclePipeline::create(std::move(bundle), {o}));
  CyclePipeline* p = pipe.get();
  p->after_window = [p, &out](const Window& w) {
    out.ends.push_back(w.end_ns);
    out.probs.emplace_back(p->scorer().probabilities().begin(), p->scorer().probabilities().end());
  };
  return pipe;
}

void collect(const CyclePipeline& p, Scored& out) {
  for (const auto& e : p.counter(0).events()) out.events.emplace_back(e.type, e.time_ns);
  out.windows = p.stats().windows;
  out.segments = p.stats().segments;
}

Scored single_threaded() {
  Scored s;
  auto pipe = make_pipeline(s);
  EXPECT_TRUE(pipe) << pipe.error().message;
  EXPECT_TRUE(can::read_candump_file(kLog, [&](const can::Frame& f) { (*pipe)->push(f); }));
  (*pipe)->finish();
  collect(**pipe, s);
  return s;
}

TEST(Replay, TwoThreadsGiveExactlyTheSingleThreadedResult) {
  const Scored want = single_threaded();
  ASSERT_GT(want.ends.size(), 40u);
  ASSERT_GE(want.events.size(), 6u);
  auto manifest = model::ModelBundle::read_manifest(kModel);
  ASSERT_TRUE(manifest) << manifest.error().message;
  for (std::size_t queue : {std::size_t{1}, std::size_t{64}}) {
    Scored got;
    ReplayOptions ro;
    ro.queue_windows = queue;
    auto run = replay_log(kLog, *manifest, [&] { return make_pipeline(got); }, ro);
    ASSERT_TRUE(run) << run.error().message;
    collect(*run->pipeline, got);
    EXPECT_GT(run->read.frames, 10000u);
    EXPECT_EQ(got.windows, want.windows) << "queue " << queue;
    EXPECT_EQ(got.segments, want.segments) << "queue " << queue;
    ASSERT_EQ(got.ends, want.ends) << "queue " << queue;
    for (std::size_t i = 0; i < want.probs.size(); ++i) ASSERT_EQ(got.probs[i], want.probs[i]) << "window " << i << ", queue " << queue;
    EXPECT_EQ(got.events, want.events) << "queue " << queue;
  }
}

TEST(Replay, APipelineErrorComesBackAndStopsTheReader) {
  auto manifest = model::ModelBundle::read_manifest(kModel);
  ASSERT_TRUE(manifest);
  ReplayOptions ro;
  ro.queue_windows = 1;  // the reader fills the queue at once and blocks: the error path must free it
  auto run = replay_log(kLog, *manifest, []() -> Expected<std::unique_ptr<CyclePipeline>> {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return Error::bad_input("models/x/position_0.json: broken");
  }, ro);
  ASSERT_FALSE(run);
  EXPECT_NE(run.error().message.find("position_0.json"), std::string::npos) << run.error().message;
}

TEST(Replay, AReaderErrorNamesTheFileAndLine) {
  auto manifest = model::ModelBundle::read_manifest(kModel);
  ASSERT_TRUE(manifest);
  {
    Scored s;
    auto run = replay_log("/nonexistent/shift.log", *manifest, [&] { return make_pipeline(s); });
    ASSERT_FALSE(run);
    EXPECT_NE(run.error().message.find("/nonexistent/shift.log"), std::string::npos) << run.error().message;
  }
  {
    // Strict mode: a garbage line half-way is an error naming its line.
    const std::string path = ::testing::TempDir() + "/replay_bad_line.log";
    std::ifstream in(kLog);
    std::ofstream out(path);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) out << (n == 5000 ? "this is not a frame" : line) << '\n';
    out.close();
    Scored s;
    ReplayOptions ro;
    ro.read.strict = true;
    auto run = replay_log(path, *manifest, [&] { return make_pipeline(s); }, ro);
    ASSERT_FALSE(run);
    EXPECT_NE(run.error().message.find("5000"), std::string::npos) << run.error().message;
  }
}

}  // namespace
}  // namespace lc::count
