// FeaturePlan::compile(signals, names) resolves each name on its own instead of
// building FeatureSpace's 7,770 names (start-up). It must give exactly the plan
// compile(FeatureSpace(signals), names) gives, and refuse exactly the names
// that one refuses, with the same message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "features/plan.h"

namespace lc::features {
namespace {

const std::vector<std::string> kSignals = {
    "engine_speed_rpm",    "actual_torque_pct",   "accel_pedal_pct", "max_available_torque_pct",
    "friction_torque_pct", "keyswitch_voltage_v", "coolant_temp_c",  "intake_manifold_pressure_kpa",
    "oil_pressure_kpa",    "exhaust_temp_right_c"};

void expect_same_plan(const FeaturePlan& a, const FeaturePlan& b) {
  ASSERT_EQ(a.signal_count(), b.signal_count());
  ASSERT_EQ(a.output_count(), b.output_count());
  ASSERT_EQ(a.full_size(), b.full_size());
  for (std::size_t s = 0; s < a.signal_count(); ++s) {
    const auto ra = a.runs(s), rb = b.runs(s);
    ASSERT_EQ(ra.size(), rb.size()) << "signal " << s;
    for (std::size_t i = 0; i < ra.size(); ++i) {
      EXPECT_EQ(ra[i].calculator, rb[i].calculator);
      EXPECT_EQ(ra[i].first_route, rb[i].first_route);
      EXPECT_EQ(ra[i].n_routes, rb[i].n_routes);
      EXPECT_EQ(ra[i].first_wanted, rb[i].first_wanted);
      EXPECT_EQ(ra[i].n_wanted, rb[i].n_wanted);
    }
  }
  ASSERT_EQ(a.routes().size(), b.routes().size());
  for (std::size_t i = 0; i < a.routes().size(); ++i) {
    EXPECT_EQ(a.routes()[i].output, b.routes()[i].output) << "route " << i;
    EXPECT_EQ(a.routes()[i].dest, b.routes()[i].dest) << "route " << i;
  }
  EXPECT_TRUE(std::equal(a.wanted().begin(), a.wanted().end(), b.wanted().begin(), b.wanted().end()));
}

void expect_same(const std::vector<std::string>& signals, const std::vector<std::string>& names) {
  const FeatureSpace space(signals);
  auto by_space = FeaturePlan::compile(space, names);
  auto by_name = FeaturePlan::compile(signals, names);
  ASSERT_EQ(bool(by_space), bool(by_name)) << (by_space ? by_name.error().message : by_space.error().message);
  if (!by_space) {
    EXPECT_EQ(by_space.error().message, by_name.error().message);
    return;
  }
  expect_same_plan(*by_space, *by_name);
}

TEST(PlanResolve, EveryNameOfTheSpaceGivesTheSamePlan) {
  const FeatureSpace space(kSignals);
  const std::vector<std::string> every(space.names().begin(), space.names().end());
  expect_same(kSignals, every);
}

TEST(PlanResolve, RandomSelectionsWithRepeatsGiveTheSamePlan) {
  const FeatureSpace space(kSignals);
  std::mt19937_64 rng(20261205);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<std::string> names;
    std::uniform_int_distribution<std::size_t> pick(0, space.size() - 1);
    for (int i = 0; i < 400; ++i) names.push_back(space.name(pick(rng)));
    names.push_back(names.front());  // a repeated name feeds two inputs
    expect_same(kSignals, names);
  }
}

TEST(PlanResolve, NearMissNamesAreRefusedTheSameWay) {
  const FeatureSpace space(kSignals);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::size_t> pick(0, space.size() - 1);
  std::vector<std::string> bad = {"",
                                  "engine_speed_rpm",
                                  "engine_speed_rpm__",
                                  "engine_speed_rpm__mean__",
                                  "engine_speed_rpm__mean__x",
                                  "engine_speed_rpm__linear_trend",
                                  "no_such_signal__mean",
                                  "__mean",
                                  "engine_speed_rpm___mean"};
  for (int i = 0; i < 50; ++i) {
    const std::string& name = space.name(pick(rng));
    bad.push_back(name + "_");
    bad.push_back(name + "__");
    bad.push_back(name.substr(0, name.size() - 1));
    bad.push_back("x" + name);
  }
  for (const auto& b : bad) {
    // Some near misses are real names (a prefix of one parameter can be
    // another); both must agree either way.
    expect_same(kSignals, {space.name(0), b});
  }
}

TEST(PlanResolve, AmbiguousSignalNamesResolveToTheFirstLikeTheSpace) {
  // "a__mean" could be signal "a" with mean, and "a__sum_values"'s signal could
  // be "a" or "a__sum_values"... FeatureSpace keeps the first index of a
  // duplicate name; so must the resolver.
  const std::vector<std::string> signals = {"a", "a__mean", "a", "b"};
  const FeatureSpace space(signals);
  const std::vector<std::string> every(space.names().begin(), space.names().end());
  expect_same(signals, every);
  expect_same(signals, {"a__mean__mean", "a__mean", "b__maximum"});
}

}  // namespace
}  // namespace lc::features
