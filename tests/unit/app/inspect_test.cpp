// inspect on the real recorded logs in ../shared/data/real: figures from that folder's README.
#include "app/inspect.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace lc::app {
namespace {

std::string real(const std::string& name) { return std::string(LC_SHARED_DIR) + "/data/real/" + name; }

InspectReport inspect(const std::string& name) {
  auto plan = default_decode_plan();
  EXPECT_TRUE(plan);
  auto r = inspect_log(real(name), *plan, false);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return *r;
}

const SignalStats& sig(const InspectReport& r, const char* name) { return r.signals[*signal_index(name)]; }

TEST(InspectReal, JohnDeereHighRpm) {
  const InspectReport r = inspect("jd5055e_highrpm1.candump.log");
  EXPECT_EQ(r.frames, 7736u);
  EXPECT_EQ(sig(r, "engine_speed_rpm").min, 0.0);
  EXPECT_EQ(sig(r, "engine_speed_rpm").max, 1259.5);
  EXPECT_EQ(sig(r, "coolant_temp_c").min, 30.0);
  EXPECT_EQ(sig(r, "coolant_temp_c").max, 31.0);
  // SA 0x00 sends EEC1, EEC2, EEC3, ET1, EFL/P1, IC1, VEP1: all decode; ET (exhaust) is absent on this bus.
  for (const char* s : {"engine_speed_rpm", "accel_pedal_pct", "friction_torque_pct", "coolant_temp_c", "oil_pressure_kpa",
                        "intake_manifold_pressure_kpa", "keyswitch_voltage_v"})
    EXPECT_GT(sig(r, s).count, 0u) << s;
  EXPECT_EQ(sig(r, "exhaust_temp_right_c").count, 0u);
  // Max available torque is sent as "not available" (0xFF) by this tractor: missing, never a number.
  EXPECT_EQ(sig(r, "max_available_torque_pct").count, 0u);
  EXPECT_GT(sig(r, "max_available_torque_pct").missing, 0u);
}

TEST(InspectReal, JohnDeereRevUpDown) {
  const InspectReport r = inspect("jd5055e_rev_up_down.candump.log");
  EXPECT_EQ(r.frames, 1888u);
  EXPECT_EQ(sig(r, "engine_speed_rpm").min, 899.5);
  EXPECT_EQ(sig(r, "engine_speed_rpm").max, 1681.25);
  EXPECT_EQ(sig(r, "coolant_temp_c").min, 60.0);
  EXPECT_EQ(sig(r, "coolant_temp_c").max, 76.0);
}

TEST(InspectReal, CanEdgeIdleIgnoresItsStandardFrames) {
  const InspectReport r = inspect("canedge_idle.candump.log");
  EXPECT_EQ(r.frames, 57849u);
  EXPECT_EQ(r.ignored_standard, 12278u);
  EXPECT_EQ(sig(r, "engine_speed_rpm").min, 646.5);
  EXPECT_EQ(sig(r, "engine_speed_rpm").max, 653.75);
  EXPECT_EQ(sig(r, "coolant_temp_c").min, 71.0);
  EXPECT_EQ(sig(r, "coolant_temp_c").max, 72.0);
}

TEST(InspectReal, CanEdgeBamEngineOff) {
  const InspectReport r = inspect("canedge_bam.candump.log");
  EXPECT_EQ(r.frames, 1815u);
  EXPECT_GT(sig(r, "engine_speed_rpm").count, 0u);
  EXPECT_EQ(sig(r, "engine_speed_rpm").min, 0.0);
  EXPECT_EQ(sig(r, "engine_speed_rpm").max, 0.0);
  bool has_tp = false;  // TP.CM (0xEC00) and TP.DT (0xEB00) are on this bus and are ignored
  for (const auto& p : r.pgns) has_tp = has_tp || p.pgn == 0xEB00 || p.pgn == 0xEC00;
  EXPECT_TRUE(has_tp);
}

TEST(InspectReal, JsonHasTheContractFields) {
  const InspectReport r = inspect("canedge_idle.candump.log");
  const auto j = to_json(r);
  EXPECT_EQ(j["frames"].get<std::uint64_t>(), 57849u);
  for (const auto& s : kEngineSignals) {
    ASSERT_TRUE(j["signals"].contains(std::string(s.name))) << s.name;
    for (const char* k : {"count", "min", "max", "mean"}) EXPECT_TRUE(j["signals"][std::string(s.name)].contains(k));
  }
  EXPECT_EQ(j["signals"]["engine_speed_rpm"]["max"].get<double>(), 653.75);
  EXPECT_EQ(j["ignored"]["standard_11bit"].get<std::uint64_t>(), 12278u);
}

// The command line: exit codes of the contract (0 ok, 2 bad input naming file and line).
int run(const std::string& args) { return WEXITSTATUS(std::system((std::string(LC_RUN_PREFIX) + " " + std::string(LC_BIN_DIR) + "/loadercount " + args).c_str())); }

TEST(InspectCli, ExitCodes) {
  const std::string dir = ::testing::TempDir();
  EXPECT_EQ(run("inspect " + real("jd5055e_rev_up_down.candump.log") + " --json " + dir + "/i.json > /dev/null"), 0);
  std::ifstream in(dir + "/i.json");
  EXPECT_TRUE(in.good());
  EXPECT_EQ(run("inspect /nonexistent.log 2> /dev/null"), 2);
  EXPECT_EQ(run("inspect 2> /dev/null"), 2);
  {
    std::ofstream(dir + "/garbage.log") << "(1.000000) can0 123#00\nnot a frame\n";
  }
  EXPECT_EQ(run("inspect " + dir + "/garbage.log > /dev/null 2>&1"), 0);
  const std::string err = dir + "/err.txt";
  EXPECT_EQ(run("inspect --strict " + dir + "/garbage.log > /dev/null 2> " + err), 2);
  std::ifstream e(err);
  std::string msg((std::istreambuf_iterator<char>(e)), {});
  EXPECT_NE(msg.find("garbage.log:2:"), std::string::npos) << msg;
  {
    std::ofstream(dir + "/bad.dbc") << "BO_ 100 M: 8 X\n SG_ a : 0|8@3+ (1,0) [0|1] \"\" X\n";
  }
  EXPECT_EQ(run("inspect " + real("jd5055e_rev_up_down.candump.log") + " --dbc " + dir + "/bad.dbc > /dev/null 2> " + err), 2);
  std::ifstream e2(err);
  std::string msg2((std::istreambuf_iterator<char>(e2)), {});
  EXPECT_NE(msg2.find("bad.dbc:2:"), std::string::npos) << msg2;
}

TEST(InspectCli, CssDemoDbcDecodesEngineSpeedFromSourceZero) {
  const std::string dir = ::testing::TempDir();
  ASSERT_EQ(run("inspect " + real("canedge_idle.candump.log") + " --dbc " + real("css_j1939_demo.dbc") + " --json " + dir +
                "/css.json > /dev/null"),
            0);
  std::ifstream in(dir + "/css.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["signals"]["engine_speed_rpm"]["min"].get<double>(), 646.5);
  EXPECT_EQ(j["signals"]["engine_speed_rpm"]["max"].get<double>(), 653.75);
}

}  // namespace
}  // namespace lc::app
