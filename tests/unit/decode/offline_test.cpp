#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "decode/greedy.h"
#include "decode/viterbi.h"
#include "decode_test_util.h"

namespace lc::decode {
namespace {

constexpr std::uint64_t kSeed = 20261122;

TEST(Greedy, ArgmaxPerWindowLowestIndexOnTies) {
  const std::vector<double> p{0.1, 0.7, 0.2,   // -> 1
                              0.4, 0.4, 0.2,   // tie -> 0
                              0.0, 0.0, 0.0};  // all tied -> 0
  const auto g = decode_greedy(p, 3);
  ASSERT_TRUE(g);
  EXPECT_EQ(*g, (std::vector<int>{1, 0, 0}));
  EXPECT_FALSE(decode_greedy(p, 4));
  EXPECT_FALSE(decode_greedy(p, 0));
  EXPECT_EQ(argmax(std::vector<double>{}), -1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(argmax(std::vector<double>{nan, 0.1, nan, 0.3}), 3);
  EXPECT_EQ(argmax(std::vector<double>{0.5, nan}), 0);
}

TEST(Offline, MatchesBruteForceOnSmallRandomTables) {
  std::cout << "[ seed     ] " << kSeed << '\n';
  std::mt19937_64 rng(kSeed);
  for (const int changes : {1, 2}) {
    const auto g = testing::graph_up_to(changes);
    for (int iter = 0; iter < 600; ++iter) {
      const int windows = 1 + iter % 7;
      const bool quantised = iter % 3 == 0;  // exact sums, many exact ties: checks the tie-break rule
      const auto probs =
          quantised ? testing::quantised_table(rng, windows, g.size()) : testing::random_table(rng, windows, g.size());
      for (const auto mode : {PathScore::SumProb, PathScore::SumLogProb}) {
        for (const double floor : {kDefaultProbFloor, 1e-12}) {
          // Ties among quantised values are exact only in SumProb (logs of multiples of 1/8 do not add
          // exactly); the log floor makes exact ties of its own (every clamped window scores the same).
          if (quantised && mode == PathScore::SumLogProb) continue;
          SCOPED_TRACE("seed " + std::to_string(kSeed) + " changes " + std::to_string(changes) + " iter " +
                       std::to_string(iter) + " mode " + std::to_string(static_cast<int>(mode)) + " floor " +
                       std::to_string(floor));
          const auto got = decode_offline(g, probs, {mode, true, floor});
          ASSERT_TRUE(got) << got.error().message;
          const auto want = testing::brute_force(g, probs, mode, floor);
          EXPECT_EQ(got->classes, want.path);
          EXPECT_DOUBLE_EQ(got->score, want.score);
          EXPECT_TRUE(g.is_path(got->classes));
        }
      }
    }
  }
}

// Step masks (a rule that depends on the windows' data, such as the shortest load-to-trip time) remove edges
// for one window: the decoder must then find the best path that avoids them, as enumeration does, and never
// take one of them.
TEST(Offline, StepMasksMatchBruteForceAndAreNeverTaken) {
  constexpr std::uint64_t kMaskSeed = kSeed + 31;
  std::cout << "[ seed     ] " << kMaskSeed << '\n';
  std::mt19937_64 rng(kMaskSeed);
  int blocked_on_greedy_best = 0;
  for (const int changes : {1, 2}) {
    const auto g = testing::graph_up_to(changes);
    const auto k = static_cast<std::size_t>(g.size());
    const std::size_t words = step_mask_words(g.size());
    const auto edges = g.edges();
    for (int iter = 0; iter < 400; ++iter) {
      SCOPED_TRACE("seed " + std::to_string(kMaskSeed) + " changes " + std::to_string(changes) + " iter " + std::to_string(iter));
      const int windows = 1 + iter % 6;
      const auto probs = testing::random_table(rng, windows, g.size());
      std::vector<std::uint64_t> blocked(static_cast<std::size_t>(windows) * k * words, 0);
      for (std::size_t t = 1; t < static_cast<std::size_t>(windows); ++t)
        for (const Edge& e : edges)
          if (rng() % 3 == 0) step_block(std::span<std::uint64_t>(blocked).subspan(t * k * words, k * words), words, e.to, e.from);
      const auto unmasked = decode_offline(g, probs, {}).value();
      const auto got = decode_offline(g, probs, {}, blocked);
      ASSERT_TRUE(got) << got.error().message;
      const auto want = testing::brute_force(g, probs, kDefaultPathScore, kDefaultProbFloor, true, {}, blocked);
      EXPECT_EQ(got->classes, want.path);
      EXPECT_DOUBLE_EQ(got->score, want.score);
      bool unmasked_blocked = false;
      for (std::size_t t = 1; t < got->classes.size(); ++t) {
        const auto step = std::span<const std::uint64_t>(blocked).subspan(t * k * words, k * words);
        EXPECT_FALSE(step_blocked(step, words, got->classes[t], got->classes[t - 1])) << "window " << t;
        unmasked_blocked = unmasked_blocked || step_blocked(step, words, unmasked.classes[t], unmasked.classes[t - 1]);
      }
      blocked_on_greedy_best += unmasked_blocked;
    }
  }
  EXPECT_GT(blocked_on_greedy_best, 100) << "the masks must often block the unmasked best path";
  // A mask table of the wrong size is an error, not a read past its end.
  const auto g = testing::graph_up_to(1);
  const std::vector<double> probs(static_cast<std::size_t>(g.size()) * 2, 0.5);
  const std::vector<std::uint64_t> short_mask(3, 0);
  const auto bad = decode_offline(g, probs, {}, short_mask);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("step-mask"), std::string::npos) << bad.error().message;
}

TEST(Offline, MatchesTheReferenceBellmanFordPort) {
  std::cout << "[ seed     ] " << kSeed + 1 << '\n';
  std::mt19937_64 rng(kSeed + 1);
  const auto classes = classes_up_to(1);
  const auto g = testing::graph_up_to(1);
  for (int iter = 0; iter < 200; ++iter) {
    const int windows = 1 + iter % 40;
    // Half uniform noise, half cycle-like sequences with a noisy classifier.
    const auto probs = iter % 2 == 0 ? testing::random_table(rng, windows, g.size())
                                     : testing::noisy_probs(rng, testing::cycle_labels(rng, windows, 5, 1, classes),
                                                            g.size(), 2.0, 1.0, 0.05);
    for (const auto mode : {PathScore::SumProb, PathScore::SumLogProb}) {
      for (const double floor : {kDefaultProbFloor, 1e-12}) {
        SCOPED_TRACE("seed " + std::to_string(kSeed + 1) + " iter " + std::to_string(iter));
        const auto got = decode_offline(g, probs, {mode, true, floor});
        ASSERT_TRUE(got) << got.error().message;
        const auto want = testing::bellman_ford(g, probs, mode, floor);
        EXPECT_NEAR(got->score, want.score, 1e-9);
        // Bellman-Ford breaks ties its own way; the floor can make exact ties, so compare paths without it.
        if (mode == PathScore::SumProb || floor == 1e-12) {
          EXPECT_EQ(got->classes, want.path);
        }
      }
    }
  }
}

TEST(Offline, CycleLabelsAreValidPaths) {
  // The generator the other tests rely on produces paths of the graph (guards the tests themselves).
  std::cout << "[ seed     ] " << kSeed + 2 << '\n';
  std::mt19937_64 rng(kSeed + 2);
  for (const int changes : {1, 2}) {
    const auto classes = classes_up_to(changes);
    const auto g = testing::graph_up_to(changes);
    const auto labels = testing::cycle_labels(rng, 500, 5, changes, classes);
    for (const int l : labels) ASSERT_GE(l, 0);
    EXPECT_TRUE(g.is_path(labels));
  }
}

TEST(Offline, PerfectProbabilitiesGiveTheTruth) {
  std::cout << "[ seed     ] " << kSeed + 3 << '\n';
  std::mt19937_64 rng(kSeed + 3);
  const auto classes = classes_up_to(2);
  const auto g = testing::graph_up_to(2);
  const auto labels = testing::cycle_labels(rng, 300, 5, 2, classes);
  std::vector<double> probs(labels.size() * classes.size(), 0.0);
  for (std::size_t t = 0; t < labels.size(); ++t) probs[t * classes.size() + static_cast<std::size_t>(labels[t])] = 1.0;
  for (const auto mode : {PathScore::SumProb, PathScore::SumLogProb}) {
    const auto got = decode_offline(g, probs, {mode});
    ASSERT_TRUE(got);
    EXPECT_EQ(got->classes, labels);
  }
}

TEST(Offline, ConstraintBeatsGreedyFlicker) {
  // The model flickers on the middle window between "still empty" and "started loading", then is sure it is
  // loading: greedy says EMPTY_TO_LOADING twice (two loads begun); the best path has one.
  const auto g = testing::graph_up_to(1);
  const int k = g.size();
  const int e = g.index_of("EMPTY_NO_TRANSITION");
  const int el = g.index_of("EMPTY_TO_LOADING");
  const int l = g.index_of("LOADING_NO_TRANSITION");
  std::vector<double> probs(static_cast<std::size_t>(4 * k), 0.0);
  const auto set = [&](int t, int c, double p) { probs[static_cast<std::size_t>(t * k + c)] = p; };
  set(0, e, 0.9), set(0, el, 0.1);
  set(1, el, 0.6), set(1, l, 0.4);
  set(2, el, 0.55), set(2, e, 0.45);
  set(3, l, 0.9), set(3, el, 0.1);
  const auto greedy = decode_greedy(probs, k).value();
  EXPECT_EQ(greedy, (std::vector<int>{e, el, el, l}));
  EXPECT_FALSE(g.is_path(greedy));
  const auto best = decode_offline(g, probs).value();
  EXPECT_TRUE(g.is_path(best.classes));
  EXPECT_EQ(std::count(best.classes.begin(), best.classes.end(), el), 1);
}

TEST(Offline, EmptyTableAndBadSizes) {
  const auto g = testing::graph_up_to(1);
  const auto empty = decode_offline(g, std::vector<double>{});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->classes.empty());
  EXPECT_EQ(empty->score, 0.0);
  const auto bad = decode_offline(g, std::vector<double>(10, 0.1));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::BadInput);
}

