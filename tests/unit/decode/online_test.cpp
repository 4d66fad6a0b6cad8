#include "decode/online.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "decode/viterbi.h"
#include "decode_test_util.h"

namespace lc::decode {
namespace {

constexpr std::uint64_t kSeed = 7150001;

struct Run {
  std::vector<Committed> commits;  // in the order they were reported
  OnlineStats stats;
};

// Pushes every window of a T x K table, then finish(); checks on the way that every report is in window
// order and continues where the previous one stopped (so no decision is ever reported twice or changed).
Run run_online(OnlineDecoder& dec, std::span<const double> probs) {
  const auto k = static_cast<std::size_t>(dec.graph().size());
  Run r;
  const auto take = [&] {
    for (const Committed& c : dec.committed()) {
      EXPECT_EQ(c.window, static_cast<std::int64_t>(r.commits.size())) << "commits out of order";
      r.commits.push_back(c);
    }
  };
  for (std::size_t t = 0; t * k < probs.size(); ++t) {
    dec.push(probs.subspan(t * k, k));
    take();
    EXPECT_LE(dec.undecided(), dec.options().max_lag_windows);
    EXPECT_EQ(static_cast<std::int64_t>(r.commits.size()) + dec.undecided(), static_cast<std::int64_t>(t) + 1);
  }
  dec.finish();
  take();
  EXPECT_EQ(dec.undecided(), 0);
  r.stats = dec.stats();
  return r;
}

std::vector<int> classes_of(const std::vector<Committed>& commits) {
  std::vector<int> out;
  for (const auto& c : commits) out.push_back(c.class_index);
  return out;
}

// A table of `windows` windows: cycle-like (long runs of *_NO_TRANSITION, noisy) or uniform noise.
std::vector<double> make_table(std::mt19937_64& rng, int windows, int changes, bool cycle_like) {
  const auto classes = classes_up_to(changes);
  const int k = static_cast<int>(classes.size());
  if (!cycle_like) return testing::random_table(rng, windows, k);
  std::uniform_real_distribution<double> noise(0.5, 2.0);
  return testing::noisy_probs(rng, testing::cycle_labels(rng, windows, 5, changes, classes), k, 2.5, noise(rng), 0.03);
}

TEST(Online, WithoutForcedCommitsEqualsOfflineWindowForWindow) {
  std::cout << "[ seed     ] " << kSeed << '\n';
  std::mt19937_64 rng(kSeed);
  for (const int changes : {1, 2}) {
    const auto g = testing::graph_up_to(changes);
    for (int iter = 0; iter < 120; ++iter) {
      SCOPED_TRACE("seed " + std::to_string(kSeed) + " changes " + std::to_string(changes) + " iter " +
                   std::to_string(iter));
      const int windows = 1 + static_cast<int>(rng() % 400);
      const auto probs = make_table(rng, windows, changes, iter % 4 != 0);
      for (const auto mode : {PathScore::SumProb, PathScore::SumLogProb}) {
        auto dec = OnlineDecoder::create(g, {mode, /*max_lag_windows=*/windows}).value();
        const auto run = run_online(dec, probs);
        EXPECT_EQ(run.stats.forced_commits, 0);
        const auto offline = decode_offline(g, probs, {mode}).value();
        ASSERT_EQ(run.commits.size(), offline.classes.size());
        EXPECT_EQ(classes_of(run.commits), offline.classes);
      }
    }
  }
}

TEST(Online, DroppingHopelessSurvivorsIsExactWithWeightedAndTiedProbabilities) {
  // Class weights above 1 (the pipeline's prior correction) raise what one window can add to a path; with
  // max_prob set to the largest weight, dropping must still give the offline path window for window, on
  // noise, on cycle-like tables and on quantised tables full of exact ties. A margin one window too small
  // fails here.
  constexpr std::uint64_t kDropSeed = kSeed + 11;
  std::cout << "[ seed     ] " << kDropSeed << '\n';
  std::mt19937_64 rng(kDropSeed);
  std::int64_t dropped = 0;
  for (const int changes : {1, 2}) {
    const auto g = testing::graph_up_to(changes);
    const auto k = static_cast<std::size_t>(g.size());
    for (int iter = 0; iter < 90; ++iter) {
      SCOPED_TRACE("seed " + std::to_string(kDropSeed) + " changes " + std::to_string(changes) + " iter " + std::to_string(iter));
      const int windows = 1 + static_cast<int>(rng() % 300);
      auto probs = iter % 3 == 0 ? testing::quantised_table(rng, windows, static_cast<int>(k)) : make_table(rng, windows, changes, iter % 3 == 1);
      std::uniform_real_distribution<double> weight(0.3, 6.0);
      std::vector<double> w(k);
      double max_w = 0.0;
      for (auto& x : w) max_w = std::max(max_w, x = iter % 3 == 0 ? std::round(weight(rng)) : weight(rng));
      for (std::size_t i = 0; i < probs.size(); ++i) probs[i] *= w[i % k];
      for (const auto mode : {PathScore::SumProb, PathScore::SumLogProb}) {
        OnlineOptions o{mode, windows};
        o.max_prob = max_w;
        auto dec = OnlineDecoder::create(g, o).value();
        const auto run = run_online(dec, probs);
        EXPECT_EQ(run.stats.forced_commits, 0);
        EXPECT_EQ(classes_of(run.commits), decode_offline(g, probs, {mode}).value().classes);
        dropped += run.stats.dropped;
      }
    }
  }
  EXPECT_GT(dropped, 1000) << "the test must exercise dropping";
  std::cout << "[ measure  ] survivors dropped: " << dropped << '\n';
}

// Step masks may block only OnlineOptions::blockable edges, and dropping then bounds what the best survivor can
// copy without them. With random blockable sets and masks that block each of them half the time, dropping on
// and no forced commit, the online path must equal the offline path given the same masks, window for window. A
// bound computed on the whole graph (paths through blocked edges) fails here.
TEST(Online, StepMasksKeepDroppingExact) {
  constexpr std::uint64_t kMaskSeed = kSeed + 37;
  std::cout << "[ seed     ] " << kMaskSeed << '\n';
  std::mt19937_64 rng(kMaskSeed);
  std::int64_t dropped = 0;
  for (const int changes : {1, 2}) {
    const auto g = testing::graph_up_to(changes);
    const auto k = static_cast<std::size_t>(g.size());
    const std::size_t words = step_mask_words(g.size());
    for (int iter = 0; iter < 120; ++iter) {
      SCOPED_TRACE("seed " + std::to_string(kMaskSeed) + " changes " + std::to_string(changes) + " iter " + std::to_string(iter));
      const int windows = 1 + static_cast<int>(rng() % 300);
      const auto probs = make_table(rng, windows, changes, iter % 2 == 0);
      OnlineOptions o{kDefaultPathScore, windows};
      for (const Edge& e : g.edges())
        if (rng() % 4 == 0) o.blockable.push_back(e);
      std::vector<std::uint64_t> blocked(static_cast<std::size_t>(windows) * k * words, 0);
      for (std::size_t t = 1; t < static_cast<std::size_t>(windows); ++t)
        for (const Edge& e : o.blockable)
          if (rng() % 2 == 0) step_block(std::span<std::uint64_t>(blocked).subspan(t * k * words, k * words), words, e.to, e.from);
      auto dec = OnlineDecoder::create(g, o).value();
      std::vector<int> online;
      for (std::size_t t = 0; t < static_cast<std::size_t>(windows); ++t) {
        dec.push(std::span<const double>(probs).subspan(t * k, k), std::span<const std::uint64_t>(blocked).subspan(t * k * words, k * words));
        for (const auto& c : dec.committed()) online.push_back(c.class_index);
      }
      dec.finish();
      for (const auto& c : dec.committed()) online.push_back(c.class_index);
      EXPECT_EQ(dec.stats().forced_commits, 0);
      EXPECT_EQ(online, decode_offline(g, probs, {}, blocked).value().classes);
      dropped += dec.stats().dropped;
    }
  }
  EXPECT_GT(dropped, 1000) << "the test must exercise dropping";
}

TEST(Online, DroppingHopelessSurvivorsCommitsSoonerOnCycleLikeData) {
  // The point of dropping: the same decisions, earlier. Measured as the mean number of windows pushed after a
  // window before it is committed, with and without dropping, on the same cycle-like tables.
  constexpr std::uint64_t kLagSeed = kSeed + 12;
  std::cout << "[ seed     ] " << kLagSeed << '\n';
  for (const int changes : {1, 2}) {
    const auto g = testing::graph_up_to(changes);
    std::mt19937_64 rng(kLagSeed);
    std::int64_t lag_with = 0, lag_without = 0, commits = 0;
    for (int iter = 0; iter < 20; ++iter) {
      const auto probs = make_table(rng, 720, changes, true);
      OnlineOptions with{kDefaultPathScore, 100}, without{kDefaultPathScore, 100};
      without.drop_hopeless = false;
      auto a = OnlineDecoder::create(g, with).value();
      auto b = OnlineDecoder::create(g, without).value();
      const auto ra = run_online(a, probs);
      const auto rb = run_online(b, probs);
      ASSERT_EQ(classes_of(ra.commits), classes_of(rb.commits));
      EXPECT_EQ(rb.stats.dropped, 0);
      lag_with += ra.stats.commit_lag_sum;
      lag_without += rb.stats.commit_lag_sum;
      commits += ra.stats.committed;
    }
    const double mean_with = static_cast<double>(lag_with) / static_cast<double>(commits);
    const double mean_without = static_cast<double>(lag_without) / static_cast<double>(commits);
    std::printf("[ measure  ] K=%-2d mean windows from push to commit: %.2f with dropping, %.2f without\n", g.size(),
                mean_with, mean_without);
    EXPECT_LT(mean_with, mean_without * 0.9) << "K=" << g.size();
  }
}

TEST(Online, ProbabilitiesAboveMaxProbCountAsMaxProb) {
  // The bound behind dropping holds only if no window adds more than node_score(max_prob); larger values are
  // clamped, so the decoder equals the offline decoder on the clamped table.
  std::mt19937_64 rng(kSeed + 13);
  const auto g = testing::graph_up_to(2);
  const auto k = static_cast<std::size_t>(g.size());
  auto probs = make_table(rng, 300, 2, true);
  for (auto& p : probs) p *= 4.0;  // up to 4, max_prob stays 1
  auto clamped = probs;
  for (auto& p : clamped) p = std::min(p, 1.0);
  auto dec = OnlineDecoder::create(g, {kDefaultPathScore, 300}).value();
  const auto run = run_online(dec, probs);
  EXPECT_EQ(classes_of(run.commits), decode_offline(g, clamped).value().classes);
  (void)k;
}

TEST(Online, PathsMergeLongBeforeTheLagOnCycleLikeData) {
  // On cycle-like data survivors merge within a few windows; a lag of 50 windows is then never reached and
  // the online result is exact. Also reports how far behind the online decoder runs.
  std::cout << "[ seed     ] " << kSeed + 1 << '\n';
  std::mt19937_64 rng(kSeed + 1);
  const auto g = testing::graph_up_to(1);
  int worst = 0;
  for (int iter = 0; iter < 30; ++iter) {
    const auto probs = make_table(rng, 2000, 1, true);
    auto dec = OnlineDecoder::create(g, {kDefaultPathScore, 50}).value();
    const auto run = run_online(dec, probs);
    EXPECT_EQ(run.stats.forced_commits, 0) << "seed " << kSeed + 1 << " iter " << iter;
    EXPECT_EQ(classes_of(run.commits), decode_offline(g, probs).value().classes);
    worst = std::max(worst, run.stats.max_undecided);
  }
  std::cout << "[ measure  ] largest number of undecided windows over 30 x 2000 cycle-like windows: " << worst << '\n';
}

TEST(Online, SmallLagForcesCommitsAndStillGivesAValidPath) {
  std::cout << "[ seed     ] " << kSeed + 2 << '\n';
  std::mt19937_64 rng(kSeed + 2);
  std::int64_t forced_total = 0;
  for (const int changes : {1, 2}) {
    const auto g = testing::graph_up_to(changes);
    for (const int lag : {0, 1, 2, 3, 6}) {
      for (int iter = 0; iter < 40; ++iter) {
        SCOPED_TRACE("seed " + std::to_string(kSeed + 2) + " changes " + std::to_string(changes) + " lag " +
                     std::to_string(lag) + " iter " + std::to_string(iter));
        const auto probs = make_table(rng, 300, changes, iter % 2 == 0);
        for (const auto mode : {PathScore::SumProb, PathScore::SumLogProb}) {
          auto dec = OnlineDecoder::create(g, {mode, lag}).value();
          const auto run = run_online(dec, probs);
          const auto path = classes_of(run.commits);
          ASSERT_EQ(path.size(), 300U);
          EXPECT_TRUE(run.commits.front().segment_start);
          EXPECT_EQ(
              std::count_if(run.commits.begin(), run.commits.end(), [](const Committed& c) { return c.segment_start; }),
              1);
          EXPECT_TRUE(g.is_path(path));
          std::int64_t forced = 0;
          for (const auto& c : run.commits) forced += c.forced ? 1 : 0;
          EXPECT_EQ(run.stats.forced_commits, forced);
          EXPECT_EQ(run.stats.committed, 300);
          EXPECT_EQ(run.stats.segments, 1);
          // Never better than the exact path; a forced commit can only cost score.
          const auto offline = decode_offline(g, probs, {mode}).value();
          EXPECT_LE(path_score(probs, g.size(), path, mode), offline.score + 1e-9);
          if (forced == 0) {
            EXPECT_EQ(path, offline.classes);
          }
          forced_total += forced;
        }
      }
    }
  }
  EXPECT_GT(forced_total, 0) << "the small lags should have forced some commits";
  std::cout << "[ measure  ] forced commits over all small-lag runs: " << forced_total << '\n';
}

TEST(Online, WhatTheLagCostsOnCycleLikeData) {
  // Event accuracy of the online decoder against the offline one on cycle-like data (noisy classifier,
  // transitions smeared onto neighbouring windows, a few confidently wrong windows), per max lag.
  constexpr std::uint64_t kLagSeed = kSeed + 6;
  std::cout << "[ seed     ] " << kLagSeed << '\n';
  for (const int changes : {1, 2}) {
    const auto classes = classes_up_to(changes);
    const auto g = testing::graph_up_to(changes);
    const auto k = static_cast<std::size_t>(g.size());
    const std::vector<int> lags{1, 2, 4, 6, 12, 24};
    std::vector<testing::Score> online(lags.size());
    std::vector<std::int64_t> forced(lags.size(), 0);
    testing::Score offline;
    std::mt19937_64 rng(kLagSeed);
    long windows = 0;
    for (int seq = 0; seq < 10; ++seq) {
      const auto labels = testing::cycle_labels(rng, 720, 5, changes, classes);
      auto probs = testing::noisy_probs(rng, labels, g.size(), 1.5, 1.0, 0.02);
      testing::smear_transitions(rng, classes, labels, probs, 0.6);
      const auto truth = testing::events_of(classes, labels);
      const auto tally = [&](testing::Score& s, const std::vector<int>& path) {
        const auto ev = testing::events_of(classes, path);
        s.add(truth.load, ev.load, 2);
        s.add(truth.trip, ev.trip, 2);
        s.add(truth.failed, ev.failed, 2);
      };
      tally(offline, decode_offline(g, probs).value().classes);
      windows += static_cast<long>(labels.size());
      for (std::size_t i = 0; i < lags.size(); ++i) {
        auto dec = OnlineDecoder::create(g, {kDefaultPathScore, lags[i]}).value();
        std::vector<int> path;
        for (std::size_t t = 0; t < labels.size(); ++t) {
          dec.push(std::span<const double>(probs).subspan(t * k, k));
          for (const auto& c : dec.committed()) path.push_back(c.class_index);
        }
        dec.finish();
        for (const auto& c : dec.committed()) path.push_back(c.class_index);
        ASSERT_TRUE(g.is_path(path));
        forced[i] += dec.stats().forced_commits;
        tally(online[i], path);
      }
    }
    std::printf("[ measure  ] K=%-2d offline            F1 %.3f  events %ld/%ld\n", g.size(), offline.f1(),
                offline.predicted, offline.truth);
    for (std::size_t i = 0; i < lags.size(); ++i)
      std::printf("[ measure  ] K=%-2d online, lag %-2d     F1 %.3f  events %ld/%ld  forced %.2f%% of windows\n",
                  g.size(), lags[i], online[i].f1(), online[i].predicted, online[i].truth,
                  100.0 * static_cast<double>(forced[i]) / static_cast<double>(windows));
    // The default lag (6 windows = 30 s) must stay close to the exact decoder.
    const auto at6 = static_cast<std::size_t>(std::find(lags.begin(), lags.end(), 6) - lags.begin());
    EXPECT_GE(online[at6].f1(), offline.f1() - 0.02) << "K=" << g.size();
  }
}

TEST(Online, FirstForcedCommitFollowsTheBestPathSoFar) {
  // Before any forced commit the survivors are the exact ones, so the first forced decision is the class the
  // exact best path over the windows seen so far gives the oldest undecided window.
  std::cout << "[ seed     ] " << kSeed + 3 << '\n';
  std::mt19937_64 rng(kSeed + 3);
  const auto g = testing::graph_up_to(1);
  const auto k = static_cast<std::size_t>(g.size());
  int checked = 0;
  for (int iter = 0; iter < 60; ++iter) {
    const auto probs = make_table(rng, 200, 1, iter % 2 == 0);
    auto dec = OnlineDecoder::create(g, {kDefaultPathScore, 2}).value();
    for (std::size_t t = 0; t < 200; ++t) {
      dec.push(std::span<const double>(probs).subspan(t * k, k));
      const auto c = dec.committed();
      const auto it = std::find_if(c.begin(), c.end(), [](const Committed& x) { return x.forced; });
      if (it == c.end()) continue;
      const auto prefix = decode_offline(g, std::span<const double>(probs).first((t + 1) * k)).value();
      EXPECT_EQ(it->class_index, prefix.classes[static_cast<std::size_t>(it->window)])
          << "seed " << kSeed + 3 << " iter " << iter << " window " << it->window;
      ++checked;
      break;
    }
  }
  EXPECT_GT(checked, 10);
}

TEST(Online, EndSegmentCommitsAndLetsTheNextWindowStartAnywhere) {
  std::cout << "[ seed     ] " << kSeed + 4 << '\n';
  std::mt19937_64 rng(kSeed + 4);
  auto g = testing::graph_up_to(1);
  ASSERT_TRUE(g.set_start_classes(std::vector<std::string>{"EMPTY_NO_TRANSITION"}));
  const auto k = static_cast<std::size_t>(g.size());
  auto dec = OnlineDecoder::create(g, {kDefaultPathScore, 1000}).value();
  std::vector<Committed> all;
  std::vector<std::vector<double>> segments;
  for (int s = 0; s < 4; ++s) {
    segments.push_back(make_table(rng, 20 + s * 7, 1, true));
    for (std::size_t t = 0; t * k < segments.back().size(); ++t) {
      dec.push(std::span<const double>(segments.back()).subspan(t * k, k));
      for (const auto& c : dec.committed()) all.push_back(c);
    }
    dec.end_segment();
    for (const auto& c : dec.committed()) all.push_back(c);
    EXPECT_EQ(dec.undecided(), 0);
    dec.end_segment();  // a second end is a no-op
    EXPECT_TRUE(dec.committed().empty());
  }
  EXPECT_EQ(dec.stats().segments, 4);
  // Each segment equals the offline path of that segment alone; the start set binds the first one only.
  std::size_t at = 0;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const auto want = decode_offline(g, segments[s], {kDefaultPathScore, /*use_start_classes=*/s == 0}).value();
    for (std::size_t i = 0; i < want.classes.size(); ++i, ++at) {
      ASSERT_LT(at, all.size());
      EXPECT_EQ(all[at].window, static_cast<std::int64_t>(at));
      EXPECT_EQ(all[at].class_index, want.classes[i]) << "segment " << s << " window " << i;
      EXPECT_EQ(all[at].segment_start, i == 0) << "segment " << s << " window " << i;
    }
  }
  EXPECT_EQ(at, all.size());
  EXPECT_EQ(all.front().class_index, g.index_of("EMPTY_NO_TRANSITION"));
}

TEST(Online, SegmentEndScoreAppliesAtAStopNotAtTheEndOfTheInput) {
  // Segments ended by end_segment() decide as the offline decoder with the end scores does; the last one,
  // closed by finish(), as it does without them. On the loader's graphs, with a prior per state as a bundle
  // has (the next test covers a graph where the end scores change which survivors may be dropped).
  constexpr std::uint64_t kEndSeed = kSeed + 21;
  std::cout << "[ seed     ] " << kEndSeed << '\n';
  std::mt19937_64 rng(kEndSeed);
  int changed = 0;
  std::int64_t dropped = 0;
  for (const int changes : {1, 2}) {
    const auto g = testing::graph_up_to(changes);
    const auto k = static_cast<std::size_t>(g.size());
    const auto classes = classes_up_to(changes);
    for (int iter = 0; iter < 60; ++iter) {
      SCOPED_TRACE("seed " + std::to_string(kEndSeed) + " changes " + std::to_string(changes) + " iter " + std::to_string(iter));
      // Like a bundle's prior: one value per state, mapped to the classes ending in it; EMPTY favoured.
      std::uniform_real_distribution<double> u(-12.0, 0.0);
      double per_state[kStateCount] = {0.0, u(rng), u(rng), u(rng)};
      if (iter % 3 == 0) std::swap(per_state[0], per_state[1 + iter % 3]);
      std::vector<double> end;
      for (const auto& c : classes) end.push_back(per_state[static_cast<int>(c.last())]);
      // A high floor makes R, and so the drop margins, small next to the end scores' spread.
      for (const auto& [mode, floor] : {std::pair{PathScore::SumProb, kDefaultProbFloor},
                                       std::pair{PathScore::SumLogProb, kDefaultProbFloor},
                                       std::pair{PathScore::SumLogProb, 0.5}}) {
        OnlineOptions o{mode, 1000, floor};
        o.segment_end_score = end;
        auto dec = OnlineDecoder::create(g, o).value();
        std::vector<Committed> all;
        std::vector<std::vector<double>> segments;
        // Many short segments: many ends, each a chance for a wrongly dropped survivor to have been the best.
        constexpr int kSegments = 12;
        for (int seg = 0; seg < kSegments; ++seg) {
          segments.push_back(make_table(rng, 1 + static_cast<int>(rng() % (seg % 3 ? 8 : 40)), changes, (iter + seg) % 4 != 0));
          for (std::size_t t = 0; t * k < segments.back().size(); ++t) {
            dec.push(std::span<const double>(segments.back()).subspan(t * k, k));
            for (const auto& c : dec.committed()) all.push_back(c);
          }
          if (seg + 1 < kSegments) {
            dec.end_segment();
          } else {
            dec.finish();
          }
          for (const auto& c : dec.committed()) all.push_back(c);
        }
        EXPECT_EQ(dec.stats().forced_commits, 0);
        dropped += dec.stats().dropped;
        std::size_t at = 0;
        for (std::size_t seg = 0; seg < segments.size(); ++seg) {
          OfflineOptions oo{mode, true, floor};
          const auto plain = decode_offline(g, segments[seg], oo).value();
          if (seg + 1 < segments.size()) oo.segment_end_score = end;
          const auto want = decode_offline(g, segments[seg], oo).value();
          changed += want.classes != plain.classes;
          for (std::size_t i = 0; i < want.classes.size(); ++i, ++at) {
            ASSERT_LT(at, all.size());
            EXPECT_EQ(all[at].class_index, want.classes[i]) << "segment " << seg << " window " << i;
          }
        }
        EXPECT_EQ(at, all.size());
      }
    }
  }
  EXPECT_GT(changed, 20) << "the end scores must change some segments' paths";
  EXPECT_GT(dropped, 1000) << "the test must exercise dropping";
}

TEST(Online, SegmentEndScoreKeepsDroppingExactWhereTheFavouredEndIsFar) {
  // A ring A -> B -> C -> D -> A with self-loops, ends in A favoured by 12: a survivor ending in A may trail by
  // up to 3 windows' swing yet win at a stop, more than the 2 windows' margin that copying alone needs. A margin
  // that ignores the end scores drops it (601 of these 3,000 segment ends then decided differently), so
  // the online decisions must still equal the offline ones with the end scores.
  constexpr std::uint64_t kRingSeed = kSeed + 23;
  std::cout << "[ seed     ] " << kRingSeed << '\n';
  std::mt19937_64 rng(kRingSeed);
  constexpr int n = 4;
  std::vector<Edge> edges;
  for (int a = 0; a < n; ++a) {
    edges.push_back({a, a});
    edges.push_back({a, (a + 1) % n});
  }
  const auto g = TransitionGraph::from_edges({"A", "B", "C", "D"}, edges).value();
  const std::vector<double> end = {0.0, -12.0, -12.0, -12.0};
  std::int64_t dropped = 0, ends = 0;
  for (int iter = 0; iter < 100; ++iter) {
    for (const double floor : {0.5, 0.2, 0.01}) {
      SCOPED_TRACE("seed " + std::to_string(kRingSeed) + " iter " + std::to_string(iter) + " floor " + std::to_string(floor));
      OnlineOptions o{PathScore::SumLogProb, 1000, floor};
      o.segment_end_score = end;
      auto dec = OnlineDecoder::create(g, o).value();
      for (int seg = 0; seg < 10; ++seg) {
        // Runs of a dominant class that moves round the ring.
        const int windows = 1 + static_cast<int>(rng() % 12);
        std::vector<double> probs;
        int d = static_cast<int>(rng() % n);
        for (int t = 0; t < windows; ++t) {
          if (rng() % 10 < 3) d = (d + 1) % n;
          for (int c = 0; c < n; ++c) probs.push_back(c == d ? 0.9 : 0.1 / 3);
        }
        std::vector<int> got;
        for (int t = 0; t < windows; ++t) {
          dec.push(std::span<const double>(probs).subspan(static_cast<std::size_t>(t) * n, n));
          for (const auto& c : dec.committed()) got.push_back(c.class_index);
        }
        dec.end_segment();
        for (const auto& c : dec.committed()) got.push_back(c.class_index);
        ++ends;
        OfflineOptions oo{PathScore::SumLogProb, true, floor};
        oo.segment_end_score = end;
        EXPECT_EQ(got, decode_offline(g, probs, oo).value().classes) << "segment " << seg;
      }
      dropped += dec.stats().dropped;
    }
  }
  EXPECT_EQ(ends, 3000);
  EXPECT_GT(dropped, 1000) << "the test must exercise dropping";
}

TEST(Online, SegmentEndScoreOptionsAreChecked) {
  const auto g = testing::graph_up_to(1);
  const auto k = static_cast<std::size_t>(g.size());
  OnlineOptions o;
  o.segment_end_score.assign(k - 1, 0.0);
  EXPECT_FALSE(OnlineDecoder::create(g, o));
  o.segment_end_score.assign(k, 0.0);
  o.segment_end_score[2] = 0.1;
  EXPECT_FALSE(OnlineDecoder::create(g, o));
  o.segment_end_score[2] = -std::numeric_limits<double>::infinity();
  EXPECT_FALSE(OnlineDecoder::create(g, o));
  o.segment_end_score[2] = -3.0;
  EXPECT_TRUE(OnlineDecoder::create(g, o));
}

TEST(Online, SegmentMayStartInAClassThePreviousOneCouldNotReach) {
  const auto g = testing::graph_up_to(1);
  const auto k = static_cast<std::size_t>(g.size());
  const int e = g.index_of("EMPTY_NO_TRANSITION");
  const int ld = g.index_of("LOADED_NO_TRANSITION");
  std::vector<double> pe(k, 0.0), pld(k, 0.0);
  pe[static_cast<std::size_t>(e)] = 1.0;
  pld[static_cast<std::size_t>(ld)] = 1.0;
  auto dec = OnlineDecoder::create(g).value();
  dec.push(pe);
  dec.end_segment();
  dec.push(pld);
  dec.finish();
  ASSERT_EQ(dec.committed().size(), 1U);
  EXPECT_EQ(dec.committed()[0].class_index, ld);
  EXPECT_EQ(dec.committed()[0].window, 1);
}

TEST(Online, DeadEndEndsTheSegmentInsteadOfFailing) {
  // A -> B only: after B nothing may follow.
  const auto g = TransitionGraph::from_edges({"A", "B"}, std::vector<Edge>{{0, 1}}).value();
  auto dec = OnlineDecoder::create(g, {kDefaultPathScore, 10}).value();
  std::vector<Committed> all;
  for (int t = 0; t < 5; ++t) {
    dec.push(std::vector<double>{0.5, 0.5});
    for (const auto& c : dec.committed()) all.push_back(c);
  }
  dec.finish();
  for (const auto& c : dec.committed()) all.push_back(c);
  // Segments: [A B] [A B] [?]: each dead end restarts with any class.
  ASSERT_EQ(all.size(), 5U);
  EXPECT_EQ(dec.stats().dead_ends, 2);
  EXPECT_EQ(dec.stats().segments, 3);
  EXPECT_EQ(all[0].class_index, 0);
  EXPECT_EQ(all[1].class_index, 1);
  EXPECT_EQ(all[2].class_index, 0);
  EXPECT_EQ(all[3].class_index, 1);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].window, static_cast<std::int64_t>(i));
    EXPECT_EQ(all[i].segment_start, i % 2 == 0) << i;  // the count layer must not join B -> A
  }
}

