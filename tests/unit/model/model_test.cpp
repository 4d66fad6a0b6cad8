// The model layer: window targets from labels, training determinism, bundles that fail loudly when broken,
// and model files that Python's xgboost reads to the same probabilities.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <system_error>
#include <tuple>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "model/bundle.h"
#include "model/targets.h"
#include "model/trainer.h"
#include "window/labels.h"
#include "sim/simulator.h"
#include "util/file.h"

namespace lc::model {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kS = 1'000'000'000LL;

TEST(WindowTarget, PathOfStatesWithInclusiveEndAndFirstChangeBucket) {
  const std::vector<LabelInterval> labels = {{0, 12, State::Loaded}, {12, 15, State::Unloading}, {15, 30, State::Empty}};
  // [10, 15]: LOADED -> UNLOADING at 12 (u = 0.4 -> bucket 1 of 3) -> EMPTY exactly at the end (inclusive).
  WindowTarget t = window_target(labels, 10 * kS, 15 * kS, 3, 2);
  ASSERT_EQ(t.kind, WindowTarget::Kind::Ok);
  EXPECT_EQ(t.cls.name(), "LOADED_TO_UNLOADING_TO_EMPTY");
  EXPECT_EQ(t.position, 1);
  // The next window starts in EMPTY: consecutive classes stay consistent across the boundary change.
  t = window_target(labels, 15 * kS, 20 * kS, 3, 2);
  EXPECT_EQ(t.cls.name(), "EMPTY_NO_TRANSITION");
  EXPECT_EQ(t.position, -1);
  // With one change allowed the first window cannot be represented.
  EXPECT_EQ(window_target(labels, 10 * kS, 15 * kS, 3, 1).kind, WindowTarget::Kind::TooManyChanges);
  // Outside the labelled span.
  EXPECT_EQ(window_target(labels, 28 * kS, 33 * kS, 3, 2).kind, WindowTarget::Kind::Unlabelled);
  // A change the work cycle does not allow.
  const std::vector<LabelInterval> bad = {{0, 5, State::Empty}, {5, 10, State::Loaded}};
  EXPECT_EQ(window_target(bad, 3 * kS, 8 * kS, 3, 2).kind, WindowTarget::Kind::Disallowed);
  EXPECT_EQ(position_bucket(14.999, 10, 15, 3), 2);
  EXPECT_EQ(position_bucket(10.0, 10, 15, 3), 0);
}

// The inputs of the TrainedBundle tests (two simulated logs, four bundles) cost 1.5 s natively and about 40 s
// under qemu-aarch64, and ctest runs each test in its own process: they are made once per test binary and shared
// read-only, in a folder beside the binary named after its size, mtime and inode. The first process makes it
// under an exclusive lock and marks it complete; the others wait for the lock and reuse it. Each process keeps a
// shared lock while it runs, so a newer binary's first process removes the folders of older binaries that no one
// holds. Without /proc/self/exe (or a lock) the folder is the process's own, as before.
class SharedFixtureDir {
 public:
  // Returns the folder, and whether the caller must fill it (then call done() once filled).
  static std::pair<fs::path, bool> acquire(const fs::path& fallback) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    struct stat st {};
    if (ec || ::stat(exe.c_str(), &st) != 0) return {fallback, true};
    char key[64];
    std::snprintf(key, sizeof key, "%llx-%llx-%llx", static_cast<unsigned long long>(st.st_size),
                  static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1'000'000'000ULL +
                      static_cast<unsigned long long>(st.st_mtim.tv_nsec),
                  static_cast<unsigned long long>(st.st_ino));
    const fs::path parent = exe.parent_path();
    const std::string prefix = exe.filename().string() + "_fixture.";
    const fs::path dir = parent / (prefix + key);
    fd_ = ::open((dir.string() + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) return {fallback, true};
    remove_unused(parent, prefix, dir.filename().string());
    if (fs::exists(dir / ".complete")) {
      ::flock(fd_, LOCK_SH);  // downgrade: in use, read-only
      return {dir, false};
    }
    fs::remove_all(dir);
    fs::create_directories(dir);
    return {dir, true};
  }
  static void done(const fs::path& dir) {
    std::ofstream(dir / ".complete") << "made by pid " << ::getpid() << "\n";
    if (fd_ >= 0) ::flock(fd_, LOCK_SH);
  }

 private:
  // Other binaries' folders (an older build of this test) that no process holds: removed.
  static void remove_unused(const fs::path& parent, const std::string& prefix, const std::string& mine) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(parent, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(prefix, 0) != 0 || name.size() < 5 || name.compare(name.size() - 5, 5, ".lock") != 0) continue;
      const std::string folder = name.substr(0, name.size() - 5);
      if (folder == mine) continue;
      const int fd = ::open(e.path().c_str(), O_RDWR | O_CLOEXEC);
      if (fd < 0) continue;
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        fs::remove_all(parent / folder, ec);
        fs::remove(e.path(), ec);
      }
      ::close(fd);
    }
  }
  static inline int fd_ = -1;  // held (shared) until the process ends
};

