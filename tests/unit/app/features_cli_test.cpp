// `loadercount features CSV --json OUT` on tsfresh's own reference series: the tool data scientists use to check
// parity must give tsfresh's values under tsfresh's names (the calculators themselves are checked in
// tests/unit/features/parity_test.cpp; this checks the command: CSV reading, id grouping, names, NaN as null).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return nlohmann::json::parse(in);
}

int run(const std::string& args) {
  return WEXITSTATUS(std::system((std::string(LC_RUN_PREFIX) + " " + std::string(LC_BIN_DIR) + "/loadercount " + args).c_str()));
}

TEST(FeaturesCli, ReferenceSeriesGiveTsfreshValuesUnderTsfreshNames) {
  const auto series = read_json(std::string(LC_SHARED_DIR) + "/data/tsfresh/series.json");
  const auto ref = read_json(std::string(LC_SHARED_DIR) + "/data/tsfresh/reference.json");
  // Series without ill-conditioned features (see the README's parity table); two ids interleaved row by row.
  const std::vector<std::string> ids = {"random_normal_n50", "sine_noise_n10", "integer_ties_n5"};
  const std::string dir = ::testing::TempDir();
  {
    std::ofstream csv(dir + "/series.csv");
    csv << "id,value\n";
    std::vector<std::vector<double>> values;
    for (const auto& id : ids)
      for (const auto& s : series["series"])
        if (s["id"] == id) values.push_back(s["values"].get<std::vector<double>>());
    ASSERT_EQ(values.size(), ids.size());
    for (std::size_t i = 0; i < 50; ++i)
      for (std::size_t k = 0; k < ids.size(); ++k)
        if (i < values[k].size()) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.17g", values[k][i]);
          csv << ids[k] << "," << buf << "\n";
        }
  }
  ASSERT_EQ(run("features " + dir + "/series.csv --json " + dir + "/features.json > /dev/null"), 0);
  const auto got = read_json(dir + "/features.json");
  const auto& names = ref["feature_names"];
  for (const auto& id : ids) {
    ASSERT_TRUE(got.contains(id)) << id;
    ASSERT_EQ(got[id].size(), names.size()) << id;
    for (const auto& n : names) {
      const std::string name = n.get<std::string>();
      ASSERT_TRUE(got[id].contains(name)) << name;
      if (name.find("attr_\"angle\"") != std::string::npos) continue;  // noise for zero bins (README)
      const auto& want = ref["values"][id][name];
      const auto& have = got[id][name];
      if (want.is_null()) {
        EXPECT_TRUE(have.is_null()) << id << " " << name;
        continue;
      }
      ASSERT_TRUE(have.is_number()) << id << " " << name;
      const double w = want.is_string() ? (want == "inf" ? INFINITY : -INFINITY) : want.get<double>();
      const double h = have.get<double>();
      EXPECT_LE(std::fabs(h - w), std::max(1e-12, 1e-9 * std::max(std::fabs(h), std::fabs(w)))) << id << " " << name;
    }
  }
}

TEST(FeaturesCli, BadCsvNamesTheLine) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/bad.csv") << "id,value\na,1\na,x\n";
  const std::string err = dir + "/features_err.txt";
  EXPECT_EQ(run("features " + dir + "/bad.csv > /dev/null 2> " + err), 2);
  std::ifstream e(err);
  const std::string msg((std::istreambuf_iterator<char>(e)), {});
  EXPECT_NE(msg.find("bad.csv:3:"), std::string::npos) << msg;
  std::ofstream(dir + "/nohdr.csv") << "a,1\n";
  EXPECT_EQ(run("features " + dir + "/nohdr.csv > /dev/null 2>&1"), 2);
}

}  // namespace