TEST(Online, ResetStartsOver) {
  std::cout << "[ seed     ] " << kSeed + 5 << '\n';
  std::mt19937_64 rng(kSeed + 5);
  const auto g = testing::graph_up_to(2);
  const auto probs = make_table(rng, 100, 2, true);
  auto dec = OnlineDecoder::create(g, {kDefaultPathScore, 3}).value();
  const auto first = run_online(dec, probs);
  dec.reset();
  EXPECT_EQ(dec.stats().windows, 0);
  const auto second = run_online(dec, probs);
  EXPECT_EQ(first.commits, second.commits);
}

TEST(Online, BadOptionsAreErrors) {
  const auto g = testing::graph_up_to(1);
  EXPECT_FALSE(OnlineDecoder::create(g, {kDefaultPathScore, -1}));
  EXPECT_FALSE(OnlineDecoder::create(g, {kDefaultPathScore, OnlineDecoder::kMaxLag + 1}));
  EXPECT_TRUE(OnlineDecoder::create(g, {kDefaultPathScore, 0}));
  EXPECT_FALSE(OnlineDecoder::create(g, {kDefaultPathScore, 6, -1.0}));
  EXPECT_FALSE(OnlineDecoder::create(g, {kDefaultPathScore, 6, 1.5}));
}

#ifndef NDEBUG
TEST(OnlineDeathTest, WrongProbabilityCountIsAnAssertion) {
  const auto g = testing::graph_up_to(1);
  auto dec = OnlineDecoder::create(g).value();
  EXPECT_DEATH(dec.push(std::vector<double>(3, 0.1)), "one probability per class");
}
#endif

}  // namespace
}  // namespace lc::decode