// A small labelled data set and quick bundles, made once for the tests below (fix_, shared and read-only);
// what the tests write goes to dir_, the process's own folder.
class TrainedBundle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::path(::testing::TempDir()) / ("lc_model_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    bool fill = false;
    std::tie(fix_, fill) = SharedFixtureDir::acquire(dir_);
    cfg_.xgb.max_rounds = 15;
    cfg_.xgb.max_depth = 3;
    cfg_.max_features = 40;
    cfg_.decoder_prior_power = 0.25;
    for (std::uint64_t seed : {11u, 12u})
      data_.push_back({(fix_ / ("s" + std::to_string(seed) + ".log")).string(),
                       (fix_ / ("s" + std::to_string(seed) + ".labels.csv")).string()});
    if (!fill) return;
    for (std::uint64_t seed : {11u, 12u}) {
      sim::SimOptions o;
      o.minutes = 12;
      o.seed = seed;
      o.profile = seed == 11 ? "compact" : "quarry";
      auto s = sim::simulate_to_files(o, (fix_ / ("s" + std::to_string(seed))).string());
      ASSERT_TRUE(s) << s.error().message;
    }
    auto r = train_bundle(data_, cfg_, (fix_ / "a").string());
    ASSERT_TRUE(r) << r.error().message;
    TrainConfig ctx = cfg_;
    ctx.context_windows = 1;
    auto rc = train_bundle(data_, ctx, (fix_ / "ctx").string());
    ASSERT_TRUE(rc) << rc.error().message;
    ctx.context_windows = 2;
    auto rc2 = train_bundle(data_, ctx, (fix_ / "ctx2").string());
    ASSERT_TRUE(rc2) << rc2.error().message;
    auto rl = train_bundle(data_, loss_config(), (fix_ / "loss").string());
    ASSERT_TRUE(rl) << rl.error().message;
    if (fix_ != dir_) SharedFixtureDir::done(fix_);
  }
  // The "loss" bundle's training: one window of context and signal-loss copies of half the training rows.
  static TrainConfig loss_config() {
    TrainConfig c = cfg_;
    c.context_windows = 1;
    c.signal_loss_fraction = 0.5;
    return c;
  }
  static fs::path dir_, fix_;
  static std::vector<LabelledLog> data_;
  static TrainConfig cfg_;
};
fs::path TrainedBundle::dir_;
fs::path TrainedBundle::fix_;
std::vector<LabelledLog> TrainedBundle::data_;
TrainConfig TrainedBundle::cfg_;

TEST_F(TrainedBundle, TrainingIsDeterministic) {
  auto r = train_bundle(data_, cfg_, (dir_ / "b").string());
  ASSERT_TRUE(r) << r.error().message;
  for (const auto& entry : fs::directory_iterator(fix_ / "a")) {
    const auto other = dir_ / "b" / entry.path().filename();
    auto x = read_file(entry.path().string());
    auto y = read_file(other.string());
    ASSERT_TRUE(x && y) << other;
    if (entry.path().filename() == "manifest.json") {
      // The manifest names the output folder nowhere, so it must be identical too.
      EXPECT_EQ(*x, *y);
    } else {
      EXPECT_TRUE(*x == *y) << entry.path().filename() << " differs between two identical trainings";
    }
  }
}

// model.signal_loss_fraction: about that share of the training rows gets a copy with one message lost (the
// copies' columns are model/signal_loss_test.cpp's); validation rows are never copied, and the forests change.
TEST_F(TrainedBundle, SignalLossCopiesTrainingRowsOnlyAtTheAskedRate) {
  auto r = ModelBundle::load((fix_ / "loss").string());  // loss_config(): "ctx" with the copies
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->manifest().training["signal_loss_fraction"], 0.5);
  std::size_t rows = 0, rows_with_copies = 0, valid = 0, valid_with_copies = 0;
  for (const auto& m : r->manifest().training["models"]) {
    rows_with_copies += m["train_windows"].get<std::size_t>();
    valid_with_copies += m["valid_windows"].get<std::size_t>();
  }
  auto plain = ModelBundle::load((fix_ / "ctx").string());
  ASSERT_TRUE(plain) << plain.error().message;
  for (const auto& m : plain->manifest().training["models"]) {
    rows += m["train_windows"].get<std::size_t>();
    valid += m["valid_windows"].get<std::size_t>();
  }
  EXPECT_EQ(plain->manifest().training["signal_loss_copies"], 0);
  const auto copies = r->manifest().training["signal_loss_copies"].get<std::size_t>();
  EXPECT_EQ(rows_with_copies, rows + copies);
  EXPECT_NEAR(static_cast<double>(copies) / static_cast<double>(rows), 0.5, 0.06) << copies << " of " << rows;
  EXPECT_EQ(valid_with_copies, valid);
  auto x = read_file((fix_ / "loss" / "position_0.json").string());
  auto y = read_file((fix_ / "ctx" / "position_0.json").string());
  ASSERT_TRUE(x && y);
  EXPECT_NE(*x, *y);
}

TEST_F(TrainedBundle, LoadsAndScoresWindowsWithProbabilitiesPerClass) {
  auto b = ModelBundle::load((fix_ / "a").string());
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->model_count(), static_cast<std::size_t>(cfg_.position_buckets));
  EXPECT_GE(b->manifest().classes.size(), 9u);
  auto scorer = WindowScorer::create(std::move(*b));
  ASSERT_TRUE(scorer);
  // A window of plausible idle values.
  std::array<std::vector<double>, kSignalCount> data;
  const double idle[kSignalCount] = {800, 10, 0, 90, 8, 27.5, 85, 100, 300, 300};
  Window w;
  for (std::size_t s = 0; s < kSignalCount; ++s) {
    data[s].assign(5, idle[s]);
    data[s][2] += 1.0;
    w.series[s] = data[s];
  }
  ASSERT_TRUE((*scorer)->score(w));
  for (double p : (*scorer)->probabilities()) {
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
  }
  for (auto pos : (*scorer)->positions()) EXPECT_LT(pos, cfg_.position_buckets);
}

