// FeatureSpace naming and order, FeaturePlan compilation, and the Extractor's values and NaN rules, on a
// small hand-written catalogue (so the test does not depend on which real calculators exist yet), plus a
// consistency check on the real catalogue.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "features/plan.h"

namespace lc::features {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A toy catalogue with the shapes the real one has: parameterless and multi-output calculators, one that
// uses the workspace, one that returns NaN.
void calc_sum(std::span<const double> x, Workspace&, double* out) {
  double s = 0;
  for (double v : x) s += v;
  out[0] = s;
}
void calc_minmax(std::span<const double> x, Workspace&, double* out) {
  out[0] = *std::min_element(x.begin(), x.end());
  out[1] = *std::max_element(x.begin(), x.end());
}
void calc_median(std::span<const double> x, Workspace& ws, double* out) {
  double* tmp = ws.take(x.size());
  std::copy(x.begin(), x.end(), tmp);
  std::sort(tmp, tmp + x.size());
  const std::size_t n = x.size();
  out[0] = n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}
void calc_first_nan(std::span<const double> x, Workspace&, double* out) {
  out[0] = kNaN;  // like tsfresh's NaN results (e.g. a variation coefficient of mean 0)
  out[1] = static_cast<double>(x.size());
  out[2] = x.front();
}

constexpr std::array<std::string_view, 1> kNoParam = {""};
constexpr std::array<std::string_view, 2> kMinMaxParams = {"f_agg_\"min\"", "f_agg_\"max\""};
constexpr std::array<std::string_view, 3> kOddParams = {"attr_\"nan\"", "attr_\"len\"", "attr_\"first\""};

const std::array<Calculator, 4> kToyCatalogue = {{
    {"sum_values", kNoParam, &calc_sum},
    {"median", kNoParam, &calc_median},
    {"agg", kMinMaxParams, &calc_minmax},
    {"odd", kOddParams, &calc_first_nan},
}};

std::vector<std::string> toy_signals() { return {"engine_speed_rpm", "coolant_temp_c"}; }

TEST(PlanSpace, NamesAreSignalMajorInCatalogueOrder) {
  const FeatureSpace space(toy_signals(), kToyCatalogue);
  ASSERT_EQ(space.features_per_signal(), 7u);
  ASSERT_EQ(space.size(), 14u);
  EXPECT_EQ(space.name(0), "engine_speed_rpm__sum_values");
  EXPECT_EQ(space.name(1), "engine_speed_rpm__median");
  EXPECT_EQ(space.name(2), "engine_speed_rpm__agg__f_agg_\"min\"");
  EXPECT_EQ(space.name(3), "engine_speed_rpm__agg__f_agg_\"max\"");
  EXPECT_EQ(space.name(6), "engine_speed_rpm__odd__attr_\"first\"");
  EXPECT_EQ(space.name(7), "coolant_temp_c__sum_values");
  EXPECT_EQ(space.name(13), "coolant_temp_c__odd__attr_\"first\"");
  for (std::size_t i = 0; i < space.size(); ++i) {
    ASSERT_EQ(space.index_of(space.name(i)), i);
    const auto slot = space.slot(i);
    EXPECT_EQ(slot.signal * space.features_per_signal() + space.calculator_offset(slot.calculator) + slot.output, i);
  }
  EXPECT_FALSE(space.index_of("engine_speed_rpm__nope").has_value());
  EXPECT_FALSE(space.index_of("").has_value());
}

TEST(PlanSpace, RealCatalogueNamesFollowTsfresh) {
  const FeatureSpace space({"engine_speed_rpm"});
  EXPECT_EQ(space.size(), space.features_per_signal());
  for (std::size_t i = 0; i < space.size(); ++i) {
    ASSERT_EQ(space.name(i).rfind("engine_speed_rpm__", 0), 0u) << space.name(i);
  }
  if (const auto q = space.index_of("engine_speed_rpm__quantile__q_0.1")) {
    EXPECT_EQ(space.calculators()[space.slot(*q).calculator].name, "quantile");
  }
}

TEST(PlanCompile, UnknownNameIsBadInputNamingIt) {
  const FeatureSpace space(toy_signals(), kToyCatalogue);
  const std::vector<std::string> selected = {"coolant_temp_c__median", "coolant_temp_c__mode", "also_wrong"};
  const auto plan = FeaturePlan::compile(space, selected);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().kind, ErrorKind::BadInput);
  EXPECT_NE(plan.error().message.find("'coolant_temp_c__mode'"), std::string::npos) << plan.error().message;
  EXPECT_NE(plan.error().message.find("position 1"), std::string::npos) << plan.error().message;
  EXPECT_EQ(plan.error().message.find("also_wrong"), std::string::npos);  // the first one only
}

