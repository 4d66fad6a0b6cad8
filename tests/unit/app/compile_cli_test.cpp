// `loadercount compile-model DIR`: a bundle whose JSON models came without compiled forests (trained in
// Python, or by an older loadercount) gets them, and replay then counts exactly as before; a directory that is
// not a bundle is a bad-input error naming its manifest.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

int run(const std::string& args) {
  return WEXITSTATUS(std::system((std::string(LC_RUN_PREFIX) + " " + std::string(LC_BIN_DIR) + "/loadercount " + args).c_str()));
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return nlohmann::json::parse(in);
}

TEST(CompileCli, WritesTheCompiledFormsAndReplayCountsTheSame) {
  const fs::path shipped = fs::path(LC_TEST_DATA_DIR) / ".." / ".." / "models" / "default";
  const fs::path dir = fs::path(::testing::TempDir()) / "compile_cli_bundle";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(shipped))
    if (e.path().extension() == ".json") fs::copy_file(e.path(), dir / e.path().filename());
  ASSERT_FALSE(fs::exists(dir / "position_0.forest"));
  const std::string log = std::string(LC_TEST_DATA_DIR) + "/golden/shift.log";
  const std::string before = ::testing::TempDir() + "/compile_cli_before.json";
  const std::string after = ::testing::TempDir() + "/compile_cli_after.json";
  ASSERT_EQ(run("replay " + log + " --model " + dir.string() + " --json " + before + " > /dev/null"), 0);
  ASSERT_EQ(run("compile-model " + dir.string() + " > /dev/null"), 0);
  for (const char* f : {"position_0.forest", "position_1.forest", "position_2.forest"}) {
    ASSERT_TRUE(fs::exists(dir / f)) << f;
    // The same bytes as the shipped ones (which train wrote from the same JSON).
    std::ifstream a(dir / f, std::ios::binary), b(shipped / f, std::ios::binary);
    const std::string x((std::istreambuf_iterator<char>(a)), {}), y((std::istreambuf_iterator<char>(b)), {});
    EXPECT_TRUE(x == y) << f;
  }
  ASSERT_EQ(run("replay " + log + " --model " + dir.string() + " --json " + after + " > /dev/null"), 0);
  const auto j0 = read_json(before), j1 = read_json(after);
  for (const char* k : {"trips", "loads", "failed_loads", "windows", "events"}) EXPECT_EQ(j0[k], j1[k]) << k;
}

TEST(CompileCli, NotABundleIsBadInputNamingTheManifest) {
  const fs::path dir = fs::path(::testing::TempDir()) / "compile_cli_empty";
  fs::create_directories(dir);
  const std::string err = ::testing::TempDir() + "/compile_cli_err.txt";
  EXPECT_EQ(run("compile-model " + dir.string() + " 2> " + err), 2);
  std::ifstream in(err);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("manifest.json"), std::string::npos) << text;
}

}  // namespace