// The bundle's classes are every class the work cycle allows (up to max_changes_per_window changes), seen in
// training or not: a held-out window whose class training never saw must still have a path through the graph.
TEST_F(TrainedBundle, ClassesAreAllThatTheCycleAllowsEvenUnseen) {
  auto b = ModelBundle::load((fix_ / "a").string());
  ASSERT_TRUE(b) << b.error().message;
  std::vector<std::string> expected;
  for (const auto& c : classes_up_to(cfg_.max_changes_per_window)) expected.push_back(c.name());
  EXPECT_EQ(b->manifest().classes, expected);
  // 24 simulated minutes cannot hold every two-change class, so some classes were unseen in training; the
  // manifest's per-class counts say which.
  const auto& seen = b->manifest().training.at("windows_per_class");
  EXPECT_LT(seen.size(), expected.size());
  // Every class has a probability from the models, and they still sum to one.
  auto scorer = WindowScorer::create(std::move(*b));
  ASSERT_TRUE(scorer);
  std::array<std::vector<double>, kSignalCount> data;
  Window w;
  for (std::size_t s = 0; s < kSignalCount; ++s) {
    data[s].assign((*scorer)->bundle().manifest().window_points, 100.0 + static_cast<double>(s));
    w.series[s] = data[s];
  }
  ASSERT_TRUE((*scorer)->score(w));
  EXPECT_EQ((*scorer)->class_count(), expected.size());
}

// The decoder's prior correction: one weight per class, (smoothed training frequency x classes)^-power, so
// the rarer a class was in training the more its probability counts; a class never seen weighs the most.
TEST_F(TrainedBundle, DecoderClassWeightsFollowTrainingFrequencies) {
  auto b = ModelBundle::load((fix_ / "a").string());
  ASSERT_TRUE(b) << b.error().message;
  const Manifest& m = b->manifest();
  ASSERT_EQ(m.decoder_class_weights.size(), m.classes.size());
  const auto& seen = m.training.at("windows_per_class");
  const double total = m.training.at("train_windows").get<double>(), k = static_cast<double>(m.classes.size());
  for (std::size_t c = 0; c < m.classes.size(); ++c) {
    const double n = seen.contains(m.classes[c]) ? seen.at(m.classes[c]).get<double>() : 0.0;
    EXPECT_NEAR(m.decoder_class_weights[c], std::pow((n + 1) / (total + k) * k, -0.25), 1e-12) << m.classes[c];
  }
  // Round trip through the manifest text.
  auto again = parse_manifest(manifest_to_json(m), "manifest.json");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->decoder_class_weights, m.decoder_class_weights);
}

