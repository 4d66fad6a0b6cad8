// The basic calculators never touch the heap (STYLE.md principle 5): this test replaces the global operator
// new/delete of its own binary (test_features_basic_alloc, see CMakeLists.txt) with counting versions and
// checks the count does not move while the calculators run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <new>
#include <random>
#include <vector>

#include "features/calculator.h"
#include "features/workspace.h"

namespace {
std::atomic<long> g_basic_allocations{0};
void* volatile g_basic_escape = nullptr;
}  // namespace

void* operator new(std::size_t size) {
  g_basic_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace lc::features {
namespace {

TEST(BasicAllocation, CalculatorsNeverAllocate) {
  const long probe = g_basic_allocations.load();
  g_basic_escape = ::operator new(16);  // a direct call, which the compiler may not elide
  ::operator delete(g_basic_escape);
  ASSERT_GT(g_basic_allocations.load(), probe) << "the counting operator new is not in effect";

  constexpr std::uint64_t kSeed = 20261122;
  std::cout << "[ seed     ] " << kSeed << '\n';
  std::mt19937_64 rng(kSeed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<int> small_int(-2, 2);

  std::vector<std::vector<double>> series;
  for (const std::size_t n : {1u, 2u, 3u, 5u, 8u, 10u, 50u, 300u}) {
    std::vector<double> x(n);
    for (auto& v : x) v = normal(rng);
    series.push_back(x);
    for (auto& v : x) v = small_int(rng);  // ties everywhere
    series.push_back(x);
  }
  Workspace ws(300);
  std::vector<double> out(64);
  for (const auto& x : series) {
    for (const auto& c : basic_calculators()) {
      ASSERT_LE(c.params.size(), out.size());
      ws.reset();
      const long before = g_basic_allocations.load();
      c.fn(x, ws, out.data());
      EXPECT_EQ(g_basic_allocations.load(), before) << c.name << " allocated on a series of " << x.size();
      EXPECT_LE(ws.used(), Workspace::capacity_for(x.size())) << c.name << " overran its workspace";
    }
  }
}

}  // namespace
}  // namespace lc::features