TEST(PlanCompile, GroupsRunsPerSignalAndRoutesInInputOrder) {
  const FeatureSpace space(toy_signals(), kToyCatalogue);
  const std::vector<std::string> selected = {
      "coolant_temp_c__agg__f_agg_\"max\"",  // 0
      "engine_speed_rpm__median",            // 1
      "coolant_temp_c__agg__f_agg_\"min\"",  // 2
      "engine_speed_rpm__median",            // 3: a repeat is allowed
  };
  const auto plan = FeaturePlan::compile(space, selected);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(plan->output_count(), 4u);
  EXPECT_EQ(plan->full_size(), 14u);
  ASSERT_EQ(plan->runs(0).size(), 1u);  // median only: sum/agg/odd do not run on engine speed
  EXPECT_EQ(kToyCatalogue[plan->runs(0)[0].calculator].name, "median");
  EXPECT_EQ(plan->runs(0)[0].n_routes, 2u);
  ASSERT_EQ(plan->runs(1).size(), 1u);  // agg once, feeding two positions
  const auto run = plan->runs(1)[0];
  ASSERT_EQ(run.n_routes, 2u);
  const auto routes = plan->routes().subspan(run.first_route, run.n_routes);
  EXPECT_EQ(routes[0].output, 0u);
  EXPECT_EQ(routes[0].dest, 2u);
  EXPECT_EQ(routes[1].output, 1u);
  EXPECT_EQ(routes[1].dest, 0u);
}

TEST(PlanExtract, WritesSelectedFeaturesAndMatchesExtractAll) {
  const FeatureSpace space(toy_signals(), kToyCatalogue);
  const std::vector<std::string> selected = {"coolant_temp_c__median", "engine_speed_rpm__agg__f_agg_\"max\"",
                                             "engine_speed_rpm__sum_values", "coolant_temp_c__odd__attr_\"len\""};
  auto plan = FeaturePlan::compile(space, selected);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  Extractor ex(std::move(*plan), 5);
  const std::vector<double> rpm = {800, 1200.5, 1000, 950, 1100};
  const std::vector<double> coolant = {80, 82, 81, 79};
  const std::array<std::span<const double>, 2> series = {rpm, coolant};
  std::vector<float> out(4, -1.0f);
  ex.extract(series, out);
  EXPECT_EQ(out[0], 80.5f);
  EXPECT_EQ(out[1], 1200.5f);
  EXPECT_EQ(out[2], 5050.5f);
  EXPECT_EQ(out[3], 4.0f);

  std::vector<double> all(ex.plan().full_size());
  ex.extract_all(series, all);
  for (std::size_t i = 0; i < selected.size(); ++i) {
    EXPECT_EQ(out[i], static_cast<float>(all[*space.index_of(selected[i])])) << selected[i];
  }
  EXPECT_EQ(all[0], 5050.5);
  EXPECT_TRUE(std::isnan(all[4]));  // a calculator's own NaN stays NaN
}

TEST(PlanExtract, NaNRules) {
  const FeatureSpace space(toy_signals(), kToyCatalogue);
  const std::vector<std::string> selected = {"engine_speed_rpm__odd__attr_\"nan\"", "engine_speed_rpm__median",
                                             "coolant_temp_c__sum_values", "coolant_temp_c__agg__f_agg_\"min\""};
  auto plan = FeaturePlan::compile(space, selected);
  ASSERT_TRUE(plan.has_value());
  Extractor ex(std::move(*plan), 8);
  const std::vector<double> rpm = {800, 900, 1000};
  const std::vector<double> coolant = {80, kNaN, 81};  // a gap in a degraded window
  const std::array<std::span<const double>, 2> series = {rpm, coolant};
  std::vector<float> out(4, 0.0f);
  ex.extract(series, out);
  EXPECT_TRUE(std::isnan(out[0]));   // the calculator's NaN passes through as XGBoost's missing
  EXPECT_EQ(out[1], 900.0f);         // the healthy signal is unaffected
  EXPECT_TRUE(std::isnan(out[2]));   // every feature of the signal with a NaN sample is NaN
  EXPECT_TRUE(std::isnan(out[3]));

  std::vector<double> all(ex.plan().full_size(), 0.0);
  ex.extract_all(series, all);
  for (std::size_t i = 7; i < 14; ++i) EXPECT_TRUE(std::isnan(all[i])) << space.name(i);
  EXPECT_EQ(all[0], 2700.0);

  // An empty series (no samples at all) is missing data too.
  const std::array<std::span<const double>, 2> empty_coolant = {rpm, std::span<const double>()};
  ex.extract(empty_coolant, out);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[1], 900.0f);
}

