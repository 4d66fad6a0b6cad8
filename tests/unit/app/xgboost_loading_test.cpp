// XGBoost's library is loaded on first use (src/model/xgb.cpp), not linked: replay and the daemon score with
// the compiled forests and must start without it (~6 ms and ~4.6 MB of RSS per process on the development
// VM). The dynamic loader's own trace (LD_DEBUG=files) lists every library a process loads, linked or
// dlopen()ed, so these tests watch the real binary rather than trusting the link line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

// Runs `loadercount replay` on the golden log with `extra` options and returns the loader's trace.
std::string loader_trace(const std::string& extra, const std::string& tag) {
  const std::string trace = ::testing::TempDir() + "/xgb_loading_" + tag + ".txt";
  const std::string data = std::string(LC_TEST_DATA_DIR);
  const std::string cmd = "LD_DEBUG=files " + std::string(LC_RUN_PREFIX) + " " + std::string(LC_BIN_DIR) +
                          "/loadercount replay " + data + "/golden/shift.log --model " + data +
                          "/../../models/default " + extra + " > /dev/null 2> " + trace;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(trace);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(XGBoostLoading, ReplayWithTheCompiledForestsNeverLoadsXGBoost) {
  const std::string trace = loader_trace("", "forest");
  // The trace is there at all (else the check below would pass on nothing): the C library is in it (libstdc++
  // is not: loadercount carries its own, LC_STATIC_LIBSTDCXX).
  ASSERT_NE(trace.find("file=libc.so"), std::string::npos) << "no loader trace:\n" << trace.substr(0, 2000);
  EXPECT_EQ(trace.find("libxgboost"), std::string::npos) << "replay loaded XGBoost:\n" << trace.substr(0, 4000);
}

TEST(XGBoostLoading, TheXGBoostScorerLoadsItOnDemand) {
  const std::string trace = loader_trace("--scorer xgboost", "xgboost");
  EXPECT_NE(trace.find(std::string("file=") + LC_XGBOOST_SONAME), std::string::npos)
      << "the XGBoost scorer ran without loading " << LC_XGBOOST_SONAME << ":\n" << trace.substr(0, 4000);
}

}  // namespace