TEST(Offline, NoAllowedPathIsAnErrorNotUndefinedBehaviour) {
  // A -> B only: B has no successor, A no predecessor.
  auto g = TransitionGraph::from_edges({"A", "B"}, std::vector<Edge>{{0, 1}}).value();
  const std::vector<double> three(6, 0.5);
  const auto dead = decode_offline(g, three);
  ASSERT_FALSE(dead);
  EXPECT_NE(dead.error().message.find("window 2"), std::string::npos) << dead.error().message;

  ASSERT_TRUE(g.set_start_classes(std::vector<int>{1}));
  const std::vector<double> one{0.9, 0.1};
  const auto ok1 = decode_offline(g, one);
  ASSERT_TRUE(ok1);
  EXPECT_EQ(ok1->classes, std::vector<int>{1});  // the start set overrides the probabilities
  const std::vector<double> two(4, 0.5);
  EXPECT_FALSE(decode_offline(g, two));  // B cannot be followed
  EXPECT_TRUE(decode_offline(g, two, {PathScore::SumProb, /*use_start_classes=*/false}));
  EXPECT_FALSE(decode_offline(g, one, {PathScore::SumLogProb, true, 0.0}));  // a floor of 0 would allow -inf
  EXPECT_FALSE(decode_offline(g, one, {PathScore::SumLogProb, true, std::nan("")}));
  // The oracle agrees that no path exists.
  EXPECT_TRUE(testing::brute_force(g, two, PathScore::SumProb).path.empty());
}