// The states the machine stopped in, learned from the labels at each gap that ends a segment: a copy of a
// training log with a 60 s silence cut into the middle of a long labelled interval (the labels shifted with
// it) gives one stop, in that interval's state; the bundle then carries the add-one smoothed log-prior
// relative to the most frequent state, and the configured probability floor. The fixture's logs, without a
// stop, give no prior.
TEST_F(TrainedBundle, SegmentEndPriorCountsTheStatesAtStopsAndTheFloorIsStored) {
  auto labels = read_labels_csv(data_[0].labels);
  ASSERT_TRUE(labels) << labels.error().message;
  // The longest interval after the first 4 minutes; cut in its middle.
  const double t0 = labels->front().start_s;
  std::size_t best = 0;
  double best_len = 0;
  for (std::size_t i = 0; i < labels->size(); ++i) {
    const auto& iv = (*labels)[i];
    if (iv.start_s > t0 + 240 && iv.end_s - iv.start_s > best_len) {
      best = i;
      best_len = iv.end_s - iv.start_s;
    }
  }
  ASSERT_GT(best_len, 15.0);
  const State stop_state = (*labels)[best].state;
  const double cut = ((*labels)[best].start_s + (*labels)[best].end_s) / 2, gap = 60.0;
  std::vector<LabelInterval> shifted;
  for (const auto& iv : *labels) {
    if (iv.end_s <= cut) {
      shifted.push_back(iv);
    } else if (iv.start_s >= cut) {
      shifted.push_back({iv.start_s + gap, iv.end_s + gap, iv.state});
    } else {  // the interval cut in two, its state also over the silence
      shifted.push_back({iv.start_s, iv.end_s + gap, iv.state});
    }
  }
  const std::string log = (dir_ / "gap.log").string(), lab = (dir_ / "gap.labels.csv").string();
  ASSERT_TRUE(write_labels_csv(lab, shifted));
  {
    std::ifstream in(data_[0].log);
    std::ofstream out(log);
    std::string line;
    char buf[64];
    while (std::getline(in, line)) {
      const double t = std::stod(line.substr(1, line.find(')') - 1));
      if (t > cut) {
        std::snprintf(buf, sizeof buf, "(%.6f)", t + gap);
        line = buf + line.substr(line.find(')') + 1);
      }
      out << line << '\n';
    }
  }
  TrainConfig cfg = cfg_;
  cfg.decoder_prob_floor = 0.001;
  cfg.decoder_min_load_to_trip_s = 4.75;
  auto r = train_bundle({{log, lab}, data_[1]}, cfg, (dir_ / "stops").string());
  ASSERT_TRUE(r) << r.error().message;
  auto b = ModelBundle::load((dir_ / "stops").string());
  ASSERT_TRUE(b) << b.error().message;
  const Manifest& m = b->manifest();
  for (int st = 0; st < kStateCount; ++st)
    EXPECT_EQ(m.training.at("segment_end_states").at(std::string(kStateNames[st])).get<int>(),
              st == static_cast<int>(stop_state) ? 1 : 0)
        << kStateNames[st];
  ASSERT_EQ(m.decoder_segment_end_log_prior.size(), static_cast<std::size_t>(kStateCount));
  for (int st = 0; st < kStateCount; ++st)
    EXPECT_DOUBLE_EQ(m.decoder_segment_end_log_prior[static_cast<std::size_t>(st)],
                     st == static_cast<int>(stop_state) ? 0.0 : std::log(0.5))
        << kStateNames[st];
  ASSERT_TRUE(m.decoder_prob_floor.has_value());
  EXPECT_EQ(*m.decoder_prob_floor, 0.001);
  EXPECT_EQ(m.decoder_min_load_to_trip_s, 4.75);
  // The shortest load-to-trip time of the training labels, what that setting is chosen against.
  double shortest = 1e9;
  for (const auto& f : {lab, data_[1].labels}) {
    auto l = read_labels_csv(f);
    ASSERT_TRUE(l) << l.error().message;
    double load = -1;
    for (std::size_t i = 1; i < l->size(); ++i) {
      if ((*l)[i - 1].state == State::Loading && (*l)[i].state == State::Loaded) load = (*l)[i].start_s;
      if ((*l)[i - 1].state == State::Unloading && (*l)[i].state == State::Empty && load >= 0) {
        shortest = std::min(shortest, (*l)[i].start_s - load);
        load = -1;
      }
    }
  }
  ASSERT_LT(shortest, 1e9) << "the fixture's labels must hold a load and its trip";
  EXPECT_NEAR(m.training.at("shortest_load_to_trip_s").get<double>(), shortest, 0.0005);
  // Round trip through the manifest text.
  auto again = parse_manifest(manifest_to_json(m), "manifest.json");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->decoder_segment_end_log_prior, m.decoder_segment_end_log_prior);
  EXPECT_EQ(again->decoder_prob_floor, m.decoder_prob_floor);
  EXPECT_EQ(again->decoder_min_load_to_trip_s, m.decoder_min_load_to_trip_s);
  // Without stops (the fixture's bundle): no prior, no floor and no shortest load-to-trip time unless configured.
  auto a = ModelBundle::load((fix_ / "a").string());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->manifest().decoder_segment_end_log_prior.empty());
  EXPECT_FALSE(a->manifest().decoder_prob_floor.has_value());
  EXPECT_FALSE(a->manifest().decoder_min_load_to_trip_s.has_value());
}

// Copies the good bundle and applies `damage` to it; loading must fail with a message containing `needle`.
void expect_broken(const fs::path& good, const fs::path& copy, const std::function<void(const fs::path&)>& damage,
                   const std::string& needle) {
  fs::remove_all(copy);
  fs::copy(good, copy, fs::copy_options::recursive);
  damage(copy);
  auto b = ModelBundle::load(copy.string());
  ASSERT_FALSE(b) << "a damaged bundle loaded (" << needle << ")";
  EXPECT_EQ(b.error().exit_code(), 2);
  EXPECT_NE(b.error().message.find(needle), std::string::npos) << b.error().message;
}

void edit_manifest(const fs::path& dir, const std::function<void(nlohmann::json&)>& f) {
  auto text = read_file((dir / "manifest.json").string());
  auto j = nlohmann::json::parse(*text);
  f(j);
  std::ofstream(dir / "manifest.json") << j.dump(2);
}

// A window of plausible values for scorer tests: every signal `base + s`, one bump, at [start, start + 5 s).
struct TestWindow {
  std::array<std::vector<double>, kSignalCount> data;
  Window w;
  TestWindow(std::size_t points, double base, std::int64_t start_ns, bool segment_start) {
    for (std::size_t s = 0; s < kSignalCount; ++s) {
      data[s].assign(points, base + static_cast<double>(s));
      data[s][points / 2] += 3.0;
      w.series[s] = data[s];
    }
    w.start_ns = start_ns;
    w.end_ns = start_ns + 5 * kS;
    w.segment_start = segment_start;
  }
};

