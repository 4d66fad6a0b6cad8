// Folding ensemble members into one XGBoost model (model/ensemble.h): the folded model's probabilities are the
// softmax of the members' mean margin, XGBoost scores it as the forest does, and members that cannot be folded
// are refused naming why.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/ensemble.h"
#include "model/forest.h"
#include "model/xgb.h"
#include "util/file.h"

namespace lc::model {
namespace {

const std::string kDefaultModel = std::string(LC_TEST_DATA_DIR) + "/../../models/default";

std::string read(const std::string& f) {
  auto t = read_file(kDefaultModel + "/" + f);
  EXPECT_TRUE(t) << t.error().message;
  return t ? *t : std::string();
}

// Rows of the shipped models' inputs: values around those the features take, a tenth of them missing.
std::vector<std::vector<float>> rows(const Forest& f, std::size_t n) {
  std::mt19937 rng(5);
  std::normal_distribution<float> v(0.0f, 200.0f);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<std::vector<float>> out(n, std::vector<float>(f.num_features()));
  for (auto& r : out)
    for (auto& x : r) x = u(rng) < 0.1f ? std::numeric_limits<float>::quiet_NaN() : v(rng);
  return out;
}

// exp(mean margin) normalised is the normalised geometric mean of the members' probabilities (each member's
// normaliser cancels), so the folded model must give sqrt(pa * pb) / sum.
TEST(MeanMarginModel, GivesTheSoftmaxOfTheMembersMeanMargin) {
  const std::string a = read("position_0.json"), b = read("position_1.json");
  const std::vector<std::string> members = {a, b};
  auto folded = mean_margin_model(members, "folded.json");
  ASSERT_TRUE(folded) << folded.error().message;
  auto fa = Forest::from_xgboost_json(a, "a"), fb = Forest::from_xgboost_json(b, "b");
  auto ff = Forest::from_xgboost_json(*folded, "folded");
  ASSERT_TRUE(fa && fb && ff) << (ff ? "" : ff.error().message);
  EXPECT_EQ(ff->num_trees(), fa->num_trees() + fb->num_trees());
  // Halved leaves written as XGBoost writes floats (shortest digits), not as 17-digit doubles: a bundle's
  // start-up reads and fingerprints every byte of its models.
  EXPECT_LT(static_cast<double>(folded->size()), 1.05 * static_cast<double>(a.size() + b.size()));
  const std::size_t k = fa->num_classes();
  std::vector<float> pa(k), pb(k), pf(k);
  for (const auto& r : rows(*fa, 300)) {
    fa->predict(r.data(), pa);
    fb->predict(r.data(), pb);
    ff->predict(r.data(), pf);
    double sum = 0;
    for (std::size_t c = 0; c < k; ++c) sum += std::sqrt(static_cast<double>(pa[c]) * pb[c]);
    for (std::size_t c = 0; c < k; ++c) {
      const double want = std::sqrt(static_cast<double>(pa[c]) * pb[c]) / sum;
      EXPECT_NEAR(pf[c], want, 2e-6 + 1e-4 * want) << "class " << c;
    }
  }
}

// The folded model is an ordinary XGBoost model: XGBoost loads it and scores it as the forest does, bit for bit.
TEST(MeanMarginModel, XgboostScoresItAsTheForestDoes) {
  const std::vector<std::string> members = {read("position_2.json"), read("position_0.json")};
  auto folded = mean_margin_model(members, "folded.json");
  ASSERT_TRUE(folded) << folded.error().message;
  auto ff = Forest::from_xgboost_json(*folded, "folded");
  ASSERT_TRUE(ff) << ff.error().message;
  auto xb = Booster::from_json(*folded, "folded");
  ASSERT_TRUE(xb) << xb.error().message;
  std::vector<float> row(ff->num_features());
  xb->bind_input(row.data(), row.size());
  const std::size_t k = ff->num_classes();
  std::vector<float> pf(k), px(k);
  for (const auto& r : rows(*ff, 100)) {
    row = r;
    ff->predict(row.data(), pf);
    ASSERT_TRUE(xb->predict_bound(px));
    for (std::size_t c = 0; c < k; ++c) EXPECT_EQ(pf[c], px[c]) << "class " << c;
  }
}

TEST(MeanMarginModel, OneMemberIsReturnedAsItIs) {
  const std::string a = read("position_0.json");
  auto folded = mean_margin_model(std::vector<std::string>{a}, "x.json");
  ASSERT_TRUE(folded);
  EXPECT_TRUE(*folded == a);
}

TEST(MeanMarginModel, RefusesMembersItCannotFoldNamingWhy) {
  const std::string a = read("position_0.json");
  auto refused = [&](const std::string& b, const std::string& what) {
    auto r = mean_margin_model(std::vector<std::string>{a, b}, "out/position_0.json");
    ASSERT_FALSE(r) << what;
    EXPECT_NE(r.error().message.find("out/position_0.json"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(what), std::string::npos) << r.error().message;
  };
  auto edited = [&](auto edit) {
    nlohmann::json j = nlohmann::json::parse(a);
    edit(j);
    return j.dump();
  };
  refused(a.substr(0, a.size() / 2), "member 1 is not valid JSON");
  refused(edited([](auto& j) { j["learner"]["learner_model_param"]["base_score"] = "2.5E-1"; }), "learner_model_param");
  refused(edited([](auto& j) { j["learner"]["objective"]["name"] = "binary:logistic"; }), "multi:softprob");
  refused(edited([](auto& j) { j["learner"]["gradient_booster"]["model"].erase("tree_info"); }), "tree_info");
  refused(edited([](auto& j) { j["learner"]["gradient_booster"]["model"]["trees"][3]["base_weights"].erase(0); }),
          "differ in length");
  EXPECT_FALSE(mean_margin_model(std::vector<std::string>{}, "x.json"));
}

}  // namespace
}  // namespace lc::model
