// Sum of probabilities or sum of log-probabilities? A constructed case showing how they differ, and a
// seeded experiment on cycle-like sequences measuring what the choice does to event counts (the figures in
// src/decode/README.md come from its output).
#include "decode/score.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "decode/greedy.h"
#include "decode/viterbi.h"
#include "decode_test_util.h"

namespace lc::decode {
namespace {

TEST(PathScore, NodeScoresAndTheLogFloor) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(node_score(0.25, PathScore::SumProb), 0.25);
  EXPECT_EQ(node_score(-0.1, PathScore::SumProb), 0.0);
  EXPECT_EQ(node_score(nan, PathScore::SumProb), 0.0);
  EXPECT_DOUBLE_EQ(node_score(0.25, PathScore::SumLogProb), std::log(0.25));
  EXPECT_DOUBLE_EQ(node_score(0.005, PathScore::SumLogProb), std::log(kDefaultProbFloor));
  EXPECT_DOUBLE_EQ(node_score(0.005, PathScore::SumLogProb, 1e-12), std::log(0.005));
  EXPECT_DOUBLE_EQ(node_score(0.0, PathScore::SumLogProb, 1e-12), std::log(1e-12));
  EXPECT_DOUBLE_EQ(node_score(1e-300, PathScore::SumLogProb, 1e-12), std::log(1e-12));
  EXPECT_DOUBLE_EQ(node_score(nan, PathScore::SumLogProb), std::log(kDefaultProbFloor));
  EXPECT_TRUE(std::isfinite(node_score(0.0, PathScore::SumLogProb, 1e-12)));
  EXPECT_TRUE(valid_prob_floor(1.0));
  EXPECT_FALSE(valid_prob_floor(0.0));
  EXPECT_FALSE(valid_prob_floor(nan));
}

TEST(PathScore, AllZeroWindowDoesNotBreakTheLogScore) {
  // A window the model gave 0 for every class: every path is floored there equally, the rest still decides.
  const auto g = testing::graph_up_to(1);
  const auto k = static_cast<std::size_t>(g.size());
  std::vector<double> probs(3 * k, 0.0);
  const int e = g.index_of("EMPTY_NO_TRANSITION");
  probs[static_cast<std::size_t>(e)] = 1.0;
  probs[2 * k + static_cast<std::size_t>(e)] = 1.0;
  const auto got = decode_offline(g, probs, {PathScore::SumLogProb}).value();
  EXPECT_EQ(got.classes, (std::vector<int>{e, e, e}));
  EXPECT_TRUE(std::isfinite(got.score));
}

TEST(PathScore, SumOfProbabilitiesWalksThroughAWindowTheModelRuledOut) {
  // Window 1: the model is sure the loader is no longer idle (EMPTY_NO_TRANSITION has p = 0) and splits
  // between "started loading" and "loading". Window 2 leans back to idle. Summed probabilities take the
  // all-idle path through the p = 0 window (1 + 0 + 0.7 = 1.7 beats 1 + 0.3 + 0.3 = 1.6); summed logs take
  // the path on which every window is plausible (log 0.3 + log 0.3 ~ -2.4 beats log 0.01 + log 0.7 ~ -5.0,
  // and with a floor of 1e-12 beats -28 by far).
  const auto g = testing::graph_up_to(1);
  const int k = g.size();
  const int e = g.index_of("EMPTY_NO_TRANSITION");
  const int el = g.index_of("EMPTY_TO_LOADING");
  const int l = g.index_of("LOADING_NO_TRANSITION");
  std::vector<double> probs(static_cast<std::size_t>(3 * k), 0.0);
  const auto set = [&](int t, int c, double p) { probs[static_cast<std::size_t>(t * k + c)] = p; };
  set(0, e, 1.0);
  set(1, el, 0.3), set(1, l, 0.7);
  set(2, e, 0.7), set(2, l, 0.3);
  const auto by_sum = decode_offline(g, probs, {PathScore::SumProb}).value();
  const auto by_log = decode_offline(g, probs, {PathScore::SumLogProb}).value();
  EXPECT_EQ(by_sum.classes, (std::vector<int>{e, e, e}));
  EXPECT_EQ(by_log.classes, (std::vector<int>{e, el, l}));
  EXPECT_EQ(decode_offline(g, probs, {PathScore::SumLogProb, true, 1e-12}).value().classes, by_log.classes);
  EXPECT_DOUBLE_EQ(by_sum.score, 1.7);
}

// ---- the experiment ------------------------------------------------------------------------------------

struct Regime {
  const char* name;
  double margin, noise, confident_wrong, smear;
};

TEST(PathScore, ExperimentOnCycleLikeSequences) {
  constexpr std::uint64_t kSeed = 99001;
  std::cout << "[ seed     ] " << kSeed << '\n';
  const Regime regimes[] = {
      {"clean", 3.0, 1.0, 0.0, 0.0},
      {"noisy", 1.5, 1.0, 0.0, 0.0},
      {"very noisy", 1.0, 1.2, 0.0, 0.0},
      {"clean, smeared transitions", 3.0, 1.0, 0.0, 0.6},
      {"clean, 5% confidently wrong", 3.0, 1.0, 0.05, 0.0},
      {"noisy, 5% confidently wrong", 1.5, 1.0, 0.05, 0.0},
      {"noisy, smeared, 2% conf. wrong", 1.5, 1.0, 0.02, 0.6},
  };
  struct Decoder {
    const char* name;
    PathScore score;
    double floor;
  };
  const Decoder decoders[] = {
      {"sum p", PathScore::SumProb, kDefaultProbFloor}, {"log, floor 1e-12", PathScore::SumLogProb, 1e-12},
      {"log, floor 1e-3", PathScore::SumLogProb, 1e-3}, {"log, floor 1e-2", PathScore::SumLogProb, 1e-2},
      {"log, floor 1e-1", PathScore::SumLogProb, 1e-1},
  };
  constexpr std::size_t kDecoders = std::size(decoders);
  constexpr int kTolerance = 2;  // windows (10 s), as eval matches events
  for (const int changes : {1, 2}) {
    const auto classes = classes_up_to(changes);
    const auto g = testing::graph_up_to(changes);
    for (const auto& r : regimes) {
      std::mt19937_64 rng(kSeed);
      testing::Score greedy;
      std::array<testing::Score, kDecoders> scores;
      for (int seq = 0; seq < 20; ++seq) {
        const auto labels = testing::cycle_labels(rng, 720, 5, changes, classes);  // 1 h each
        auto probs = testing::noisy_probs(rng, labels, g.size(), r.margin, r.noise, r.confident_wrong);
        testing::smear_transitions(rng, classes, labels, probs, r.smear);
        const auto truth = testing::events_of(classes, labels);
        const auto tally = [&](testing::Score& s, const std::vector<int>& path) {
          const auto ev = testing::events_of(classes, path);
          s.add(truth.load, ev.load, kTolerance);
          s.add(truth.trip, ev.trip, kTolerance);
          s.add(truth.failed, ev.failed, kTolerance);
          s.windows += static_cast<long>(path.size());
          for (std::size_t t = 0; t < path.size(); ++t) s.windows_right += path[t] == labels[t] ? 1 : 0;
        };
        tally(greedy, decode_greedy(probs, g.size()).value());
        for (std::size_t d = 0; d < kDecoders; ++d) {
          const auto path = decode_offline(g, probs, {decoders[d].score, true, decoders[d].floor}).value();
          ASSERT_TRUE(g.is_path(path.classes));
          tally(scores[d], path.classes);
        }
      }
      const auto line = [&](const char* who, const testing::Score& s) {
        std::printf("[ measure  ] K=%-2d %-31s %-16s window acc %.3f  events %ld/%ld  F1 %.3f  |count err| %ld\n",
                    g.size(), r.name, who, static_cast<double>(s.windows_right) / static_cast<double>(s.windows),
                    s.predicted, s.truth, s.f1(), s.abs_count_error);
      };
      line("greedy", greedy);
      for (std::size_t d = 0; d < kDecoders; ++d) line(decoders[d].name, scores[d]);
      // The conclusion README.md draws: the constrained decoders beat greedy, and the default (log, floor
      // 0.01) is never meaningfully worse than summed probabilities (the reference design).
      const testing::Score& sum = scores[0];
      const testing::Score& chosen = scores[3];
      EXPECT_GT(sum.f1(), greedy.f1()) << r.name;
      EXPECT_GE(chosen.f1(), sum.f1() - 0.01) << "K=" << g.size() << " " << r.name;
    }
  }
}

}  // namespace
}  // namespace lc::decode
