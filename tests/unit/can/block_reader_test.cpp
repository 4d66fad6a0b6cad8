// BlockReader (src/can/block_reader.h): blocks come in file order with the carried bytes in front, however
// the reading is shared with read_ahead(); the ring never gives a slot away that the reader still holds; the
// end of the file and read errors are where they are. Reading through read_candump_file with a thread reading
// ahead is checked line by line in candump_fastpath_test.cpp.
#include "can/block_reader.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "can/candump.h"

namespace lc::can {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

BlockReader::Layout layout(std::size_t block, std::size_t slots) { return {block, 64, 16, slots}; }

// Reads the whole file, carrying a random number of the last bytes of each block into the next, and checks
// that every block holds exactly the file's bytes at its place with the carried ones in front.
void expect_blocks_in_order(BlockReader& r, const std::string& text, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::size_t carry = 0;
  std::size_t offset = 0;  // where in the file the next block's own bytes start
  for (int n = 0;; ++n) {
    auto b = r.next(carry);
    ASSERT_TRUE(b) << b.error().message;
    ASSERT_GE(b->size, carry);
    ASSERT_LE(offset + b->size - carry, text.size());
    ASSERT_EQ(std::string(b->data, b->size), text.substr(offset - carry, b->size)) << "block " << n;
    offset += b->size - carry;
    if (b->last) break;
    carry = std::min<std::size_t>(b->size, rng() % (r.layout().head + 1));
  }
  EXPECT_EQ(offset, text.size());
}

TEST(BlockReader, BlocksComeInFileOrderWithTheCarriedBytesInFront) {
  for (std::size_t size : {0, 1, 99, 100, 101, 1000, 12345}) {
    const std::string text = random_bytes(size, size);
    const std::string path = write_temp("blocks.bin", text);
    auto r = BlockReader::open(path, layout(100, 2));
    ASSERT_TRUE(r);
    SCOPED_TRACE(size);
    expect_blocks_in_order(**r, text, size);
  }
}

TEST(BlockReader, ReadAheadFromAnotherThreadChangesNothing) {
  const std::string text = random_bytes(200000, 7);
  const std::string path = write_temp("ahead.bin", text);
  for (std::size_t slots : {2, 3, 8}) {
    for (int round = 0; round < 20; ++round) {
      auto r = BlockReader::open(path, layout(97, slots));
      ASSERT_TRUE(r);
      std::atomic<bool> done{false};
      std::thread helper([&] {
        while (!done.load()) (*r)->read_ahead();
      });
      expect_blocks_in_order(**r, text, static_cast<std::uint64_t>(round));
      done.store(true);
      helper.join();
    }
  }
}

// The slot of the block the reader holds is never read into: with `slots` slots, read_ahead() reads exactly
// `slots` blocks before the reader has taken any, and one more each time the reader gives one up.
TEST(BlockReader, ReadAheadStopsWhereTheRingIsFull) {
  const std::string text = random_bytes(1000, 3);  // blocks 0-9 and an empty block 10
  const std::string path = write_temp("ring.bin", text);
  auto r = BlockReader::open(path, layout(100, 4));
  ASSERT_TRUE(r);
  BlockReader& reader = **r;
  int ahead = 0;
  while (reader.read_ahead()) ++ahead;
  EXPECT_EQ(ahead, 4);  // blocks 0-3
  auto b0 = reader.next(0);  // holds block 0: blocks 1-3 are ahead, the ring is full
  ASSERT_TRUE(b0);
  EXPECT_EQ(std::string(b0->data, b0->size), text.substr(0, 100));
  EXPECT_FALSE(reader.read_ahead());
  auto b1 = reader.next(10);  // gives block 0 up: block 4 may come in
  ASSERT_TRUE(b1);
  EXPECT_EQ(std::string(b1->data, b1->size), text.substr(90, 110));
  EXPECT_TRUE(reader.read_ahead());
  EXPECT_FALSE(reader.read_ahead());
  for (int i = 2; i <= 10; ++i) {
    auto b = reader.next(0);
    ASSERT_TRUE(b);
    EXPECT_EQ(std::string(b->data, b->size), text.substr(100 * static_cast<std::size_t>(i), 100));
    EXPECT_EQ(b->last, i == 10);
    while (reader.read_ahead()) {
    }
  }
}

TEST(BlockReader, APipeIsReadInOrderByTheReaderAlone) {
  const std::string fifo = ::testing::TempDir() + "/blocks.fifo";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string text = random_bytes(5000, 11);
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << text; });
  // If an assertion below returns early, the writer may still be blocked opening the FIFO for a reader that
  // never came: open it here (non-blocking) so the writer finishes into the pipe buffer, then join it. The
  // test then fails instead of aborting on a joinable thread.
  struct Release {
    const std::string& path;
    std::thread& t;
    ~Release() {
      if (!t.joinable()) return;
      const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
      t.join();
      if (fd >= 0) ::close(fd);
    }
  } release{fifo, writer};
  auto r = BlockReader::open(fifo, layout(64, 4));
  ASSERT_TRUE(r);
  EXPECT_FALSE((*r)->read_ahead());
  EXPECT_EQ((*r)->file_size(), 0u);
  expect_blocks_in_order(**r, text, 5);
  writer.join();
  ::unlink(fifo.c_str());
}

TEST(BlockReader, ErrorsNameTheFile) {
  auto missing = BlockReader::open("/nonexistent/x.log", layout(64, 2));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/x.log"), std::string::npos);
  // A directory opens, and its first read fails (EISDIR): read_candump_file reports it with the path.
  const std::string dir = ::testing::TempDir() + "/a_directory.log";
  ::mkdir(dir.c_str(), 0700);
  auto st = read_candump_file(dir, [](const Frame&) {});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find(dir + ": read error"), std::string::npos) << st.error().message;
  EXPECT_FALSE(BlockReader::open(dir, {64, 64, 16, 1}));  // one slot cannot carry a line over
}

}  // namespace
}  // namespace lc::can
