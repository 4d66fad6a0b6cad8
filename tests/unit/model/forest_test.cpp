// The compiled forest (model/forest.h) must give what XGBoost gives, on the shipped models and on rows made to
// hit every edge a tree walk has (missing values, values exactly on a threshold) - bit for bit, since it adds
// the same floats in the same order and calls the same expf - and must refuse models it
// cannot reproduce with an error naming the file and the reason.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "can/candump.h"
#include "model/bundle.h"
#include "model/forest.h"
#include "model/xgb.h"
#include "signals/engine_signals.h"
#include "sim/simulator.h"
#include "util/file.h"
#include "window/frame_pipeline.h"

namespace lc::model {
namespace {

const std::string kDefaultModel = std::string(LC_TEST_DATA_DIR) + "/../../models/default";
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Largest absolute difference between the two engines over `rows` rows of x.
float max_difference(const Forest& forest, const Booster& booster, const std::vector<float>& x, std::size_t rows) {
  const std::size_t nf = forest.num_features(), k = forest.num_classes();
  auto ref = booster.predict_rows(x, rows);
  EXPECT_TRUE(ref) << ref.error().message;
  if (!ref) return INFINITY;
  std::vector<float> out(k);
  float worst = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    forest.predict(x.data() + r * nf, out);
    for (std::size_t c = 0; c < k; ++c) worst = std::max(worst, std::fabs(out[c] - (*ref)[r * k + c]));
  }
  return worst;
}

// Every threshold each feature is split on, read from the JSON independently of the forest's reader.
std::vector<std::vector<float>> thresholds_by_feature(const nlohmann::json& model, std::size_t features) {
  std::vector<std::vector<float>> out(features);
  for (const auto& tree : model["learner"]["gradient_booster"]["model"]["trees"]) {
    const auto& left = tree["left_children"];
    for (std::size_t i = 0; i < left.size(); ++i)
      if (left[i].get<int>() != -1)
        out[tree["split_indices"][i].get<std::size_t>()].push_back(tree["split_conditions"][i].get<float>());
  }
  return out;
}

class ShippedModels : public ::testing::TestWithParam<int> {};

// Each shipped position model: the forest and XGBoost agree on real windows' features, on random rows with
// missing values, and on rows whose values sit exactly on split thresholds (where `<` versus `<=` matters).
TEST_P(ShippedModels, ForestEqualsXgboost) {
  const std::string path = kDefaultModel + "/position_" + std::to_string(GetParam()) + ".json";
  auto json = read_file(path);
  ASSERT_TRUE(json) << json.error().message;
  auto forest = Forest::from_xgboost_json(*json, path);
  ASSERT_TRUE(forest) << forest.error().message;
  auto booster = Booster::from_json(*json, path);
  ASSERT_TRUE(booster) << booster.error().message;
  ASSERT_EQ(forest->num_features(), booster->num_features());
  ASSERT_EQ(forest->num_classes(), booster->num_classes());
  EXPECT_EQ(static_cast<int>(forest->num_trees()), booster->boosted_rounds() * static_cast<int>(forest->num_classes()));
  const std::size_t nf = forest->num_features();

  // Real windows: features of a simulated 10 minutes, as the scorer computes them.
  auto manifest_text = read_file(kDefaultModel + "/manifest.json");
  ASSERT_TRUE(manifest_text);
  auto manifest = parse_manifest(*manifest_text, "manifest.json");
  ASSERT_TRUE(manifest);
  std::vector<std::string> signals(manifest->signals);
  auto plan = features::FeaturePlan::compile(signals, manifest->features);
  ASSERT_TRUE(plan);
  features::Extractor extractor(std::move(*plan), manifest->window_points);
  const std::string prefix = ::testing::TempDir() + "forest_test_" + std::to_string(GetParam());
  sim::SimOptions o;
  o.minutes = 10;
  o.seed = 77;
  ASSERT_TRUE(sim::simulate_to_files(o, prefix));
  std::vector<float> x;
  std::vector<float> row(nf);
  auto decode = default_decode_plan(manifest->source_address);
  ASSERT_TRUE(decode);
  FramePipeline pipe(std::move(*decode), manifest->front_end(), [&](const Window& w) {
    extractor.extract(std::span<const std::span<const double>>(w.series.data(), w.series.size()), row);
    x.insert(x.end(), row.begin(), row.end());
  });
  ASSERT_TRUE(can::read_candump_file(prefix + ".log", [&](const can::Frame& f) { pipe.push(f); }));
  pipe.finish();
  const std::size_t windows = x.size() / nf;
  ASSERT_GT(windows, 100u);
  EXPECT_LE(max_difference(*forest, *booster, x, windows), 0.0f) << "real windows";

  // Random rows around the real ones, a fifth of the values missing.
  std::mt19937 rng(5);
  std::vector<float> y;
  for (std::size_t r = 0; r < 500; ++r)
    for (std::size_t f = 0; f < nf; ++f) {
      const float base = x[(rng() % windows) * nf + f];
      y.push_back(rng() % 5 == 0 ? kNaN : base * (0.5f + static_cast<float>(rng() % 1000) / 1000.0f));
    }
  EXPECT_LE(max_difference(*forest, *booster, y, 500), 0.0f) << "random rows with missing values";

  // Values exactly on thresholds, and the floats just below and above them.
  const auto thr = thresholds_by_feature(nlohmann::json::parse(*json), nf);
  std::vector<float> z;
  for (std::size_t r = 0; r < 300; ++r)
    for (std::size_t f = 0; f < nf; ++f) {
      if (thr[f].empty()) {
        z.push_back(x[(rng() % windows) * nf + f]);
        continue;
      }
      float v = thr[f][rng() % thr[f].size()];
      if (r % 3 == 1) v = std::nextafter(v, -INFINITY);
      if (r % 3 == 2) v = std::nextafter(v, INFINITY);
      z.push_back(v);
    }
  EXPECT_LE(max_difference(*forest, *booster, z, 300), 0.0f) << "values on thresholds";
}

INSTANTIATE_TEST_SUITE_P(Default, ShippedModels, ::testing::Values(0, 1, 2));

// A two-class model small enough to work out by hand: one tree per class.
//   class 0: feature 1 < 2.5 (missing -> right) ? leaf 0.5 : leaf -0.25
//   class 1: feature 0 < 10  (missing -> left)  ? leaf 1.0 : leaf 0.0
std::string tiny_model(const std::string& objective = "multi:softprob", const std::string& booster = "gbtree",
                       const std::string& split_type = "[0, 0, 0]", const std::string& tree_info = "[0, 1]",
                       const std::string& left1 = "[1, -1, -1]") {
  return R"({"learner": {"attributes": {}, "feature_names": [], "feature_types": [],
  "gradient_booster": {"model": {"gbtree_model_param": {"num_parallel_tree": "1", "num_trees": "2"},
    "tree_info": )" + tree_info + R"(,
    "trees": [
      {"base_weights": [0.0, 0.5, -0.25], "categories": [], "categories_nodes": [], "categories_segments": [],
       "categories_sizes": [], "default_left": [0, 0, 0], "id": 0, "left_children": [1, -1, -1],
       "loss_changes": [1.0, 0.0, 0.0], "parents": [2147483647, 0, 0], "right_children": [2, -1, -1],
       "split_conditions": [2.5, 0.5, -0.25], "split_indices": [1, 0, 0], "split_type": )" + split_type + R"(,
       "sum_hessian": [2.0, 1.0, 1.0], "tree_param": {"num_deleted": "0", "num_feature": "2", "num_nodes": "3", "size_leaf_vector": "0"}},
      {"base_weights": [0.0, 1.0, 0.0], "categories": [], "categories_nodes": [], "categories_segments": [],
       "categories_sizes": [], "default_left": [1, 0, 0], "id": 1, "left_children": )" + left1 + R"(,
       "loss_changes": [1.0, 0.0, 0.0], "parents": [2147483647, 0, 0], "right_children": [2, -1, -1],
       "split_conditions": [10.0, 1.0, 0.0], "split_indices": [0, 0, 0], "split_type": [0, 0, 0],
       "sum_hessian": [2.0, 1.0, 1.0], "tree_param": {"num_deleted": "0", "num_feature": "2", "num_nodes": "3", "size_leaf_vector": "0"}}
    ]}, "name": ")" + booster + R"("},
  "learner_model_param": {"base_score": "5E-1", "boost_from_average": "1", "num_class": "2", "num_feature": "2", "num_target": "1"},
  "objective": {"name": ")" + objective + R"(", "softmax_multiclass_param": {"num_class": "2"}}},
  "version": [1, 7, 4]})";
}

