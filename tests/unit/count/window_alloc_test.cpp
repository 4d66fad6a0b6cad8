// Proves that the whole live path allocates nothing per frame or per window once running (STYLE.md
// principle 5): frame decode, grid, windows, selected features with context, the compiled forest of every
// position model, the decoder prior weights, one online decoder step and event counting, as the daemon runs
// them (events handed to on_event, none kept). This file replaces the global operator new/delete of the test
// binary with counting versions; the other tests in the binary are unaffected (they only count).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "can/candump.h"
#include "count/cycle_pipeline.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace lc::count {
namespace {

TEST(WindowAllocation, NoAllocationPerFrameOrWindowWithTheShippedModel) {
  const std::string model = std::string(LC_TEST_DATA_DIR) + "/../../models/default";
  std::vector<can::Frame> frames;
  ASSERT_TRUE(can::read_candump_file(std::string(LC_TEST_DATA_DIR) + "/golden/shift.log",
                                     [&](const can::Frame& f) { frames.push_back(f); }));
  auto bundle = model::ModelBundle::load(model);
  ASSERT_TRUE(bundle) << bundle.error().message;
  ASSERT_GT(bundle->manifest().context_windows, 0) << "the shipped model is expected to use context";
  ASSERT_FALSE(bundle->manifest().decoder_class_weights.empty());
  PathCounterOptions o;  // online, as the daemon runs it
  o.keep_events = false;
  auto pipe = CyclePipeline::create(std::move(*bundle), {o});
  ASSERT_TRUE(pipe) << pipe.error().message;
  CyclePipeline& p = **pipe;
  long events = 0;
  p.counter(0).on_event = [&events](const Event&) { ++events; };
  // From the third window on (the history and the decoder's trellis are warm), nothing may allocate.
  long windows = 0, at_third = -1;
  p.after_window = [&](const Window&) {
    if (++windows == 3) at_third = g_allocations.load();
  };
  for (const auto& f : frames) p.push(f);
  const long at_end = g_allocations.load();
  ASSERT_GT(windows, 40);
  ASSERT_GE(at_third, 0);
  EXPECT_EQ(at_end - at_third, 0) << "allocations over " << windows - 3 << " windows and their frames";
  EXPECT_GT(events, 0) << "the golden shift has events; the path under test must have produced some";
}

}  // namespace
}  // namespace lc::count
