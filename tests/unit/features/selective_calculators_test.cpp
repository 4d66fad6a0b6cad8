// Differential tests of the selective entry points (Calculator::some, calculator.h): for every calculator
// that has one, `some` must give bit for bit what the full `fn` gives for the outputs it is asked for, and
// leave every other output slot alone, on random series of many shapes and random subsets of its outputs.
// Then the Extractor, which uses `some` for a model's selection, must agree with extract_all() (which uses
// `fn` only) on the shipped model's feature list. Seeds are fixed and printed with every failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "features/calculator.h"
#include "features/plan.h"

namespace lc::features {
namespace {

// A NaN payload no calculator produces: a slot that still holds it was not written.
const double kUntouched = std::bit_cast<double>(std::uint64_t{0x7ff4'0000'dead'beefULL});

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

std::string hex(double v) {
  std::ostringstream s;
  s << v << " (0x" << std::hex << std::bit_cast<std::uint64_t>(v) << ")";
  return s.str();
}

// Series shapes that steer the calculators into their different branches.
enum class Shape { gaussian, constant, repeats, large_offset, huge_offset_repeats, trend, signed_zeros, spikes };
constexpr Shape kShapes[] = {Shape::gaussian,     Shape::constant,           Shape::repeats,
                             Shape::large_offset, Shape::huge_offset_repeats, Shape::trend,
                             Shape::signed_zeros, Shape::spikes};
const char* name_of(Shape s) {
  switch (s) {
    case Shape::gaussian: return "gaussian";
    case Shape::constant: return "constant";
    case Shape::repeats: return "repeats";
    case Shape::large_offset: return "large_offset";
    case Shape::huge_offset_repeats: return "huge_offset_repeats";
    case Shape::trend: return "trend";
    case Shape::signed_zeros: return "signed_zeros";
    case Shape::spikes: return "spikes";
  }
  return "?";
}

std::vector<double> make_series(Shape shape, std::size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = g(rng);
    switch (shape) {
      case Shape::gaussian: x[i] = v; break;
      case Shape::constant: x[i] = -2.75; break;
      case Shape::repeats: x[i] = std::round(v * 2.0) / 2.0; break;  // few distinct values, zeros among them
      case Shape::large_offset: x[i] = 1e6 + v; break;
      case Shape::huge_offset_repeats: x[i] = 1e12 + std::round(v * 4.0); break;
      case Shape::trend: x[i] = static_cast<double>(i) * 0.5 + 0.01 * v; break;
      case Shape::signed_zeros: x[i] = i % 5 == 0 ? -0.0 : std::round(v); break;
      case Shape::spikes: x[i] = rng() % 4 == 0 ? 100.0 * v : 0.1 * v; break;
    }
  }
  return x;
}

// Random ascending subsets of 0..outputs-1: each single output, all of them, and `count` random ones of
// random sizes (small sizes favoured, as a model picks a few outputs of a calculator).
std::vector<std::vector<std::uint16_t>> subsets(std::size_t outputs, std::size_t count, std::mt19937_64& rng) {
  std::vector<std::vector<std::uint16_t>> out;
  std::vector<std::uint16_t> all(outputs);
  std::iota(all.begin(), all.end(), std::uint16_t{0});
  for (const auto o : all) out.push_back({o});
  out.push_back(all);
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t size = 1 + (rng() % 2 == 0 ? rng() % std::min<std::size_t>(outputs, 8) : rng() % outputs);
    std::vector<std::uint16_t> pick = all;
    std::shuffle(pick.begin(), pick.end(), rng);
    pick.resize(size);
    std::sort(pick.begin(), pick.end());
    out.push_back(std::move(pick));
  }
  return out;
}

std::vector<const Calculator*> selective_calculators() {
  std::vector<const Calculator*> out;
  for (const auto& c : all_calculators())
    if (c.some != nullptr) out.push_back(&c);
  return out;
}

TEST(SelectiveCalculators, TheExpensiveOnesHaveSome) {
  std::vector<std::string> names;
  for (const auto* c : selective_calculators()) names.emplace_back(c->name);
  for (const char* expected : {"change_quantiles", "agg_linear_trend", "fft_coefficient", "cwt_coefficients"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
}

TEST(SelectiveCalculators, SomeEqualsFullBitForBit) {
  constexpr std::uint64_t kSeed = 20240611;
  constexpr std::size_t kLengths[] = {0, 1, 2, 3, 5, 10, 40, 100};
  constexpr int kSeriesPerShape = 3;
  constexpr std::size_t kRandomSubsets = 40;
  std::mt19937_64 rng(kSeed);
  // One workspace for everything, as the Extractor keeps one: a stale cached sort would show up here.
  Workspace ws(100);
  std::vector<double> full;
  std::vector<double> part;
  std::size_t checked = 0;
  for (const Calculator* c : selective_calculators()) {
    const std::size_t outputs = c->params.size();
    ASSERT_LE(outputs, std::numeric_limits<std::uint16_t>::max() + std::size_t{1}) << c->name;
    for (const std::size_t n : kLengths) {
      for (const Shape shape : kShapes) {
        for (int rep = 0; rep < kSeriesPerShape; ++rep) {
          const std::vector<double> x = make_series(shape, n, rng);
          full.assign(outputs, kUntouched);
          ws.reset();
          c->fn(x, ws, full.data());
          for (const auto& wanted : subsets(outputs, kRandomSubsets, rng)) {
            part.assign(outputs, kUntouched);
            ws.reset();
            c->some(x, ws, wanted, part.data());
            std::size_t w = 0;
            for (std::size_t o = 0; o < outputs; ++o) {
              const bool is_wanted = w < wanted.size() && wanted[w] == o;
              w += is_wanted ? 1 : 0;
              const double expect = is_wanted ? full[o] : kUntouched;
              if (!same_bits(part[o], expect)) {
                ADD_FAILURE() << c->name << " output " << o << " (" << c->params[o] << "): some gives "
                              << hex(part[o]) << ", expected " << hex(expect)
                              << (is_wanted ? " (fn's value)" : " (slot not wanted: must stay untouched)")
                              << "; seed " << kSeed << ", n " << n << ", shape " << name_of(shape) << ", rep "
                              << rep << ", " << wanted.size() << " wanted";
                return;
              }
            }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 1000u);
}

// The sorted copy the order-statistic calculators share is keyed by the series' bits, not its address.
TEST(SelectiveCalculators, WorkspaceSortedFollowsTheContentNotTheAddress) {
  Workspace ws(8);
  std::vector<double> x = {3.0, -1.0, 2.0, 2.0, 0.5};
  auto expect_sorted = [&](std::span<const double> got) {
    std::vector<double> want = x;
    std::sort(want.begin(), want.end());
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(same_bits(got[i], want[i])) << i;
  };
  expect_sorted(ws.sorted(x));
  x[1] = 10.0;  // same buffer, new content
  expect_sorted(ws.sorted(x));
  x.assign({-0.0, 1.0});  // length change
  expect_sorted(ws.sorted(x));
  x.assign(12, 1.0);  // longer than the workspace was sized for: sorted in take() memory
  x[3] = -4.0;
  ws.reset();
  expect_sorted(ws.sorted(x));
  EXPECT_TRUE(ws.sorted(std::span<const double>()).empty());
}

// The plan hands `some` each output once, ascending, however many model inputs it feeds; a run that needs
// every output runs the full calculator.
TEST(SelectiveCalculators, PlanWantsEachRoutedOutputOnce) {
  const FeatureSpace space({"engine_speed_rpm"});
  const std::string prefix = "engine_speed_rpm__change_quantiles__";
  const std::string a = prefix + "f_agg_\"var\"__isabs_False__qh_1.0__ql_0.0";  // output 17
  const std::string b = prefix + "f_agg_\"mean\"__isabs_True__qh_0.2__ql_0.0";  // output 2
  const std::vector<std::string> selected = {a, b, a, "engine_speed_rpm__median"};
  auto plan = FeaturePlan::compile(space, selected);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  bool seen = false;
  for (const auto& run : plan->runs(0)) {
    if (plan->calculators()[run.calculator].name == "median") {
      EXPECT_EQ(run.n_wanted, 0u);  // no `some`: the full calculator
      continue;
    }
    seen = true;
    EXPECT_EQ(run.n_routes, 3u);
    const auto wanted = plan->wanted().subspan(run.first_wanted, run.n_wanted);
    ASSERT_EQ(wanted.size(), 2u);
    EXPECT_EQ(wanted[0], 2u);
    EXPECT_EQ(wanted[1], 17u);
  }
  EXPECT_TRUE(seen);

  std::vector<std::string> every;
  for (const auto& n : space.names())
    if (n.rfind(prefix, 0) == 0) every.push_back(n);
  auto full = FeaturePlan::compile(space, every);
  ASSERT_TRUE(full.has_value()) << full.error().message;
  ASSERT_EQ(full->runs(0).size(), 1u);
  EXPECT_EQ(full->runs(0)[0].n_wanted, 0u);
}

// The shipped model through the Extractor (which runs `some` where it can) against extract_all() (full `fn`
// only), on random windows of its own length, some of them with a degraded (NaN) signal.
TEST(SelectiveCalculators, ShippedModelExtractEqualsExtractAll) {
  const std::string path = LC_TEST_DATA_DIR "/../../models/default/manifest.json";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "cannot read " << path;
  const auto manifest = nlohmann::json::parse(in);
  const auto signals = manifest.at("signals").get<std::vector<std::string>>();
  const auto selected = manifest.at("features").get<std::vector<std::string>>();
  const auto points = manifest.at("window_points").get<std::size_t>();
  ASSERT_FALSE(selected.empty());

  const FeatureSpace space(signals);
  std::vector<std::size_t> index(selected.size());
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const auto at = space.index_of(selected[i]);
    ASSERT_TRUE(at.has_value()) << selected[i];
    index[i] = *at;
  }
  auto plan = FeaturePlan::compile(space, selected);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  std::size_t selective_runs = 0;
  for (std::size_t s = 0; s < signals.size(); ++s)
    for (const auto& run : plan->runs(s)) selective_runs += run.n_wanted > 0 ? 1 : 0;
  EXPECT_GT(selective_runs, 0u) << "the model's selection should exercise some()";
  Extractor ex(std::move(*plan), points);

  constexpr std::uint64_t kSeed = 7;
  constexpr int kWindows = 300;
  std::mt19937_64 rng(kSeed);
  std::vector<std::vector<double>> data(signals.size());
  std::vector<std::span<const double>> spans(signals.size());
  std::vector<float> out(selected.size());
  std::vector<double> all(ex.plan().full_size());
  for (int w = 0; w < kWindows; ++w) {
    for (std::size_t s = 0; s < signals.size(); ++s) {
      data[s] = make_series(kShapes[rng() % std::size(kShapes)], points, rng);
      if (rng() % 50 == 0) data[s][rng() % points] = std::numeric_limits<double>::quiet_NaN();
      spans[s] = data[s];
    }
    ex.extract(spans, out);
    ex.extract_all(spans, all);
    for (std::size_t i = 0; i < selected.size(); ++i) {
      const float expect = static_cast<float>(all[index[i]]);
      ASSERT_EQ(std::bit_cast<std::uint32_t>(out[i]), std::bit_cast<std::uint32_t>(expect))
          << selected[i] << ": extract " << out[i] << ", extract_all " << expect << "; seed " << kSeed
          << ", window " << w;
    }
  }
}

}  // namespace
}  // namespace lc::features
