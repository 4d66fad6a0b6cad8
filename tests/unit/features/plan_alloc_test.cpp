// Proves the hot path does not allocate: Extractor::extract() and extract_all() called many times perform
// zero heap allocations (STYLE.md principle 5).
//
// This file replaces the global operator new/delete of the whole test_features binary with versions that
// forward to malloc/free and count calls to new in a global counter. Behaviour is otherwise unchanged, so
// the other tests in the binary are not disturbed; only this file reads the counter.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "features/plan.h"

namespace {
std::atomic<std::size_t> g_new_calls{0};

void* counted_alloc(std::size_t n) {
  g_new_calls.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
void* counted_aligned_alloc(std::size_t n, std::align_val_t al) {
  g_new_calls.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(al);
  const std::size_t size = ((n == 0 ? 1 : n) + a - 1) / a * a;  // aligned_alloc wants a multiple of a
  return std::aligned_alloc(a, size);
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t al) {
  if (void* p = counted_aligned_alloc(n, al)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t al) {
  if (void* p = counted_aligned_alloc(n, al)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace lc::features {
namespace {

void calc_mean_alloc_test(std::span<const double> x, Workspace& ws, double* out) {
  double* tmp = ws.take(x.size());  // scratch must come from the workspace, not the heap
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += (tmp[i] = x[i]);
  out[0] = s / static_cast<double>(x.size());
}
void calc_range_alloc_test(std::span<const double> x, Workspace&, double* out) {
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  out[0] = *lo;
  out[1] = *hi;
  out[2] = *hi - *lo;
}
constexpr std::array<std::string_view, 1> kMeanParams = {""};
constexpr std::array<std::string_view, 3> kRangeParams = {"lo", "hi", "span"};
const std::array<Calculator, 2> kAllocCatalogue = {{
    {"mean", kMeanParams, &calc_mean_alloc_test},
    {"range", kRangeParams, &calc_range_alloc_test},
}};

constexpr int kCalls = 1000;

// Ten signals of `n` samples, one of them with a NaN (the degraded-window path), varying per call.
struct Windows {
  std::vector<std::vector<double>> data;
  std::vector<std::span<const double>> spans;
  Windows(std::size_t signals, std::size_t n) : data(signals, std::vector<double>(n)) {
    for (std::size_t s = 0; s < signals; ++s) {
      for (std::size_t i = 0; i < n; ++i) data[s][i] = static_cast<double>(s * 100 + i);
    }
    data[signals - 1][n / 2] = std::nan("");
    for (const auto& d : data) spans.emplace_back(d);
  }
  void vary(int call) {
    for (auto& d : data) d[0] = static_cast<double>(call);
  }
};

std::vector<std::string> ten_signals() {
  return {"engine_speed_rpm",   "actual_torque_pct",   "accel_pedal_pct",
          "max_available_torque_pct", "friction_torque_pct", "keyswitch_voltage_v",
          "coolant_temp_c",     "intake_manifold_pressure_kpa", "oil_pressure_kpa",
          "exhaust_temp_right_c"};
}

TEST(PlanAlloc, CounterSeesAllocations) {
  // The counter must be able to see an allocation, or the zero below would prove nothing.
  const std::size_t before = g_new_calls.load();
  auto* v = new std::vector<double>(100);
  const std::size_t after = g_new_calls.load();
  delete v;
  EXPECT_GE(after - before, 2u);  // the vector object and its buffer
}

TEST(PlanAlloc, ExtractDoesNotAllocate) {
  const FeatureSpace space(ten_signals(), kAllocCatalogue);
  const std::vector<std::string> selected = {"oil_pressure_kpa__range__span", "engine_speed_rpm__mean",
                                             "exhaust_temp_right_c__range__lo", "coolant_temp_c__range__hi",
                                             "engine_speed_rpm__range__lo"};
  auto plan = FeaturePlan::compile(space, selected);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  Extractor ex(std::move(*plan), 5);
  Windows w(10, 5);
  std::vector<float> out(selected.size());
  std::vector<double> all(ex.plan().full_size());

  const std::size_t before = g_new_calls.load();
  double checksum = 0;
  for (int call = 0; call < kCalls; ++call) {
    w.vary(call);
    ex.extract(w.spans, out);
    ex.extract_all(w.spans, all);
    checksum += out[1] + all[0];
  }
  const std::size_t allocations = g_new_calls.load() - before;
  EXPECT_EQ(allocations, 0u) << "over " << kCalls << " extract() + extract_all() calls";
  EXPECT_TRUE(std::isfinite(checksum));
  EXPECT_TRUE(std::isnan(out[2]));  // the NaN signal really took the degraded path
}

// The real catalogue must keep the same promise (calculator.h: "Calculators never allocate").
TEST(PlanAlloc, RealCatalogueDoesNotAllocate) {
  const FeatureSpace space(ten_signals());
  if (space.size() == 0) GTEST_SKIP() << "no calculators implemented yet";
  std::vector<std::string> every(space.names().begin(), space.names().end());
  auto plan = FeaturePlan::compile(space, every);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  constexpr std::size_t kSamples = 5;  // a 5 s window at 1 Hz
  Extractor ex(std::move(*plan), kSamples);
  Windows w(10, kSamples);
  std::vector<float> out(every.size());
  std::vector<double> all(space.size());
  ex.extract(w.spans, out);  // first call outside the count: nothing may be lazily initialised, but the
  ex.extract_all(w.spans, all);  // catalogue's function-local statics are allowed to build once.

  const std::size_t before = g_new_calls.load();
  for (int call = 0; call < 100; ++call) {
    w.vary(call);
    ex.extract(w.spans, out);
    ex.extract_all(w.spans, all);
  }
  EXPECT_EQ(g_new_calls.load() - before, 0u) << "a calculator allocates on the per-window path";
}

// A model's selection runs the calculators' selective entry points (Calculator::some); they take their
// scratch from the workspace too. Every other output of every calculator makes each `some` run.
TEST(PlanAlloc, SelectiveCalculatorsDoNotAllocate) {
  const FeatureSpace space(ten_signals());
  if (space.size() == 0) GTEST_SKIP() << "no calculators implemented yet";
  std::vector<std::string> half;
  for (std::size_t i = 0; i < space.size(); i += 2) half.push_back(space.name(i));
  auto plan = FeaturePlan::compile(space, half);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  std::size_t selective_runs = 0;
  for (std::size_t s = 0; s < plan->signal_count(); ++s)
    for (const auto& run : plan->runs(s)) selective_runs += run.n_wanted > 0 ? 1 : 0;
  ASSERT_GT(selective_runs, 0u);
  constexpr std::size_t kSamples = 40;  // the shipped model's window length
  Extractor ex(std::move(*plan), kSamples);
  Windows w(10, kSamples);
  std::vector<float> out(half.size());
  ex.extract(w.spans, out);  // function-local statics may build once, outside the count

  const std::size_t before = g_new_calls.load();
  for (int call = 0; call < 100; ++call) {
    w.vary(call);
    ex.extract(w.spans, out);
  }
  EXPECT_EQ(g_new_calls.load() - before, 0u) << "a selective calculator allocates on the per-window path";
}

}  // namespace
}  // namespace lc::features
