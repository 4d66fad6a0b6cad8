// CyclePipeline hands the decoders probabilities times the manifest's decoder_class_weights, which can exceed
// 1; the online decoder's dropping of hopeless survivors is exact only if it knows how large they get
// (decode/online.h). Without max_prob set, online differed from offline on 1 % of held-out windows.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

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

}  // namespace
}  // namespace lc::count
