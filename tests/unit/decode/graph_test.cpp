#include "decode/graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "decode_test_util.h"

namespace lc::decode {
namespace {

TEST(TransitionGraph, ReferenceClassesFollowTheWorkCycle) {
  const auto g = testing::graph_up_to(1);
  ASSERT_EQ(g.size(), 9);
  const int e_nt = g.index_of("EMPTY_NO_TRANSITION");
  const int e_l = g.index_of("EMPTY_TO_LOADING");
  const int l_nt = g.index_of("LOADING_NO_TRANSITION");
  const int l_e = g.index_of("LOADING_TO_EMPTY");
  const int u_e = g.index_of("UNLOADING_TO_EMPTY");
  ASSERT_GE(std::min({e_nt, e_l, l_nt, l_e, u_e}), 0);
  EXPECT_TRUE(g.allowed(e_nt, e_nt));
  EXPECT_TRUE(g.allowed(e_nt, e_l));
  EXPECT_TRUE(g.allowed(e_l, l_nt));
  EXPECT_TRUE(g.allowed(l_e, e_l));  // a new dig right after an abandoned one
  EXPECT_TRUE(g.allowed(u_e, e_nt));
  EXPECT_FALSE(g.allowed(e_nt, l_nt));  // EMPTY cannot become LOADING between windows without a change
  EXPECT_FALSE(g.allowed(e_l, e_l));    // two loads back to back need a LOADING window or a LOADING_TO_EMPTY
  EXPECT_FALSE(g.allowed(-1, 0));
  EXPECT_FALSE(g.allowed(0, 9));
  EXPECT_EQ(g.index_of("NOPE"), -1);
  for (int k = 0; k < g.size(); ++k) EXPECT_TRUE(g.may_start(k));
}

TEST(TransitionGraph, MaskAndPredecessorsAgreeWithTheClassPaths) {
  for (int changes = 1; changes <= 3; ++changes) {
    const auto classes = classes_up_to(changes);
    const auto g = TransitionGraph::from_classes(classes).value();
    ASSERT_EQ(g.size(), static_cast<int>(classes.size()));
    for (int b = 0; b < g.size(); ++b) {
      std::vector<int> expect;
      for (int a = 0; a < g.size(); ++a) {
        const bool want = classes[static_cast<std::size_t>(b)].first() == classes[static_cast<std::size_t>(a)].last();
        EXPECT_EQ(g.allowed(a, b), want) << g.name(a) << " -> " << g.name(b);
        if (want) expect.push_back(a);
      }
      const auto pred = g.predecessors(b);
      EXPECT_EQ(std::vector<int>(pred.begin(), pred.end()), expect);
    }
  }
}

TEST(TransitionGraph, EdgeListRoundTripsThroughNames) {
  const auto g = testing::graph_up_to(2);
  std::vector<std::pair<std::string, std::string>> named;
  for (const Edge& e : g.edges()) named.emplace_back(g.name(e.from), g.name(e.to));
  const auto h = TransitionGraph::from_edges(g.names(), named);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->names(), g.names());
  EXPECT_EQ(h->edges(), g.edges());
}

TEST(TransitionGraph, MoreThan64ClassesUseSeveralMaskWords) {
  std::vector<std::string> names;
  std::vector<Edge> edges;
  for (int i = 0; i < 130; ++i) {
    names.push_back("C" + std::to_string(i));
    edges.push_back({i, (i * 7 + 3) % 130});
  }
  const auto g = TransitionGraph::from_edges(names, edges).value();
  for (int a = 0; a < 130; ++a)
    for (int b = 0; b < 130; ++b) EXPECT_EQ(g.allowed(a, b), b == (a * 7 + 3) % 130);
}

// Step masks (one window's blocked edges) with more than 64 classes: each bit lands in its own row and word.
TEST(StepMask, BlocksExactlyTheEdgesSetAcrossSeveralWords) {
  constexpr int k = 130;
  const std::size_t words = step_mask_words(k);
  ASSERT_EQ(words, 3u);
  std::vector<std::uint64_t> mask(k * words, 0);
  const std::vector<std::pair<int, int>> set = {{0, 0}, {3, 66}, {129, 129}, {64, 63}, {70, 128}};
  for (const auto& [b, a] : set) step_block(mask, words, b, a);
  for (int b = 0; b < k; ++b)
    for (int a = 0; a < k; ++a)
      EXPECT_EQ(step_blocked(mask, words, b, a), std::find(set.begin(), set.end(), std::make_pair(b, a)) != set.end())
          << b << " <- " << a;
  EXPECT_FALSE(step_blocked({}, words, 3, 66)) << "an empty mask blocks nothing";
}

TEST(TransitionGraph, BadInputIsAnErrorNamingTheProblem) {
  const std::vector<std::string> names{"A", "B"};
  const std::vector<std::pair<std::string, std::string>> unknown{{"A", "B"}, {"B", "C"}};
  const auto e1 = TransitionGraph::from_edges(names, unknown);
  ASSERT_FALSE(e1);
  EXPECT_EQ(e1.error().kind, ErrorKind::BadInput);
  EXPECT_NE(e1.error().message.find("edge 1"), std::string::npos) << e1.error().message;
  EXPECT_NE(e1.error().message.find("'C'"), std::string::npos) << e1.error().message;

  const std::vector<Edge> out_of_range{{0, 2}};
  EXPECT_FALSE(TransitionGraph::from_edges(names, out_of_range));
  const std::vector<Edge> none;
  EXPECT_FALSE(TransitionGraph::from_edges({}, none));
  const auto dup = TransitionGraph::from_edges({"A", "A"}, none);
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("duplicate"), std::string::npos);
  EXPECT_FALSE(TransitionGraph::from_edges({"A", ""}, none));
}

