// PageBlock: the bytes asked for, zero-filled, writable, aligned so that a huge page can back them; a move
// hands the mapping over (the moved-from block owns nothing and frees nothing); an empty block maps nothing.
// How many page faults the block saves is the benchmark's business (BENCHMARKS.md), not a test's.
#include "util/page_block.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

namespace lc {
namespace {

constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;

bool all_zero(const PageBlock& b) {
  const auto* p = static_cast<const unsigned char*>(b.data());
  return std::all_of(p, p + b.size(), [](unsigned char c) { return c == 0; });
}

TEST(PageBlock, GivesZeroedWritableMemoryAlignedForAHugePage) {
  for (const std::size_t bytes : {std::size_t{1}, std::size_t{4096}, std::size_t{800} << 10, std::size_t{5} << 20}) {
    PageBlock b(bytes);
    ASSERT_NE(b.data(), nullptr) << bytes;
    EXPECT_EQ(b.size(), bytes);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b.data()) % kHugePage, 0u) << bytes;
    EXPECT_TRUE(all_zero(b)) << bytes;
    std::memset(b.data(), 0xA5, bytes);  // every byte writable: a short mapping would fault here
    EXPECT_EQ(static_cast<unsigned char*>(b.data())[bytes - 1], 0xA5);
  }
}

TEST(PageBlock, AMoveHandsTheMappingOver) {
  PageBlock a(std::size_t{3} << 20);
  static_cast<char*>(a.data())[12345] = 7;
  void* const where = a.data();
  PageBlock b(std::move(a));
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(b.data(), where);
  EXPECT_EQ(static_cast<char*>(b.data())[12345], 7);
  PageBlock c(4096);
  c = std::move(b);  // c's own mapping is released, b's taken over
  EXPECT_EQ(c.data(), where);
  EXPECT_EQ(c.size(), std::size_t{3} << 20);
  EXPECT_EQ(b.data(), nullptr);
}

TEST(PageBlock, AnEmptyBlockMapsNothing) {
  PageBlock none;
  EXPECT_EQ(none.data(), nullptr);
  EXPECT_EQ(none.size(), 0u);
  PageBlock zero(0);
  EXPECT_EQ(zero.data(), nullptr);
  EXPECT_EQ(zero.size(), 0u);
}

}  // namespace
}  // namespace lc