TEST(Offline, StartSetMatchesBruteForce) {
  std::cout << "[ seed     ] " << kSeed + 4 << '\n';
  std::mt19937_64 rng(kSeed + 4);
  auto g = testing::graph_up_to(1);
  ASSERT_TRUE(g.set_start_classes(std::vector<std::string>{"EMPTY_NO_TRANSITION"}));
  for (int iter = 0; iter < 100; ++iter) {
    const auto probs = testing::random_table(rng, 1 + iter % 6, g.size());
    const auto got = decode_offline(g, probs).value();
    EXPECT_EQ(got.classes, testing::brute_force(g, probs, kDefaultPathScore).path) << "seed " << kSeed + 4;
    EXPECT_EQ(got.classes.front(), g.index_of("EMPTY_NO_TRANSITION"));
  }
}

TEST(Offline, SegmentEndScoreMatchesBruteForce) {
  // The path maximises its node scores plus the end score of its last class; DecodedPath::score stays the
  // node scores' sum. End scores from 0 to -20: large ones pull the last windows of the path, and can make the
  // whole path differ from the one without them.
  std::cout << "[ seed     ] " << kSeed + 5 << '\n';
  std::mt19937_64 rng(kSeed + 5);
  int changed = 0;
  for (const int changes : {1, 2}) {
    const auto g = testing::graph_up_to(changes);
    const auto k = static_cast<std::size_t>(g.size());
    for (int iter = 0; iter < 300; ++iter) {
      const int windows = 1 + iter % 6;
      const auto probs = testing::random_table(rng, windows, g.size());
      std::uniform_real_distribution<double> u(-20.0, 0.0);
      std::vector<double> end(k);
      for (auto& e : end) e = iter % 2 ? u(rng) : std::round(u(rng) / 10) * 10;  // ties at 0 and -10 too
      for (const auto mode : {PathScore::SumProb, PathScore::SumLogProb}) {
        SCOPED_TRACE("seed " + std::to_string(kSeed + 5) + " changes " + std::to_string(changes) + " iter " +
                     std::to_string(iter));
        OfflineOptions o{mode};
        o.segment_end_score = end;
        const auto got = decode_offline(g, probs, o);
        ASSERT_TRUE(got) << got.error().message;
        const auto want = testing::brute_force(g, probs, mode, kDefaultProbFloor, true, end);
        EXPECT_EQ(got->classes, want.path);
        EXPECT_DOUBLE_EQ(got->score, path_score(probs, g.size(), got->classes, mode));
        changed += got->classes != decode_offline(g, probs, {mode}).value().classes;
      }
    }
  }
  EXPECT_GT(changed, 100) << "the end scores must change paths for the test to mean anything";
}

TEST(Offline, BadSegmentEndScoreIsAnError) {
  const auto g = testing::graph_up_to(1);
  const std::vector<double> probs(static_cast<std::size_t>(g.size()), 0.1);
  for (const std::vector<double>& end :
       {std::vector<double>(3, 0.0), std::vector<double>(static_cast<std::size_t>(g.size()), 0.5),
        std::vector<double>(static_cast<std::size_t>(g.size()), -std::numeric_limits<double>::infinity()),
        std::vector<double>(static_cast<std::size_t>(g.size()), std::nan(""))}) {
    OfflineOptions o;
    o.segment_end_score = end;
    const auto got = decode_offline(g, probs, o);
    ASSERT_FALSE(got);
    EXPECT_NE(got.error().message.find("segment_end_score"), std::string::npos) << got.error().message;
  }
}

}  // namespace
}  // namespace lc::decode