// With context_windows = 1 the models see this window's features and the previous window's: the previous
// one's are used only when it is the window just before in the same segment, and a window counted before a
// checkpoint (observe) gives the same context as one scored.
TEST_F(TrainedBundle, ContextWindowFeedsThePreviousWindowsFeatures) {
  auto b = ModelBundle::load((fix_ / "ctx").string());
  ASSERT_TRUE(b) << b.error().message;
  const std::size_t nf = b->manifest().features.size();
  ASSERT_EQ(b->manifest().context_windows, 1);
  ASSERT_EQ(b->forests()[0].num_features(), 2 * nf);
  const std::size_t points = b->manifest().window_points;
  auto s1 = WindowScorer::create(std::move(*b));
  ASSERT_TRUE(s1);
  WindowScorer& sc = **s1;
  TestWindow a(points, 100, 0, true), next(points, 300, 5 * kS, false), gap(points, 300, 20 * kS, false),
      fresh(points, 300, 25 * kS, true);
  ASSERT_TRUE(sc.score(a.w));
  const std::vector<float> fa(sc.features().begin(), sc.features().begin() + static_cast<std::ptrdiff_t>(nf));
  for (std::size_t i = nf; i < 2 * nf; ++i) EXPECT_TRUE(std::isnan(sc.features()[i])) << "first window has no context";
  ASSERT_TRUE(sc.score(next.w));
  for (std::size_t i = 0; i < nf; ++i) {
    const float v = sc.features()[nf + i];
    EXPECT_TRUE(v == fa[i] || (std::isnan(v) && std::isnan(fa[i]))) << "context feature " << i;
  }
  const std::vector<double> p_next(sc.probabilities().begin(), sc.probabilities().end());
  ASSERT_TRUE(sc.score(gap.w));  // not adjacent to `next`: no context
  for (std::size_t i = nf; i < 2 * nf; ++i) EXPECT_TRUE(std::isnan(sc.features()[i]));
  ASSERT_TRUE(sc.score(fresh.w));  // a new segment: no context even though adjacent
  for (std::size_t i = nf; i < 2 * nf; ++i) EXPECT_TRUE(std::isnan(sc.features()[i]));
  // Resuming: `a` observed, not scored, then `next` scored - the same probabilities as above.
  auto b2 = ModelBundle::load((fix_ / "ctx").string());
  ASSERT_TRUE(b2);
  auto s2 = WindowScorer::create(std::move(*b2));
  ASSERT_TRUE(s2);
  (*s2)->observe(a.w);
  ASSERT_TRUE((*s2)->score(next.w));
  for (std::size_t c = 0; c < p_next.size(); ++c) EXPECT_EQ((*s2)->probabilities()[c], p_next[c]) << "class " << c;
  // A manifest claiming context for models without it does not load.
  expect_broken(fix_ / "a", dir_ / "broken_ctx", [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["context_windows"] = 1; }); },
                "inputs");
}

// model.ensemble_members: each member is trained as a single-member run with seed + member and the member's
// bus_gap_fraction would train it, and each position's members are folded into one model (model/ensemble.h):
// its probabilities are the softmax of the members' mean margin, i.e. the normalised geometric mean of what
// the single-member trainings give. model.bus_gap_fraction per member: about that share of the member's
// training rows gets a copy with one block blank (the copies' columns are model/signal_loss_test.cpp's), and
// validation rows none.
TEST_F(TrainedBundle, EnsembleMembersAreSeededTrainingsFoldedIntoOneModelPerPosition) {
  // Member 0 is the fixture's "loss"; member 1 the same with seed + 1 and bus-gap copies of half the rows.
  TrainConfig cfg = loss_config();
  auto single = ModelBundle::load((fix_ / "loss").string());
  ASSERT_TRUE(single) << single.error().message;
  TrainConfig c1 = cfg;
  c1.xgb.seed = cfg.xgb.seed + 1;
  c1.bus_gap_fraction = {0.5};
  auto seed1 = train_bundle(data_, c1, (dir_ / "m1s1").string());
  ASSERT_TRUE(seed1) << seed1.error().message;
  cfg.ensemble_members = 2;
  cfg.bus_gap_fraction = {0.0, 0.5};
  auto ens = train_bundle(data_, cfg, (dir_ / "m2").string());
  ASSERT_TRUE(ens) << ens.error().message;
  EXPECT_EQ(ens->manifest.training["ensemble_members"], 2);
  EXPECT_FALSE(single->manifest().training.contains("ensemble_members"));  // a single model's manifest as before
  EXPECT_FALSE(single->manifest().training.contains("bus_gap_fraction"));
  EXPECT_EQ(ens->manifest.training["bus_gap_fraction"], nlohmann::json::array({0.0, 0.5}));
  EXPECT_EQ(ens->manifest.models, (std::vector<std::string>{"position_0.json", "position_1.json", "position_2.json"}));
  // Member 1 gets a bus-gap copy of about half its training rows (the rows of "ctx", the same training without
  // copies), member 0 none, and the validation rows are never copied.
  auto plain = ModelBundle::load((fix_ / "ctx").string());
  ASSERT_TRUE(plain) << plain.error().message;
  const auto& entries = ens->manifest.training["models"];
  ASSERT_EQ(entries.size(), 6u);
  for (std::size_t b = 0; b < 3; ++b) {
    const auto& base = plain->manifest().training["models"][b];
    const auto& m0 = entries[b];
    const auto& m1 = entries[3 + b];
    EXPECT_EQ(m0["member"], 0);
    EXPECT_EQ(m1["member"], 1);
    EXPECT_FALSE(m0.contains("bus_gap_copies"));
    ASSERT_TRUE(m1.contains("bus_gap_copies")) << m1.dump();
    const auto gaps = m1["bus_gap_copies"].get<double>(), rows = base["train_windows"].get<double>();
    EXPECT_NEAR(gaps / rows, 0.5, 0.06) << m1.dump();
    EXPECT_EQ(m0["valid_windows"], base["valid_windows"]);
    EXPECT_EQ(m1["valid_windows"], base["valid_windows"]);
  }
  auto loaded = ModelBundle::load((dir_ / "m2").string());
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->model_count(), 3u);
  auto other = ModelBundle::load((dir_ / "m1s1").string());
  ASSERT_TRUE(other) << other.error().message;
  auto scorer = WindowScorer::create(std::move(*single));
  ASSERT_TRUE(scorer);
  // Windows of engine-like values; each position's folded model against its two members by hand.
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> u(0.3, 1.7);
  const double typical[kSignalCount] = {1400, 60, 50, 90, 8, 27.5, 85, 180, 350, 420};
  const std::size_t points = (*scorer)->bundle().manifest().window_points;
  const std::size_t k = (*scorer)->class_count();
  std::vector<float> p0(k), p1(k), pe(k);
  std::size_t moved = 0;
  for (std::size_t windows = 0; windows < 100; ++windows) {
    std::array<std::vector<double>, kSignalCount> data;
    Window w;
    for (std::size_t sig = 0; sig < kSignalCount; ++sig) {
      const double level = typical[sig] * u(rng), swing = typical[sig] * (u(rng) - 0.3) * 0.3;
      for (std::size_t i = 0; i < points; ++i) data[sig].push_back(level + swing * std::sin(static_cast<double>(i) * u(rng)));
      w.series[sig] = data[sig];
    }
    w.start_ns = static_cast<std::int64_t>(windows) * 5 * kS;
    w.end_ns = w.start_ns + 5 * kS;
    w.segment_start = windows == 0;
    ASSERT_TRUE((*scorer)->score(w));
    const auto in = (*scorer)->features();
    for (std::size_t b = 0; b < 3; ++b) {
      (*scorer)->bundle().forests()[b].predict(in.data(), p0);
      other->forests()[b].predict(in.data(), p1);
      loaded->forests()[b].predict(in.data(), pe);
      double sum = 0;
      for (std::size_t c = 0; c < k; ++c) sum += std::sqrt(static_cast<double>(p0[c]) * p1[c]);
      for (std::size_t c = 0; c < k; ++c) {
        const double want = std::sqrt(static_cast<double>(p0[c]) * p1[c]) / sum;
        EXPECT_NEAR(pe[c], want, 2e-6 + 1e-4 * want) << "window " << windows << " position " << b << " class " << c;
        moved += std::abs(pe[c] - p0[c]) > 1e-3;
      }
    }
  }
  EXPECT_GT(moved, 100u);  // the second member moves the probabilities
}