TEST(PlanExtract, BadShapesGiveAllNaN) {
  const FeatureSpace space(toy_signals(), kToyCatalogue);
  const std::vector<std::string> selected = {"engine_speed_rpm__median", "coolant_temp_c__median"};
  auto plan = FeaturePlan::compile(space, selected);
  ASSERT_TRUE(plan.has_value());
  Extractor ex(std::move(*plan), 3);
  const std::vector<double> ok = {1, 2, 3};
  const std::vector<double> too_long = {1, 2, 3, 4};
  std::vector<float> out(2, 0.0f);
  const std::array<std::span<const double>, 1> one = {ok};
  ex.extract(one, out);  // one series for two signals
  EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[1]));
  const std::array<std::span<const double>, 2> long_series = {ok, too_long};
  std::fill(out.begin(), out.end(), 0.0f);
  ex.extract(long_series, out);  // longer than the workspace was sized for
  EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[1]));
  const std::array<std::span<const double>, 2> good = {ok, ok};
  std::vector<float> short_out(1, 0.0f);
  ex.extract(good, short_out);  // wrong output length
  EXPECT_TRUE(std::isnan(short_out[0]));
  ex.extract(good, out);
  EXPECT_EQ(out[0], 2.0f);
  EXPECT_EQ(out[1], 2.0f);
}

// The real catalogue (whatever is implemented): extract() of every feature equals extract_all() as float.
TEST(PlanExtract, RealCatalogueExtractEqualsExtractAll) {
  const std::vector<std::string> signals = {"engine_speed_rpm", "coolant_temp_c"};
  const FeatureSpace space(signals);
  if (space.size() == 0) GTEST_SKIP() << "no calculators implemented yet";
  std::vector<std::string> every(space.names().begin(), space.names().end());
  std::reverse(every.begin(), every.end());  // input order unrelated to space order
  auto plan = FeaturePlan::compile(space, every);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  Extractor ex(std::move(*plan), 10);
  std::vector<double> a(10);
  std::vector<double> b(10);
  for (std::size_t i = 0; i < 10; ++i) {
    a[i] = 900 + 40.0 * std::sin(0.7 * static_cast<double>(i));
    b[i] = 85 + 0.3 * static_cast<double>(i % 3);
  }
  const std::array<std::span<const double>, 2> series = {a, b};
  std::vector<float> out(every.size());
  std::vector<double> all(space.size());
  ex.extract(series, out);
  ex.extract_all(series, all);
  for (std::size_t i = 0; i < every.size(); ++i) {
    const double want = all[*space.index_of(every[i])];
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(out[i])) << every[i];
    } else {
      EXPECT_EQ(out[i], static_cast<float>(want)) << every[i];
    }
  }
}

TEST(PlanCompile, BySignalNamesUsesTheRealCatalogue) {
  const FeatureSpace space({"engine_speed_rpm"});
  std::vector<std::string> selected;
  if (space.size() > 0) selected.push_back(space.name(space.size() - 1));
  const auto plan = FeaturePlan::compile(std::vector<std::string>{"engine_speed_rpm"}, selected);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->output_count(), selected.size());
  EXPECT_EQ(plan->full_size(), space.size());
  const std::vector<std::string> unknown = {"engine_speed_rpm__not_a_calculator"};
  EXPECT_FALSE(FeaturePlan::compile(std::vector<std::string>{"engine_speed_rpm"}, unknown).has_value());
}

}  // namespace
}  // namespace lc::features