std::vector<float> predict(const Forest& f, std::vector<float> row) {
  std::vector<float> out(f.num_classes());
  f.predict(row.data(), out);
  return out;
}

// p(class 1) for margins m0, m1 (base score 0.5 added to both cancels in the softmax).
float p1(double m0, double m1) { return static_cast<float>(std::exp(m1) / (std::exp(m0) + std::exp(m1))); }

TEST(Forest, TinyModelByHand) {
  auto f = Forest::from_xgboost_json(tiny_model(), "tiny.json");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->num_trees(), 2u);
  EXPECT_EQ(f->max_depth(), 1);
  EXPECT_NEAR(predict(*f, {5, 1})[1], p1(0.5, 1.0), 1e-6);       // both left
  EXPECT_NEAR(predict(*f, {5, 2.5f})[1], p1(-0.25, 1.0), 1e-6);  // on the threshold goes right
  EXPECT_NEAR(predict(*f, {10, 0})[1], p1(0.5, 0.0), 1e-6);      // on the threshold goes right
  EXPECT_NEAR(predict(*f, {kNaN, kNaN})[1], p1(-0.25, 1.0), 1e-6);  // missing: tree 0 right, tree 1 left
  const auto p = predict(*f, {1, 1});
  EXPECT_NEAR(p[0] + p[1], 1.0f, 1e-6);
  // And XGBoost agrees on the hand-made model.
  auto b = Booster::from_json(tiny_model(), "tiny.json");
  ASSERT_TRUE(b) << b.error().message;
  const std::vector<float> rows = {5, 1, 5, 2.5f, 10, 0, kNaN, kNaN, 9.999f, 2.4999f};
  EXPECT_LE(max_difference(*f, *b, rows, 5), 1e-6f);
}

