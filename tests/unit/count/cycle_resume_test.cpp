// A replay resumed from a checkpoint (the daemon after kill -9) must score every new window exactly as an
// uninterrupted run did: same grid warm-up, and, with a context model, the same previous-window features.
// Checked window by window on the shipped model (context_windows = 1) and the golden shift log.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "can/candump.h"
#include "count/cycle_pipeline.h"

namespace lc::count {
namespace {

const std::string kModel = std::string(LC_TEST_DATA_DIR) + "/../../models/default";
const std::string kLog = std::string(LC_TEST_DATA_DIR) + "/golden/shift.log";

// Window end time -> the probabilities the scorer gave it, for every window of `frames` from `from_ns` on,
// resuming after `resume_end_ns` (-1: from the start).
std::map<std::int64_t, std::vector<double>> scored(const std::vector<can::Frame>& frames, std::int64_t resume_end_ns) {
  auto bundle = model::ModelBundle::load(kModel);
  EXPECT_TRUE(bundle) << bundle.error().message;
  PathCounterOptions o;
  auto pipe = CyclePipeline::create(std::move(*bundle), {o});
  EXPECT_TRUE(pipe) << pipe.error().message;
  CyclePipeline& p = **pipe;
  std::map<std::int64_t, std::vector<double>> out;
  p.after_window = [&](const Window& w) {
    out[w.end_ns] = std::vector<double>(p.scorer().probabilities().begin(), p.scorer().probabilities().end());
  };
  std::int64_t from_ns = INT64_MIN;
  if (resume_end_ns >= 0) {
    p.resume_after(resume_end_ns);
    from_ns = p.resume_feed_from_ns(resume_end_ns);
  }
  for (const auto& f : frames)
    if (f.time_ns >= from_ns) p.push(f);
  p.finish();
  return out;
}

TEST(CycleResume, ResumedReplayScoresEveryNewWindowAsTheUninterruptedRun) {
  std::vector<can::Frame> frames;
  ASSERT_TRUE(can::read_candump_file(kLog, [&](const can::Frame& f) { frames.push_back(f); }));
  const auto full = scored(frames, -1);
  ASSERT_GT(full.size(), 40u);
  // Resume after several checkpoints spread over the log.
  std::vector<std::int64_t> ends;
  for (const auto& [end, probs] : full) ends.push_back(end);
  for (std::size_t i : {std::size_t{3}, ends.size() / 3, ends.size() / 2, ends.size() - 5}) {
    const std::int64_t resume = ends[i];
    const auto resumed = scored(frames, resume);
    std::size_t compared = 0;
    for (const auto& [end, probs] : full) {
      if (end <= resume) {
        EXPECT_EQ(resumed.count(end), 0u) << "a window counted before the checkpoint was scored again";
        continue;
      }
      ASSERT_EQ(resumed.count(end), 1u) << "window ending at " << end << " missing after resuming at " << resume;
      EXPECT_EQ(resumed.at(end), probs) << "window ending at " << end << " scored differently after resuming at " << resume;
      ++compared;
    }
    EXPECT_EQ(compared, ends.size() - i - 1);
  }
}

}  // namespace
}  // namespace lc::count
