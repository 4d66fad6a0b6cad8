// Proves that the online decoder allocates nothing per window (STYLE.md principle 5): this file replaces the
// global operator new/delete of the test binary with counting versions (they only count; every other test in
// the binary is unaffected) and checks the count stays put across many push() and end_segment() calls.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <new>
#include <random>
#include <vector>

#include "decode/online.h"
#include "decode_test_util.h"

namespace {
std::atomic<long> g_allocations{0};
void* volatile g_escape = nullptr;
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

namespace lc::decode {
namespace {

TEST(OnlineAllocation, NoAllocationPerWindow) {
  constexpr std::uint64_t kSeed = 424242;
  std::cout << "[ seed     ] " << kSeed << '\n';
  std::mt19937_64 rng(kSeed);
  for (const int changes : {1, 2}) {
    const auto g = testing::graph_up_to(changes);
    const auto k = static_cast<std::size_t>(g.size());
    const auto classes = classes_up_to(changes);
    const auto probs =
        testing::noisy_probs(rng, testing::cycle_labels(rng, 3000, 5, changes, classes), g.size(), 2.0, 1.5, 0.05);
    for (const int lag : {0, 2, 6, 40}) {
      auto dec = OnlineDecoder::create(g, {PathScore::SumLogProb, lag}).value();
      const long before = g_allocations.load();
      std::int64_t reported = 0;
      for (std::size_t t = 0; t < 3000; ++t) {
        dec.push(std::span<const double>(probs).subspan(t * k, k));
        reported += static_cast<std::int64_t>(dec.committed().size());
        if (t % 700 == 699) {
          dec.end_segment();
          reported += static_cast<std::int64_t>(dec.committed().size());
        }
      }
      dec.finish();
      reported += static_cast<std::int64_t>(dec.committed().size());
      const long after = g_allocations.load();
      EXPECT_EQ(after - before, 0) << "changes " << changes << " lag " << lag;
      EXPECT_EQ(reported, 3000);
      if (lag <= 2) {
        EXPECT_GT(dec.stats().forced_commits, 0);  // the forced path was exercised too
      }
    }
  }
}

TEST(OnlineAllocation, TheCounterSeesAllocations) {
  // Guards the test above: if the replacement were not in effect it would pass vacuously.
  const long before = g_allocations.load();
  std::vector<int> v(100);
  g_escape = v.data();  // keeps the allocation observable, so it cannot be optimised away
  EXPECT_GE(g_allocations.load() - before, 1);
}

}  // namespace
}  // namespace lc::decode
