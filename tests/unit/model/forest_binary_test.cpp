// The compiled forest (Forest::to_binary / from_binary): loading it must give exactly the forest the JSON
// gives, and anything else - another JSON's compiled form, a damaged or truncated file, a file whose trees
// would send a walk outside its tree - must be refused with an error naming the file, so that the bundle
// falls back to the JSON (model_test checks that side).
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "model/forest.h"
#include "util/file.h"
#include "util/fingerprint.h"

namespace lc::model {
namespace {

const std::string kDefaultModel = std::string(LC_TEST_DATA_DIR) + "/../../models/default";
constexpr std::size_t kHeader = 72;  // forest_binary.cpp's header: the node array starts here
constexpr std::size_t kBodyFingerprintAt = 24;

Forest json_forest(int position, std::string* json_out = nullptr) {
  const std::string path = kDefaultModel + "/position_" + std::to_string(position) + ".json";
  auto json = read_file(path);
  EXPECT_TRUE(json) << json.error().message;
  auto f = Forest::from_xgboost_json(*json, path);
  EXPECT_TRUE(f) << f.error().message;
  if (json_out) *json_out = *json;
  return std::move(*f);
}

std::vector<float> predict_rows(const Forest& f, std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<float> row(f.num_features()), out, p(f.num_classes());
  for (std::size_t r = 0; r < rows; ++r) {
    for (auto& v : row)
      v = rng() % 6 == 0 ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(static_cast<int>(rng() % 20001) - 10000) / 7.0f;
    f.predict(row.data(), p);
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

TEST(CompiledForest, RoundTripsEveryShippedModelExactly) {
  for (int pos = 0; pos < 3; ++pos) {
    std::string json;
    const Forest a = json_forest(pos, &json);
    const std::string bin = a.to_binary(fingerprint64(json));
    EXPECT_LT(bin.size(), json.size() / 3) << "the compiled form should be far smaller than the JSON";
    auto b = Forest::from_binary(bin, fingerprint64(json), "position.forest");
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_TRUE(a.same_trees(*b)) << "position " << pos;
    EXPECT_EQ(a.max_depth(), b->max_depth());
    const auto pa = predict_rows(a, 300, 11 + static_cast<unsigned>(pos));
    const auto pb = predict_rows(*b, 300, 11 + static_cast<unsigned>(pos));
    ASSERT_EQ(pa.size(), pb.size());
    EXPECT_EQ(std::memcmp(pa.data(), pb.data(), pa.size() * sizeof(float)), 0) << "position " << pos;
  }
}

TEST(CompiledForest, TheShippedCompiledFilesAreUpToDate) {
  // models/default carries its compiled forests; they must be the ones its JSON gives (else the bundle
  // silently falls back to the slow path, or - worse - a stale file would be trusted).
  for (int pos = 0; pos < 3; ++pos) {
    std::string json;
    const Forest a = json_forest(pos, &json);
    auto bytes = read_file(kDefaultModel + "/position_" + std::to_string(pos) + ".forest");
    ASSERT_TRUE(bytes) << bytes.error().message << " (run: loadercount compile-model models/default)";
    auto b = Forest::from_binary(*bytes, fingerprint64(json), "shipped.forest");
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_TRUE(a.same_trees(*b));
  }
}

void expect_refused(const std::string& bytes, std::uint64_t fp, const std::string& needle) {
  auto f = Forest::from_binary(bytes, fp, "bad.forest");
  ASSERT_FALSE(f) << "accepted a compiled forest it must refuse (" << needle << ")";
  EXPECT_NE(f.error().message.find("bad.forest"), std::string::npos) << f.error().message;
  EXPECT_NE(f.error().message.find(needle), std::string::npos) << f.error().message;
}

// Re-stamps the body fingerprint, so a structural damage reaches the structure checks.
std::string restamp(std::string b) {
  const std::uint64_t fp = fingerprint64(std::string_view(b).substr(kHeader));
  for (int i = 0; i < 8; ++i) b[kBodyFingerprintAt + static_cast<std::size_t>(i)] = static_cast<char>((fp >> (8 * i)) & 0xFF);
  return b;
}
void put32(std::string& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
std::uint32_t get32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
  return v;
}

TEST(CompiledForest, RefusesAnotherJsonsAndDamagedFiles) {
  std::string json;
  const Forest a = json_forest(1, &json);
  const std::uint64_t fp = fingerprint64(json);
  const std::string good = a.to_binary(fp);
  ASSERT_TRUE(Forest::from_binary(good, fp, "good.forest"));
  expect_refused(good, fp ^ 1, "fingerprint differs");
  expect_refused(good.substr(0, good.size() - 4), fp, "damaged");
  expect_refused(good.substr(0, 40), fp, "LCFOREST");
  expect_refused("", fp, "LCFOREST");
  std::string magic = good;
  magic[0] = 'X';
  expect_refused(magic, fp, "LCFOREST");
  std::string version = good;
  put32(version, 8, 2);
  expect_refused(version, fp, "version 2");
  // Any flipped bit in the trees is caught by the body fingerprint (a flipped threshold would otherwise
  // still be a valid forest, only a wrong one).
  std::mt19937 rng(9);
  for (int i = 0; i < 200; ++i) {
    std::string d = good;
    const std::size_t at = kHeader + rng() % (good.size() - kHeader);
    d[at] = static_cast<char>(d[at] ^ (1 << (rng() % 8)));
    expect_refused(d, fp, "damaged");
  }
  // Header damage that the body fingerprint does not cover: more nodes than the file holds.
  std::string count = good;
  put32(count, 56, get32(count, 56) + 1);
  expect_refused(count, fp, "header promises");
}

TEST(CompiledForest, RefusesTreesThatWouldSendAWalkAstray) {
  std::string json;
  const Forest a = json_forest(2, &json);
  const std::uint64_t fp = fingerprint64(json);
  const std::string good = a.to_binary(fp);
  // Node 0 is the first tree's root, a split (the shipped trees are deeper than one leaf).
  ASSERT_EQ(get32(good, kHeader + 8) & 0x40000000u, 0u);
  std::string loop = good;
  put32(loop, kHeader + 4, 0);  // root's children point back at itself: a walk would never end
  expect_refused(restamp(loop), fp, "children outside its tree");
  std::string feature = good;
  put32(feature, kHeader + 8, static_cast<std::uint32_t>(a.num_features()));
  expect_refused(restamp(feature), fp, "feature out of range");
  const std::size_t nodes = (good.size() - kHeader - a.num_trees() * 8) / 12;
  std::string cls = good;
  put32(cls, kHeader + nodes * 12 + a.num_trees() * 4, static_cast<std::uint32_t>(a.num_classes()));
  expect_refused(restamp(cls), fp, "scores class");
  std::string root = good;
  put32(root, kHeader + nodes * 12, 5);
  expect_refused(restamp(root), fp, "does not start at node 0");
  // A leaf (the last node is one) that does not point at itself.
  std::string leaf = good;
  put32(leaf, kHeader + (nodes - 1) * 12 + 4, 0);
  expect_refused(restamp(leaf), fp, "malformed leaf");
  // predict() sends a missing value to -inf (left) or +inf (right) and holds a lane at its leaf by -inf < the
  // leaf value: a threshold or leaf value that is not finite would walk elsewhere than XGBoost.
  for (const std::size_t node : {std::size_t{0}, nodes - 1}) {
    for (const float v : {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN()}) {
      std::string inf = good;
      put32(inf, kHeader + node * 12, std::bit_cast<std::uint32_t>(v));
      expect_refused(restamp(inf), fp, "not finite");
    }
  }
}

TEST(Fingerprint, SeesEveryByteAndTheLength) {
  const std::string s = "the quick brown fox jumps over the lazy dog, twice over";
  const std::uint64_t h = fingerprint64(s);
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::string t = s;
    t[i] = static_cast<char>(t[i] ^ 1);
    EXPECT_NE(fingerprint64(t), h) << "byte " << i;
  }
  EXPECT_NE(fingerprint64(s + std::string(1, '\0')), h);
  EXPECT_NE(fingerprint64(s.substr(0, s.size() - 1)), h);
  EXPECT_EQ(fingerprint64(std::string(s)), h);
  EXPECT_NE(fingerprint64(""), fingerprint64(std::string(1, '\0')));
}

}  // namespace
}  // namespace lc::model