// Two windows of context: the input is [this window | the one before | the one before that], and a break in
// the chain (gap, new segment) makes every previous block missing.
TEST_F(TrainedBundle, TwoContextWindowsAreNewestFirst) {
  auto b = ModelBundle::load((fix_ / "ctx2").string());
  ASSERT_TRUE(b) << b.error().message;
  const std::size_t nf = b->manifest().features.size(), points = b->manifest().window_points;
  ASSERT_EQ(b->forests()[0].num_features(), 3 * nf);
  auto s = WindowScorer::create(std::move(*b));
  ASSERT_TRUE(s);
  WindowScorer& sc = **s;
  auto block = [&](std::size_t j) {
    return std::vector<float>(sc.features().begin() + static_cast<std::ptrdiff_t>(j * nf),
                              sc.features().begin() + static_cast<std::ptrdiff_t>((j + 1) * nf));
  };
  auto same = [](const std::vector<float>& x, const std::vector<float>& y) {
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!(x[i] == y[i] || (std::isnan(x[i]) && std::isnan(y[i])))) return false;
    return true;
  };
  auto all_nan = [](const std::vector<float>& x) { return std::all_of(x.begin(), x.end(), [](float v) { return std::isnan(v); }); };
  TestWindow w1(points, 100, 0, true), w2(points, 200, 5 * kS, false), w3(points, 300, 10 * kS, false),
      w4(points, 400, 30 * kS, false);
  ASSERT_TRUE(sc.score(w1.w));
  const auto f1 = block(0);
  EXPECT_TRUE(all_nan(block(1)) && all_nan(block(2)));
  ASSERT_TRUE(sc.score(w2.w));
  const auto f2 = block(0);
  EXPECT_TRUE(same(block(1), f1));
  EXPECT_TRUE(all_nan(block(2)));
  ASSERT_TRUE(sc.score(w3.w));
  EXPECT_TRUE(same(block(1), f2));
  EXPECT_TRUE(same(block(2), f1));
  ASSERT_TRUE(sc.score(w4.w));  // 15 s after w3: the chain is broken
  EXPECT_TRUE(all_nan(block(1)) && all_nan(block(2)));
}

