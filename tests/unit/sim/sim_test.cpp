// Tests of the wheel-loader simulator: determinism, J1939 rates and ids, encoding against an independent
// decoder, labels, work-cycle statistics, faults. Every run uses a fixed seed that is printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/simulator.h"
#include "window/labels.h"
#include "window/states.h"

namespace {

using lc::LabelInterval;
using lc::State;
using lc::can::Frame;
using lc::sim::SimOptions;
using lc::sim::SimRun;

// ---- an independent J1939 decoder (ARCHITECTURE.md's table, written again here on purpose) ----
struct SignalDef {
  std::uint32_t pgn;
  int byte_no;  // 1-based
  int length;   // bytes
  double scale;
  double offset;
};
constexpr SignalDef kDefs[10] = {
    {61444, 4, 2, 0.125, 0},   {61444, 3, 1, 1, -125},        {61443, 2, 1, 0.4, 0},  {61443, 8, 1, 0.4, 0},
    {65247, 1, 1, 1, -125},    {65271, 7, 2, 0.05, 0},        {65262, 1, 1, 1, -40},  {65270, 2, 1, 2, 0},
    {65263, 4, 1, 4, 0},       {65031, 1, 2, 0.03125, -273},
};

std::uint32_t pgn_of(std::uint32_t id) {
  const std::uint32_t pf = (id >> 16) & 0xFF;
  std::uint32_t pgn = (id >> 8) & 0x3FFFF;
  if (pf < 240) pgn &= 0x3FF00;
  return pgn;
}

// Decoded value of signal `s` in frame `f` if the frame carries it: NaN for NA/error raw values.
bool decode(const Frame& f, int s, double& value) {
  if (!f.extended || (f.id & 0xFF) != 0x00 || pgn_of(f.id) != kDefs[s].pgn) return false;
  const SignalDef& d = kDefs[s];
  unsigned raw = f.data[static_cast<std::size_t>(d.byte_no - 1)];
  if (d.length == 2) raw |= static_cast<unsigned>(f.data[static_cast<std::size_t>(d.byte_no)]) << 8;
  const bool na = d.length == 1 ? raw >= 0xFE : raw >= 0xFE00;
  value = na ? std::nan("") : raw * d.scale + d.offset;
  return true;
}

struct Collected {
  SimRun run;
  std::vector<Frame> frames;
};

Collected run_sim(SimOptions o) {
  std::printf("[ sim      ] seed=%llu minutes=%.1f profile='%s' faults=%d\n",
              static_cast<unsigned long long>(o.seed), o.minutes, o.profile.c_str(), o.faults ? 1 : 0);
  Collected c;
  c.frames.reserve(static_cast<std::size_t>(o.minutes * 60 * 300));
  auto r = lc::sim::simulate(o, [&c](const Frame& f) { c.frames.push_back(f); });
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  if (r) c.run = std::move(r).value();
  return c;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string temp_prefix(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "lc_sim_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

double t_s(const Frame& f) { return static_cast<double>(f.time_ns) * 1e-9; }

// ---- determinism ----

TEST(Simulator, SameSeedGivesByteIdenticalFilesAndAnotherSeedDoesNot) {
  SimOptions o;
  o.minutes = 8;
  o.seed = 4242;
  o.faults = true;
  std::printf("[ sim      ] seed=4242 and 4243, 8 minutes, faults\n");
  ASSERT_TRUE(lc::sim::simulate_to_files(o, temp_prefix("a")));
  ASSERT_TRUE(lc::sim::simulate_to_files(o, temp_prefix("b")));
  o.seed = 4243;
  ASSERT_TRUE(lc::sim::simulate_to_files(o, temp_prefix("c")));
  const std::string a = slurp(temp_prefix("a") + ".log");
  const std::string b = slurp(temp_prefix("b") + ".log");
  const std::string c = slurp(temp_prefix("c") + ".log");
  ASSERT_GT(a.size(), 1000u);
  EXPECT_TRUE(a == b) << "same seed, different logs";
  EXPECT_TRUE(a != c) << "different seeds, same log";
  EXPECT_EQ(slurp(temp_prefix("a") + ".labels.csv"), slurp(temp_prefix("b") + ".labels.csv"));
  EXPECT_NE(slurp(temp_prefix("a") + ".labels.csv"), slurp(temp_prefix("c") + ".labels.csv"));
  // The files are what the contract says: a candump -L log and a labels file the reader accepts.
  EXPECT_EQ(a.rfind("(17", 0), 0u);
  EXPECT_NE(a.find(") can0 0CF00400#"), std::string::npos);
  auto labels = lc::read_labels_csv(temp_prefix("a") + ".labels.csv");
  ASSERT_TRUE(labels) << labels.error().message;
  EXPECT_GT(labels->size(), 10u);
}

// ---- rates and identifiers ----

TEST(Simulator, EngineMessagesUseJ1939IdsAndRates) {
  SimOptions o;
  o.minutes = 12;
  o.seed = 7;
  o.profile = "midsize";
  const Collected c = run_sim(o);
  ASSERT_FALSE(c.frames.empty());

  struct Rate {
    std::uint32_t id;
    double lo_ms, hi_ms;  // allowed interval range
  };
  const std::vector<Rate> rates = {{0x0CF00400, 10, 20},   {0x0CF00300, 50, 50},   {0x18FEDF00, 250, 250},
                                   {0x18FEF600, 500, 500}, {0x18FEEF00, 500, 500}, {0x18FE0700, 500, 500},
                                   {0x18FEEE00, 1000, 1000}, {0x18FEF700, 1000, 1000}};
  for (const auto& r : rates) {
    std::vector<double> gaps_ms;
    double last = -1;
    for (const auto& f : c.frames) {
      if (!f.extended || f.id != r.id) continue;
      EXPECT_EQ(f.dlc, 8);
      if (last >= 0) gaps_ms.push_back((t_s(f) - last) * 1000);
      last = t_s(f);
    }
    ASSERT_GT(gaps_ms.size(), 100u) << std::hex << r.id;
    // Engine-off periods are silent; ignore gaps over 3 periods, count the rest.
    std::vector<double> in_range;
    for (double g : gaps_ms) if (g < 3 * r.hi_ms) in_range.push_back(g);
    std::sort(in_range.begin(), in_range.end());
    const double p01 = in_range[in_range.size() / 100];
    const double p99 = in_range[in_range.size() * 99 / 100];
    double mean = 0;
    for (double g : in_range) mean += g;
    mean /= static_cast<double>(in_range.size());
    // Jitter of the ECU task and of bus queuing stays within a few percent and a millisecond or two.
    EXPECT_GE(p01, r.lo_ms * 0.9 - 1.2) << std::hex << r.id;
    EXPECT_LE(p99, r.hi_ms * 1.1 + 1.2) << std::hex << r.id;
    EXPECT_GE(mean, r.lo_ms * 0.99) << std::hex << r.id;
    EXPECT_LE(mean, r.hi_ms * 1.01) << std::hex << r.id;
  }

  // Traffic a decoder must ignore is there too.
  auto count = [&](auto pred) { return std::count_if(c.frames.begin(), c.frames.end(), pred); };
  EXPECT_GT(count([](const Frame& f) { return f.extended && f.id == 0x0CF00203; }), 10000);  // ETC1 from 0x03
  EXPECT_GT(count([](const Frame& f) { return f.extended && pgn_of(f.id) == 65226; }), 100);  // DM1
  EXPECT_GT(count([](const Frame& f) { return f.extended && (f.id & 0xFF) == 0x0B; }), 100);  // brakes
  EXPECT_GT(count([](const Frame& f) { return f.extended && (f.id & 0xFF) == 0x17; }), 100);  // cluster
  EXPECT_GT(count([](const Frame& f) { return !f.extended; }), 1000);                         // 11-bit
  // Frames are in time order on can0.
  for (std::size_t i = 1; i < c.frames.size(); ++i) {
    ASSERT_LE(c.frames[i - 1].time_ns, c.frames[i].time_ns) << i;
  }
  EXPECT_EQ(c.frames[0].interface_name(), "can0");
  EXPECT_EQ(c.frames[0].time_ns % 1000, 0);
}

// ---- encoding against the truth ----

TEST(Simulator, EncodedBytesDecodeToTheTruthWithinQuantisation) {
  for (const bool faults : {false, true}) {
    SimOptions o;
    o.minutes = 10;
    o.seed = 99 + (faults ? 1 : 0);
    o.faults = faults;
    struct Truth {
      std::int64_t t;
      int s;
      double v;
    };
    std::vector<Truth> pending;
    std::uint64_t checked = 0, na = 0, mismatched = 0, unmatched = 0;
    std::array<std::uint64_t, 10> per_signal{};
    o.on_truth = [&](std::int64_t t, int s, double v) { pending.push_back({t, s, v}); };
    std::printf("[ sim      ] seed=%llu minutes=10 faults=%d\n", static_cast<unsigned long long>(o.seed), faults);
    auto r = lc::sim::simulate(o, [&](const Frame& f) {
      for (int s = 0; s < 10; ++s) {
        double decoded = 0;
        if (!decode(f, s, decoded)) continue;
        auto it = std::find_if(pending.begin(), pending.end(),
                               [&](const Truth& x) { return x.t == f.time_ns && x.s == s; });
        if (it == pending.end()) {
          ++unmatched;
          continue;
        }
        ++checked;
        ++per_signal[static_cast<std::size_t>(s)];
        if (std::isnan(it->v) || std::isnan(decoded)) {
          na += std::isnan(decoded) ? 1 : 0;
          if (std::isnan(it->v) != std::isnan(decoded)) ++mismatched;
        } else if (std::abs(decoded - it->v) > kDefs[s].scale / 2 + 1e-9) {
          if (++mismatched < 5) ADD_FAILURE() << "signal " << s << " truth " << it->v << " decoded " << decoded;
        }
      }
      pending.clear();
    });
    ASSERT_TRUE(r);
    EXPECT_EQ(unmatched, 0u);
    EXPECT_EQ(mismatched, 0u);
    for (int s = 0; s < 10; ++s) EXPECT_GT(per_signal[static_cast<std::size_t>(s)], 100u) << "signal " << s;
    if (faults) {
      EXPECT_GT(na, 0u);
      EXPECT_EQ(na, r->summary.na_values);
    } else {
      EXPECT_EQ(na, 0u);
    }
    EXPECT_GT(checked, 50000u);
  }
}

// ---- labels and the work cycle ----

void expect_valid_labels(const SimRun& run, double minutes) {
  const auto& l = run.labels;
  ASSERT_FALSE(l.empty());
  EXPECT_DOUBLE_EQ(l.front().start_s, run.summary.start_s);
  EXPECT_NEAR(l.back().end_s, run.summary.start_s + minutes * 60, 1e-6);
  EXPECT_EQ(std::fmod(run.summary.start_s, 5.0), 0.0);
  for (std::size_t i = 0; i < l.size(); ++i) {
    EXPECT_GT(l[i].end_s, l[i].start_s);
    if (i == 0) continue;
    EXPECT_EQ(l[i].start_s, l[i - 1].end_s) << i;
    EXPECT_TRUE(lc::change_allowed(l[i - 1].state, l[i].state))
        << lc::state_name(l[i - 1].state) << " -> " << lc::state_name(l[i].state) << " at " << l[i].start_s;
  }
  // The labels survive the file format (millisecond boundaries).
  auto parsed = lc::parse_labels_csv(lc::format_labels_csv(l), "sim");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->size(), l.size());
}

TEST(Simulator, LongRunsHaveRealisticFailedLoadShareShortPhasesAndSilentEngineStops) {
  int loads = 0, failed = 0, trips = 0, two_change_windows = 0, on_boundary = 0, short_unloads = 0;
  int unloads = 0, short_failed_digs = 0;
  double longest_silence_s = 0;
  for (std::uint64_t seed : {1, 2, 3, 4, 5, 6}) {
    SimOptions o;
    o.minutes = 75;
    o.seed = seed;
    o.profile = lc::sim::profiles()[seed % 3];
    std::printf("[ sim      ] seed=%llu minutes=75 profile=%s\n", static_cast<unsigned long long>(seed),
                o.profile.c_str());
    std::vector<LabelInterval> labels;
    double last_t = -1;
    double silence = 0;
    auto r = lc::sim::simulate(o, [&](const Frame& f) {
      if (last_t >= 0) silence = std::max(silence, t_s(f) - last_t);
      last_t = t_s(f);
    });
    ASSERT_TRUE(r);
    expect_valid_labels(*r, o.minutes);
    longest_silence_s = std::max(longest_silence_s, silence);
    const auto& l = r->labels;
    loads += r->summary.loads;
    failed += r->summary.failed_loads;
    trips += r->summary.trips;
    EXPECT_GT(r->summary.loads, 20) << "seed " << seed;
    // Windows of 5 s from the start of the log.
    std::map<long, int> changes_per_window;
    for (std::size_t i = 1; i < l.size(); ++i) {
      const double rel = l[i].start_s - r->summary.start_s;
      const double k = std::floor(rel / 5 + 1e-9);
      if (std::abs(rel - 5 * std::round(rel / 5)) < 1e-6) ++on_boundary;
      ++changes_per_window[static_cast<long>(k)];
    }
    for (const auto& [w, n] : changes_per_window) two_change_windows += n >= 2 ? 1 : 0;
    for (std::size_t i = 1; i + 1 < l.size(); ++i) {
      const double len = l[i].end_s - l[i].start_s;
      if (l[i].state == State::Unloading) {
        ++unloads;
        if (len <= 5.0) ++short_unloads;
      }
      if (l[i].state == State::Loading && l[i + 1].state == State::Empty && len <= 4.0) ++short_failed_digs;
    }
  }
  const double share = static_cast<double>(failed) / (loads + failed);
  std::printf("[ sim      ] loads=%d trips=%d failed=%d share=%.3f two-change windows=%d changes on a 5 s "
              "boundary=%d unloads<=5s=%d/%d failed digs<=4s=%d longest silence=%.0f s\n",
              loads, trips, failed, share, two_change_windows, on_boundary, short_unloads, unloads,
              short_failed_digs, longest_silence_s);
  EXPECT_GE(share, 0.05);
  EXPECT_LE(share, 0.15);
  EXPECT_GT(two_change_windows, 20);
  EXPECT_GT(on_boundary, 10);
  EXPECT_GT(short_unloads, unloads / 2);
  EXPECT_GT(short_failed_digs, failed / 3);
  EXPECT_GT(longest_silence_s, 60.0) << "no engine stop with a silent bus in 7.5 hours";
}

TEST(Simulator, ColdStartShowsCrankingDipAndEngineAtRest) {
  SimOptions o;
  o.minutes = 2;
  o.seed = 5;
  const Collected c = run_sim(o);
  double first_rpm = -1, min_v_first_10s = 1e9, v_after = 0;
  int v_after_n = 0;
  const double t0 = c.run.summary.start_s;
  for (const auto& f : c.frames) {
    double v = 0;
    if (first_rpm < 0 && decode(f, 0, v)) first_rpm = v;
    if (decode(f, 5, v) && !std::isnan(v)) {
      if (t_s(f) - t0 < 10) min_v_first_10s = std::min(min_v_first_10s, v);
      if (t_s(f) - t0 > 60) {
        v_after += v;
        ++v_after_n;
      }
    }
  }
  ASSERT_GT(v_after_n, 10);
  v_after /= v_after_n;
  EXPECT_EQ(first_rpm, 0.0);                          // key on before the engine turns
  EXPECT_LT(min_v_first_10s, 0.8 * v_after);          // starter load pulls the battery down
  EXPECT_GT(v_after, 13.5 * (v_after > 20 ? 2 : 1));  // charging afterwards (12 or 24 V system)
  expect_valid_labels(c.run, o.minutes);
}

// ---- physics stays plausible ----

TEST(Simulator, SignalsStayPhysicallyPlausibleAndDigsLugTheEngine) {
  for (const std::string profile_name : {"compact", "midsize", "quarry"}) {
    SimOptions o;
    o.minutes = 30;
    o.seed = 17;
    o.profile = profile_name;
    const Collected c = run_sim(o);
    const auto profile = *lc::sim::find_profile(profile_name);
    const auto& labels = c.run.labels;
    double max_rpm = 0, max_coolant = -100, last_max_avail = 0, last_rpm = 0;
    double min_running_v = 1e9, max_v = 0;
    long dig_samples = 0, dig_lugging = 0, empty_samples = 0, empty_lugging = 0, low_oil = 0;
    double dig_rpm = 0, travel_rpm = 0;
    long travel_n = 0;
    for (const auto& f : c.frames) {
      double v = 0;
      if (decode(f, 3, v) && !std::isnan(v)) last_max_avail = v;
      if (decode(f, 6, v) && !std::isnan(v)) max_coolant = std::max(max_coolant, v);
      if (decode(f, 8, v) && !std::isnan(v) && last_rpm > 1.1 * profile.low_idle_rpm && v < 60) ++low_oil;
      if (decode(f, 5, v) && !std::isnan(v)) {
        max_v = std::max(max_v, v);
        if (last_rpm > profile.low_idle_rpm * 0.9 && t_s(f) - c.run.summary.start_s > 120) {
          min_running_v = std::min(min_running_v, v);
        }
      }
      double rpm = 0, torque = 0;
      if (!decode(f, 0, rpm) || !decode(f, 1, torque)) continue;
      last_rpm = rpm;
      max_rpm = std::max(max_rpm, rpm);
      const auto st = lc::state_at(labels, t_s(f));
      if (!st) continue;
      const bool lugging = torque >= last_max_avail - 4 && rpm < 0.97 * profile.high_idle_rpm;
      if (*st == State::Loading) {
        ++dig_samples;
        dig_lugging += lugging ? 1 : 0;
        dig_rpm += rpm;
      } else if (*st == State::Empty) {
        ++empty_samples;
        empty_lugging += lugging ? 1 : 0;
        if (rpm > profile.low_idle_rpm * 1.3) {
          travel_rpm += rpm;
          ++travel_n;
        }
      }
    }
    const double dig_share = static_cast<double>(dig_lugging) / static_cast<double>(dig_samples);
    const double empty_share = static_cast<double>(empty_lugging) / static_cast<double>(empty_samples);
    std::printf("[ sim      ] %s: max rpm %.0f (high idle %.0f), lugging in LOADING %.2f vs EMPTY %.2f, mean rpm "
                "digging %.0f vs moving empty %.0f, coolant max %.0f, running voltage %.2f..%.2f\n",
                profile_name.c_str(), max_rpm, profile.high_idle_rpm, dig_share, empty_share,
                dig_rpm / static_cast<double>(dig_samples), travel_rpm / static_cast<double>(travel_n), max_coolant,
                min_running_v, max_v);
    EXPECT_LE(max_rpm, profile.high_idle_rpm + 150);  // the governor holds high idle
    EXPECT_GT(dig_share, 0.25);                       // digs pull the engine onto its torque curve
    EXPECT_GT(dig_share, 2 * empty_share);
    // Pedal nearly floored in the pile, yet the speed sags well below high idle.
    EXPECT_LT(dig_rpm / static_cast<double>(dig_samples), 0.9 * profile.high_idle_rpm);
    EXPECT_LE(max_coolant, 100);                     // the thermostat and fan hold the temperature
    EXPECT_EQ(low_oil, 0);                            // oil pressure whenever the engine runs
    const double k = profile.system_voltage_v / 12;
    EXPECT_GT(min_running_v, 12.8 * k);               // charging while running
    EXPECT_LT(max_v, 14.8 * k);
  }
}

// ---- faults ----

TEST(Simulator, FaultsMakeGapsMissingPgnNaAndStuckValuesButLeaveLabelsAlone) {
  SimOptions o;
  o.minutes = 20;
  o.seed = 31;
  o.profile = "quarry";
  const Collected clean = run_sim(o);
  o.faults = true;
  std::map<int, std::pair<double, double>> stuck_since;  // signal -> (start time, value)
  double longest_stuck_s = 0;
  o.on_truth = [&](std::int64_t t, int s, double v) {
    auto it = stuck_since.find(s);
    const double ts = static_cast<double>(t) * 1e-9;
    if (it == stuck_since.end() || it->second.second != v) {
      stuck_since[s] = {ts, v};
    } else if (!std::isnan(v)) {
      longest_stuck_s = std::max(longest_stuck_s, ts - it->second.first);
    }
  };
  const Collected faulty = run_sim(o);

  // Labels are what the machine did, faults or not.
  ASSERT_EQ(clean.run.labels.size(), faulty.run.labels.size());
  for (std::size_t i = 0; i < clean.run.labels.size(); ++i) {
    EXPECT_EQ(clean.run.labels[i].start_s, faulty.run.labels[i].start_s);
    EXPECT_EQ(clean.run.labels[i].state, faulty.run.labels[i].state);
  }
  EXPECT_GT(faulty.run.summary.dropped_frames, 0u);
  EXPECT_GT(faulty.run.summary.na_values, 0u);

  // Bus gap: a silence of over a second that the clean run does not have at that time.
  // Longest silence of one id (0: of the whole bus), seconds; `at` is when it began.
  auto longest_gap = [](const std::vector<Frame>& fs, std::uint32_t id, double& at) {
    double best = 0, last = -1;
    for (const auto& f : fs) {
      if (id != 0 && f.id != id) continue;
      const double t = t_s(f);
      if (last >= 0 && t - last > best) {
        best = t - last;
        at = last;
      }
      last = t;
    }
    return best;
  };
  double at = 0;
  const double clean_gap = longest_gap(clean.frames, 0, at);
  const double fault_gap = longest_gap(faulty.frames, 0, at);
  std::printf("[ sim      ] longest silence clean %.3f s, with faults %.3f s\n", clean_gap, fault_gap);
  EXPECT_GT(fault_gap, 1.0);
  EXPECT_GT(fault_gap, clean_gap);

  // One contract PGN missing for minutes while the rest of the bus talks.
  double longest_missing = 0;
  for (std::uint32_t id : {0x0CF00400u, 0x0CF00300u, 0x18FEDF00u, 0x18FEF600u, 0x18FEEF00u, 0x18FE0700u,
                           0x18FEEE00u, 0x18FEF700u}) {
    longest_missing = std::max(longest_missing, longest_gap(faulty.frames, id, at));
  }
  EXPECT_GT(longest_missing, 100.0);
  EXPECT_GT(longest_missing, fault_gap + 60);

  // A stuck sensor: one signal's value frozen for minutes.
  EXPECT_GT(longest_stuck_s, 100.0);
}

// ---- options ----

TEST(Simulator, RejectsUnknownProfileNamingTheValidOnesAndBadMinutes) {
  SimOptions o;
  o.minutes = 1;
  o.profile = "excavator";
  auto r = lc::sim::simulate(o, [](const Frame&) {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, lc::ErrorKind::BadInput);
  EXPECT_NE(r.error().message.find("excavator"), std::string::npos);
  for (const auto& name : lc::sim::profiles()) EXPECT_NE(r.error().message.find(name), std::string::npos);
  EXPECT_GE(lc::sim::profiles().size(), 3u);
  o.profile.clear();
  o.minutes = 0;
  EXPECT_FALSE(lc::sim::simulate(o, [](const Frame&) {}));
  o.minutes = std::nan("");
  EXPECT_FALSE(lc::sim::simulate(o, [](const Frame&) {}));
}

TEST(Simulator, SeedChoosesProfilesAndStylesAndProfileOptionOverrides) {
  std::map<std::string, int> seen_profiles, seen_styles;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    SimOptions o;
    o.minutes = 0.05;
    o.seed = seed;
    auto r = lc::sim::simulate(o, [](const Frame&) {});
    ASSERT_TRUE(r);
    ++seen_profiles[r->summary.profile];
    ++seen_styles[r->summary.operator_style];
  }
  EXPECT_EQ(seen_profiles.size(), 3u);
  EXPECT_EQ(seen_styles.size(), 2u);
  SimOptions o;
  o.minutes = 0.05;
  o.profile = "compact";
  auto r = lc::sim::simulate(o, [](const Frame&) {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->summary.profile, "compact");
}

}  // namespace
