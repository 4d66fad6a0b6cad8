// Golden end-to-end test: a short candump log committed in tests/data/golden/ and the counts the shipped model
// (models/default) gives for it with each decoder, plus the truth from its labels. A change anywhere on the
// data path (parsing, decode, grid, windows, features, model loading, decoding, counting) that changes what the
// product reports shows up here. Regenerate deliberately with tools/make_golden.sh after a model change.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

namespace {

std::string golden(const std::string& name) { return std::string(LC_TEST_DATA_DIR) + "/golden/" + name; }

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return nlohmann::json::parse(in);
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, ReplayGivesTheRecordedCountsAndEvents) {
  const std::string decoder = GetParam();
  const nlohmann::json expected = read_json(golden("shift.expected.json"));
  const std::string out = ::testing::TempDir() + "/golden_" + decoder + ".json";
  const std::string cmd = std::string(LC_RUN_PREFIX) + " " + std::string(LC_BIN_DIR) + "/loadercount replay " + golden("shift.log") + " --model " +
                          std::string(LC_TEST_DATA_DIR) + "/../../models/default --decoder " + decoder + " --json " + out +
                          " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const nlohmann::json got = read_json(out);
  const nlohmann::json& want = expected["decoders"][decoder];
  for (const char* k : {"trips", "loads", "failed_loads", "windows", "degraded_windows"}) EXPECT_EQ(got[k], want[k]) << k;
  ASSERT_EQ(got["events"].size(), want["events"].size());
  for (std::size_t i = 0; i < got["events"].size(); ++i) {
    EXPECT_EQ(got["events"][i]["type"], want["events"][i]["type"]) << "event " << i;
    EXPECT_EQ(got["events"][i]["time"], want["events"][i]["time"]) << "event " << i;
    EXPECT_EQ(got["events"][i]["counters"], want["events"][i]["counters"]) << "event " << i;
  }
  // Time per state: whole milliseconds (no float noise such as 30.000000000000004), adding up to the windows'.
  double total = 0;
  for (const auto& [state, v] : got["state_seconds"].items()) {
    const double s = v.get<double>();
    EXPECT_EQ(s * 1000.0, std::round(s * 1000.0)) << state << " " << v.dump();
    total += s;
  }
  EXPECT_NEAR(total, got["windows"].get<double>() * 5.0, 0.002);
}

INSTANTIATE_TEST_SUITE_P(Decoders, Golden, ::testing::Values("online", "offline", "greedy"));

TEST(Golden, TheFixtureHoldsRealWork) {
  // The fixture must contain cycles, or the test above would pass on an empty log.
  const nlohmann::json expected = read_json(golden("shift.expected.json"));
  EXPECT_GE(expected["truth"]["trips"].get<int>(), 3);
  EXPECT_GE(expected["truth"]["loads"].get<int>(), 3);
}

}  // namespace