TEST_F(TrainedBundle, BrokenBundlesFailLoudlyNamingTheProblem) {
  const fs::path good = fix_ / "a", bad = dir_ / "broken";
  expect_broken(good, bad, [](const fs::path& d) { fs::remove(d / "manifest.json"); }, "manifest.json");
  expect_broken(good, bad, [](const fs::path& d) { std::ofstream(d / "manifest.json") << "{ not json"; }, "not valid JSON");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["format_version"] = 99; }); },
                "format_version 99");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j.erase("classes"); }); }, "'classes'");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["features"].erase(j["features"].begin()); }); },
                "features");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["features"][0] = "engine_speed_rpm__nonsense"; }); },
                "engine_speed_rpm__nonsense");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["classes"][0] = "EMPTY_TO_LOADED"; }); },
                "EMPTY_TO_LOADED");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["classes"].erase(j["classes"].begin()); }); },
                "classes");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["position_buckets"] = 4; }); }, "models");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["signals"][0] = "rpm"; }); }, "signals");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["decoder_class_weights"].erase(0); }); },
                "decoder_class_weights");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["decoder_class_weights"][2] = -1.0; }); },
                "decoder_class_weights");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["decoder_prob_floor"] = 0.0; }); },
                "decoder_prob_floor");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["decoder_min_load_to_trip_s"] = -1.0; }); },
                "decoder_min_load_to_trip_s");
  const nlohmann::json prior = {{"EMPTY", 0.0}, {"LOADING", -1.0}, {"LOADED", -1.0}, {"UNLOADING", -1.0}};
  expect_broken(good, bad, [&](const fs::path& d) { edit_manifest(d, [&](auto& j) {
    j["decoder_segment_end_log_prior"] = prior;
    j["decoder_segment_end_log_prior"]["LOADED"] = 0.5;
  }); }, "LOADED must be a finite value <= 0");
  expect_broken(good, bad, [&](const fs::path& d) { edit_manifest(d, [&](auto& j) {
    j["decoder_segment_end_log_prior"] = prior;
    j["decoder_segment_end_log_prior"]["PARKED"] = 0.0;
  }); }, "'PARKED' is not a state");
  expect_broken(good, bad, [&](const fs::path& d) { edit_manifest(d, [&](auto& j) {
    j["decoder_segment_end_log_prior"] = prior;
    j["decoder_segment_end_log_prior"].erase("UNLOADING");
  }); }, "no value for UNLOADING");
  expect_broken(good, bad, [](const fs::path& d) { edit_manifest(d, [](auto& j) { j["decoder_segment_end_log_prior"] = 1; }); },
                "decoder_segment_end_log_prior");
  expect_broken(good, bad, [](const fs::path& d) { fs::remove(d / "position_1.json"); }, "position_1.json");
  expect_broken(good, bad, [](const fs::path& d) { std::ofstream(d / "position_0.json") << "{\"learner\": 3}"; }, "position_0.json");
  expect_broken(good, bad, [](const fs::path& d) {
    auto text = read_file((d / "position_2.json").string());
    std::ofstream(d / "position_2.json") << text->substr(0, text->size() / 2);  // truncated
  }, "position_2.json");
}

// A saved bundle carries each model's compiled forest and loads from it; when a JSON no longer matches its
// compiled form (edited, replaced, or the compiled file damaged or gone) that model comes from the JSON, with
// the same probabilities, and compile() brings the compiled forms up to date.
TEST_F(TrainedBundle, CompiledForestsAreUsedOnlyWhileTheyMatchTheirJson) {
  const fs::path good = fix_ / "a", copy = dir_ / "compiled";
  for (const char* f : {"position_0.forest", "position_1.forest", "position_2.forest"})
    EXPECT_TRUE(fs::exists(good / f)) << f << ": save() must write the compiled forests";
  auto reference = ModelBundle::load(good.string());
  ASSERT_TRUE(reference) << reference.error().message;
  EXPECT_EQ(reference->loaded_compiled(), (std::vector<bool>{true, true, true}));
  auto probs = [](ModelBundle b) {
    auto sc = WindowScorer::create(std::move(b));
    EXPECT_TRUE(sc);
    std::vector<double> out;
    for (int i = 0; i < 8; ++i) {
      TestWindow t((*sc)->bundle().manifest().window_points, 100.0 + 40.0 * i, i * 5 * kS, i == 0);
      EXPECT_TRUE((*sc)->score(t.w));
      out.insert(out.end(), (*sc)->probabilities().begin(), (*sc)->probabilities().end());
    }
    return out;
  };
  const auto want = probs(std::move(*reference));

  fs::remove_all(copy);
  fs::copy(good, copy, fs::copy_options::recursive);
  std::ofstream(copy / "position_1.json", std::ios::app) << "\n";  // the same model, another text
  fs::remove(copy / "position_2.forest");
  {
    auto text = read_file((copy / "position_0.forest").string());
    std::string t = *text;
    t[t.size() / 2] = static_cast<char>(t[t.size() / 2] ^ 0x10);
    std::ofstream(copy / "position_0.forest", std::ios::binary | std::ios::trunc) << t;
  }
  auto mixed = ModelBundle::load(copy.string());
  ASSERT_TRUE(mixed) << mixed.error().message;
  EXPECT_EQ(mixed->loaded_compiled(), (std::vector<bool>{false, false, false}));
  EXPECT_EQ(probs(std::move(*mixed)), want);

  ASSERT_TRUE(ModelBundle::compile(copy.string()));
  auto fixed = ModelBundle::load(copy.string());
  ASSERT_TRUE(fixed) << fixed.error().message;
  EXPECT_EQ(fixed->loaded_compiled(), (std::vector<bool>{true, true, true}));
  EXPECT_EQ(probs(std::move(*fixed)), want);
}

