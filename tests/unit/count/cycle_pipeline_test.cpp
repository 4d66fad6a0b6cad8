// CyclePipeline hands the decoders probabilities times the manifest's decoder_class_weights, which can exceed
// 1; the online decoder's dropping of hopeless survivors is exact only if it knows how large they get
// (decode/online.h). Without max_prob set, online differed from offline on 1 % of held-out windows.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "count/cycle_pipeline.h"

namespace lc::count {
namespace {

const std::string kModel = std::string(LC_TEST_DATA_DIR) + "/../../models/default";

TEST(CyclePipeline, OnlineDecoderKnowsTheLargestWeightedProbability) {
  auto bundle = model::ModelBundle::load(kModel);
  ASSERT_TRUE(bundle) << bundle.error().message;
  const auto& w = bundle->manifest().decoder_class_weights;
  ASSERT_FALSE(w.empty()) << "the shipped model has class weights; this test needs them";
  const double max_w = *std::max_element(w.begin(), w.end());
  ASSERT_GT(max_w, 1.0);
  PathCounterOptions online, offline;
  offline.kind = DecoderKind::Offline;
  auto pipe = CyclePipeline::create(std::move(*bundle), {online, offline});
  ASSERT_TRUE(pipe) << pipe.error().message;
  EXPECT_EQ((*pipe)->counter(0).options().online.max_prob, max_w);
  EXPECT_EQ((*pipe)->counter(1).options().online.max_prob, max_w);
}

TEST(CyclePipeline, DecodersTakeTheBundlesDecodingSettingsUnlessOverridden) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / ("lc_pipeline_decoding_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(kModel, dir, fs::copy_options::recursive);
  nlohmann::json j;
  {
    std::ifstream in(dir / "manifest.json");
    j = nlohmann::json::parse(in);
  }
  j["decoder_prob_floor"] = 0.002;
  j["decoder_min_load_to_trip_s"] = 3.5;
  j["decoder_segment_end_log_prior"] = {{"EMPTY", 0.0}, {"LOADING", -1.0}, {"LOADED", -2.0}, {"UNLOADING", -3.0}};
  std::ofstream(dir / "manifest.json") << j.dump(2);
  auto bundle = model::ModelBundle::load(dir.string());
  ASSERT_TRUE(bundle) << bundle.error().message;
  const auto classes = bundle->classes();
  PathCounterOptions online, offline;
  offline.kind = DecoderKind::Offline;
  offline.prob_floor_override = 0.05;
  offline.min_load_to_trip_override = 0.0;
  auto pipe = CyclePipeline::create(std::move(*bundle), {online, offline});
  ASSERT_TRUE(pipe) << pipe.error().message;
  EXPECT_EQ((*pipe)->counter(0).options().online.prob_floor, 0.002);
  EXPECT_EQ((*pipe)->counter(1).options().online.prob_floor, 0.05);
  EXPECT_EQ((*pipe)->counter(0).options().min_load_to_trip_s, 3.5);
  EXPECT_EQ((*pipe)->counter(1).options().min_load_to_trip_s, 0.0);
  const double by_state[] = {0.0, -1.0, -2.0, -3.0};
  for (std::size_t d = 0; d < 2; ++d) {
    const auto& e = (*pipe)->counter(d).options().online.segment_end_score;
    ASSERT_EQ(e.size(), classes.size());
    for (std::size_t c = 0; c < classes.size(); ++c)
      EXPECT_EQ(e[c], by_state[static_cast<int>(classes[c].last())]) << classes[c].name();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lc::count