TEST(TransitionGraph, StartClasses) {
  auto g = testing::graph_up_to(1);
  const std::vector<std::string> start{"EMPTY_NO_TRANSITION", "EMPTY_TO_LOADING"};
  ASSERT_TRUE(g.set_start_classes(start));
  EXPECT_TRUE(g.start_restricted());
  for (int k = 0; k < g.size(); ++k)
    EXPECT_EQ(g.may_start(k), g.name(k) == start[0] || g.name(k) == start[1]) << g.name(k);

  // A bad set is an error and leaves the graph as it was.
  const std::vector<std::string> bad{"EMPTY_NO_TRANSITION", "FLYING"};
  EXPECT_FALSE(g.set_start_classes(bad));
  const std::vector<int> empty;
  EXPECT_FALSE(g.set_start_classes(empty));
  const std::vector<int> out_of_range{9};
  EXPECT_FALSE(g.set_start_classes(out_of_range));
  EXPECT_TRUE(g.may_start(g.index_of("EMPTY_TO_LOADING")));
  EXPECT_FALSE(g.may_start(g.index_of("LOADED_NO_TRANSITION")));

  g.allow_any_start();
  EXPECT_FALSE(g.start_restricted());
  for (int k = 0; k < g.size(); ++k) EXPECT_TRUE(g.may_start(k));
}

TEST(TransitionGraph, IsPath) {
  const auto g = testing::graph_up_to(1);
  const int e = g.index_of("EMPTY_NO_TRANSITION");
  const int el = g.index_of("EMPTY_TO_LOADING");
  const int l = g.index_of("LOADING_NO_TRANSITION");
  EXPECT_TRUE(g.is_path(std::vector<int>{}));
  EXPECT_TRUE(g.is_path(std::vector<int>{e, e, el, l, l}));
  EXPECT_FALSE(g.is_path(std::vector<int>{e, l}));
  EXPECT_FALSE(g.is_path(std::vector<int>{e, 42}));
}

}  // namespace
}  // namespace lc::decode