// Data scientists work on the models in Python: the same model file and feature rows must give the same
// probabilities in Debian's python3-xgboost.
TEST_F(TrainedBundle, PythonXgboostGivesTheSameProbabilities) {
  if (std::system("/usr/bin/python3 -c 'import xgboost' 2>/dev/null") != 0) GTEST_SKIP() << "python3-xgboost not installed";
  auto b = ModelBundle::load((fix_ / "a").string(), Engine::xgboost);
  ASSERT_TRUE(b);
  const std::size_t nf = b->manifest().features.size();
  const std::size_t rows = 50;
  std::vector<float> x(rows * nf);
  std::srand(7);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i % 17 == 0) ? NAN : static_cast<float>(std::rand() % 2000) / 10.0f;
  auto ours = b->boosters()[1].predict_rows(x, rows);
  ASSERT_TRUE(ours);
  nlohmann::json rows_json = nlohmann::json::array();
  for (std::size_t r = 0; r < rows; ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (std::size_t f = 0; f < nf; ++f) row.push_back(std::isnan(x[r * nf + f]) ? nlohmann::json(nullptr) : nlohmann::json(x[r * nf + f]));
    rows_json.push_back(row);
  }
  const fs::path in = dir_ / "py_rows.json", out = dir_ / "py_probs.json";
  std::ofstream(in) << rows_json.dump();
  const std::string script =
      "import json, sys, numpy as np, xgboost as xgb\n"
      "rows = json.load(open(sys.argv[1]))\n"
      "x = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=np.float32)\n"
      "b = xgb.Booster(model_file=sys.argv[2])\n"
      "p = b.predict(xgb.DMatrix(x, missing=np.nan))\n"
      "json.dump(p.astype(float).tolist(), open(sys.argv[3], 'w'))\n";
  std::ofstream(dir_ / "py_check.py") << script;
  const std::string cmd = "/usr/bin/python3 " + (dir_ / "py_check.py").string() + " " + in.string() + " " +
                          (fix_ / "a" / "position_1.json").string() + " " + out.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto text = read_file(out.string());
  const auto py = nlohmann::json::parse(*text);
  const std::size_t k = b->manifest().classes.size();
  ASSERT_EQ(py.size(), rows);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < k; ++c)
      EXPECT_NEAR(py[r][c].get<double>(), (*ours)[r * k + c], 1e-6) << "row " << r << " class " << c;
}

TEST(TrainConfig, UnknownKeysAndBadValuesNameTheKey) {
  const fs::path d = fs::path(::testing::TempDir());
  std::ofstream(d / "t1.toml") << "[model]\nposition_bucket = 3\n";
  auto c = read_train_config((d / "t1.toml").string());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("model.position_bucket"), std::string::npos) << c.error().message;
  std::ofstream(d / "t2.toml") << "[xgboost]\neta = \"fast\"\n";
  c = read_train_config((d / "t2.toml").string());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("xgboost.eta"), std::string::npos) << c.error().message;
  std::ofstream(d / "t3.toml") << "[grid]\nrate_hz = 2.0\n[window]\npoints = 10\nhop = 10\n";
  c = read_train_config((d / "t3.toml").string());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->front_end.window.points, 10u);
  EXPECT_EQ(c->front_end.grid.rate_hz, 2.0);
  // A [model] key: each bad value is refused with an error naming the key; the good one is read.
  auto check_key = [&](const std::string& key, std::initializer_list<const char*> bad, const std::string& good,
                       const auto& read_back, const auto& want) {
    for (const char* v : bad) {
      std::ofstream(d / "t5.toml") << "[model]\n" << key << " = " << v << "\n";
      c = read_train_config((d / "t5.toml").string());
      ASSERT_FALSE(c) << key << " = " << v;
      EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
    }
    std::ofstream(d / "t5.toml") << "[model]\n" << key << " = " << good << "\n";
    c = read_train_config((d / "t5.toml").string());
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(read_back(*c), want) << key;
  };
  check_key("decoder_prob_floor", {"0.0", "1.5", "\"low\""}, "0.001",
            [](const TrainConfig& t) { return t.decoder_prob_floor; }, std::optional<double>(0.001));
  check_key("decoder_min_load_to_trip_s", {"-1.0", "61.0", "\"soon\""}, "4.75",
            [](const TrainConfig& t) { return t.decoder_min_load_to_trip_s; }, std::optional<double>(4.75));
  check_key("signal_loss_fraction", {"-0.1", "1.5"}, "0.25", [](const TrainConfig& t) { return t.signal_loss_fraction; }, 0.25);
  check_key("ensemble_members", {"0", "9", "1.5"}, "2", [](const TrainConfig& t) { return t.ensemble_members; }, 2);
  // One value for every member, or one per member (here one member: an array of two is an error).
  check_key("bus_gap_fraction", {"-0.1", "1.5", "[0.1, 2.0]", "[0.0, 0.25]", "[]", "\"gaps\""}, "[0.25]",
            [](const TrainConfig& t) { return t.bus_gap_fraction; }, std::vector<double>{0.25});
  std::ofstream(d / "t5.toml") << "[model]\nensemble_members = 2\nbus_gap_fraction = [0.0, 0.25]\n";
  c = read_train_config((d / "t5.toml").string());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->bus_gap_fraction, (std::vector<double>{0.0, 0.25}));
  EXPECT_EQ(c->bus_gap_for(1), 0.25);
  std::ofstream(d / "t4.toml") << "[grid\nrate_hz = 2.0\n";
  c = read_train_config((d / "t4.toml").string());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("t4.toml:1:"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace lc::model