void expect_refused(const std::string& json, const std::string& needle) {
  auto f = Forest::from_xgboost_json(json, "bad_model.json");
  ASSERT_FALSE(f) << "accepted a model it must refuse (" << needle << ")";
  EXPECT_EQ(f.error().exit_code(), 2);
  EXPECT_NE(f.error().message.find("bad_model.json"), std::string::npos) << f.error().message;
  EXPECT_NE(f.error().message.find(needle), std::string::npos) << f.error().message;
}

TEST(Forest, RefusesWhatItCannotReproduce) {
  expect_refused(tiny_model("binary:logistic"), "binary:logistic");
  expect_refused(tiny_model("multi:softprob", "dart"), "dart");
  expect_refused(tiny_model("multi:softprob", "gbtree", "[1, 0, 0]"), "categorical");
  expect_refused(tiny_model("multi:softprob", "gbtree", "[0, 0, 0]", "[0]"), "tree_info");
  expect_refused(tiny_model("multi:softprob", "gbtree", "[0, 0, 0]", "[0, 2]"), "tree_info[1]");
  expect_refused(tiny_model("multi:softprob", "gbtree", "[0, 0, 0]", "[0, 1]", "[5, -1, -1]"), "out of range");
  expect_refused(tiny_model("multi:softprob", "gbtree", "[0, 0, 0]", "[0, 1]", "[0, -1, -1]"), "twice");
  expect_refused(tiny_model("multi:softprob", "gbtree", "[0, 0, 0]", "[0, 1]", "[1, -1]"), "differ in length");
  const std::string good = tiny_model();
  expect_refused(good.substr(0, good.size() / 2), "not valid JSON");
  expect_refused("", "not valid JSON");
  expect_refused(good + " {}", "not valid JSON");
  expect_refused(good.substr(0, 40) + std::string(1, '\0') + good.substr(40), "NUL");
  expect_refused("{\"learner\": 3}", "objective");
  std::string vec = good;
  vec.replace(vec.find("\"size_leaf_vector\": \"0\"}"), 24, "\"size_leaf_vector\": \"3\"}");
  expect_refused(vec, "vector leaves");
  std::string wide = good;
  wide.replace(wide.find("\"split_indices\": [1, 0, 0]"), 26, "\"split_indices\": [7, 0, 0]");
  expect_refused(wide, "feature 7");
}

// The bundle loads the forest engine by default and the XGBoost engine on request; both score the same.
TEST(Forest, BundleEnginesAgree) {
  auto a = ModelBundle::load(kDefaultModel);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->engine(), Engine::forest);
  EXPECT_TRUE(a->boosters().empty());
  auto b = ModelBundle::load(kDefaultModel, Engine::xgboost);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->model_count(), a->model_count());
  auto sa = WindowScorer::create(std::move(*a));
  auto sb = WindowScorer::create(std::move(*b));
  ASSERT_TRUE(sa && sb);
  std::array<std::vector<double>, kSignalCount> data;
  std::mt19937 rng(3);
  const double base[kSignalCount] = {1400, 60, 50, 90, 8, 27.5, 85, 180, 350, 400};
  Window w;
  for (int trial = 0; trial < 20; ++trial) {
    for (std::size_t s = 0; s < kSignalCount; ++s) {
      data[s].resize((*sa)->bundle().manifest().window_points);
      for (auto& v : data[s]) v = base[s] * (0.7 + 0.6 * static_cast<double>(rng() % 1000) / 1000.0);
      w.series[s] = data[s];
    }
    ASSERT_TRUE((*sa)->score(w));
    ASSERT_TRUE((*sb)->score(w));
    for (std::size_t c = 0; c < (*sa)->class_count(); ++c) {
      EXPECT_EQ((*sa)->probabilities()[c], (*sb)->probabilities()[c]) << "class " << c;
      EXPECT_EQ((*sa)->positions()[c], (*sb)->positions()[c]) << "class " << c;
    }
  }
  EXPECT_EQ(parse_engine("forest"), Engine::forest);
  EXPECT_EQ(parse_engine("xgboost"), Engine::xgboost);
  EXPECT_FALSE(parse_engine("lightgbm"));
}

}  // namespace
}  // namespace lc::model
