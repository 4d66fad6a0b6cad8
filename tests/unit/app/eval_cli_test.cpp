// `loadercount eval --windows OUT.csv` on the golden fixture: one row per window the JSON report counts, each
// with its true class, the three decoders' classes (the same counts the report gives) and a probability per
// model class. What a data scientist reads to see why a path went wrong must agree with what eval reports.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "window/states.h"

namespace {

std::string golden(const std::string& name) { return std::string(LC_TEST_DATA_DIR) + "/golden/" + name; }

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ',')) out.push_back(f);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

// Trips a path of window classes holds: UNLOADING -> EMPTY changes (in a path of the graph every change lies
// inside a window's class, as the next window starts in the state the last one ended in). -1 on a bad name.
int trips(const std::vector<std::string>& classes) {
  int n = 0;
  for (const auto& name : classes) {
    const auto c = lc::parse_window_class(name);
    if (!c) return -1;
    for (std::size_t i = 1; i < c->path.size(); ++i)
      n += c->path[i - 1] == lc::State::Unloading && c->path[i] == lc::State::Empty;
  }
  return n;
}

TEST(EvalCli, WindowsCsvHasEveryWindowWithTruthDecodedClassesAndProbabilities) {
  const std::string dir = ::testing::TempDir();
  const std::string csv = dir + "/eval_windows.csv", json = dir + "/eval.json";
  const std::string cmd = std::string(LC_RUN_PREFIX) + " " + std::string(LC_BIN_DIR) + "/loadercount eval --data " +
                          golden("shift.log") + ":" + golden("shift.labels.csv") + " --model " + std::string(LC_TEST_DATA_DIR) +
                          "/../../models/default --windows " + csv + " --json " + json + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

  std::ifstream jin(json);
  const nlohmann::json report = nlohmann::json::parse(jin);
  const auto& file = report["files"][0];
  std::ifstream manifest_in(std::string(LC_TEST_DATA_DIR) + "/../../models/default/manifest.json");
  const auto classes = nlohmann::json::parse(manifest_in)["classes"].get<std::vector<std::string>>();

  std::ifstream in(csv);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const auto header = split(line);
  ASSERT_EQ(header.size(), 7 + classes.size());
  EXPECT_EQ(header[0], "file");
  EXPECT_EQ(header[3], "truth");
  EXPECT_EQ(header[4], "online");
  for (std::size_t k = 0; k < classes.size(); ++k) EXPECT_EQ(header[7 + k], "p_" + classes[k]);

  std::map<std::string, std::vector<std::string>> decoded;
  std::size_t rows = 0, labelled = 0;
  double last_start = -1;
  while (std::getline(in, line)) {
    const auto f = split(line);
    ASSERT_EQ(f.size(), header.size()) << "row " << rows << ": " << line;
    EXPECT_EQ(f[0], "shift.log");
    EXPECT_EQ(std::stoul(f[1]), rows);
    const double start = std::stod(f[2]);
    EXPECT_GT(start, last_start) << "row " << rows;
    last_start = start;
    if (!f[3].empty()) ++labelled;
    for (std::size_t d = 0; d < 3; ++d) decoded[header[4 + d]].push_back(f[4 + d]);
    for (std::size_t k = 0; k < classes.size(); ++k) {
      const double p = std::stod(f[7 + k]);
      EXPECT_TRUE(p >= 0.0 && p <= 1.0) << "row " << rows << " " << header[7 + k] << " = " << p;
    }
    ++rows;
  }
  EXPECT_EQ(rows, file["windows"].get<std::size_t>());
  EXPECT_GT(labelled, rows / 2);
  // The decoded classes in the CSV count what the report counted (the fixture has a single segment).
  // (Greedy's classes need not form a path, so its events are not read off its classes this way.)
  for (const char* d : {"online", "offline"}) EXPECT_EQ(trips(decoded[d]), file[d]["trips"]["counted"].get<int>()) << d;
}

}  // namespace
