#include "can/candump.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <vector>

namespace lc::can {
namespace {

std::string tmp_path(const std::string& name) { return ::testing::TempDir() + "/" + name; }

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(CandumpParse, LogFormatSixDigits29Bit) {
  Frame f;
  ASSERT_EQ(parse_candump_line("(1763700000.123456) can0 0CF00400#F07D9A401F00FF7D", f), LineKind::Frame);
  EXPECT_EQ(f.time_ns, 1763700000123456000LL);
  EXPECT_TRUE(f.extended);
  EXPECT_EQ(f.id, 0x0CF00400u);
  EXPECT_EQ(f.dlc, 8);
  EXPECT_EQ(f.data[0], 0xF0);
  EXPECT_EQ(f.data[7], 0x7D);
  EXPECT_EQ(f.interface_name(), "can0");
}

TEST(CandumpParse, NineFractionDigitsAnd11BitId) {
  Frame f;
  ASSERT_EQ(parse_candump_line("(0.000000001) vcan1 123#DEADBEEF", f), LineKind::Frame);
  EXPECT_EQ(f.time_ns, 1);
  EXPECT_FALSE(f.extended);
  EXPECT_EQ(f.id, 0x123u);
  EXPECT_EQ(f.dlc, 4);
  EXPECT_EQ(f.interface_name(), "vcan1");
}

TEST(CandumpParse, RemoteErrorAndEmptyFrames) {
  Frame f;
  ASSERT_EQ(parse_candump_line("(1.000000) can0 18EA00FE#R", f), LineKind::Frame);
  EXPECT_TRUE(f.remote);
  EXPECT_EQ(f.dlc, 0);
  ASSERT_EQ(parse_candump_line("(1.000000) can0 123#R5", f), LineKind::Frame);
  EXPECT_TRUE(f.remote);
  EXPECT_EQ(f.dlc, 5);
  ASSERT_EQ(parse_candump_line("(1.000000) can0 20000080#0000000000000000", f), LineKind::Frame);
  EXPECT_TRUE(f.error);
  EXPECT_FALSE(f.extended);
  EXPECT_EQ(f.id, 0x80u);
  ASSERT_EQ(parse_candump_line("(1.000000) can0 123#", f), LineKind::Frame);
  EXPECT_EQ(f.dlc, 0);
}

TEST(CandumpParse, CanFdBlankAndBadLines) {
  Frame f;
  EXPECT_EQ(parse_candump_line("(1.000000) can0 123##1112233", f), LineKind::CanFd);
  EXPECT_EQ(parse_candump_line("", f), LineKind::Blank);
  EXPECT_EQ(parse_candump_line("   \r", f), LineKind::Blank);
  const char* bad[] = {
      "garbage",
      "(1.000000) can0",                            // no frame
      "(1.000000) can0 12#00",                      // 2-digit id
      "(1.000000) can0 1234#00",                    // 4-digit id
      "(1.000000) can0 123#0",                      // odd number of data digits
      "(1.000000) can0 123#001122334455667788",     // 9 bytes in a classic frame
      "(1.000000) can0 123#GG",                     // not hex
      "(1.0000000000) can0 123#00",                 // 10 fraction digits
      "(1.) can0 123#00",                           // no fraction
      "1.000000 can0 123#00",                       // no parentheses
      "(1.000000) can0 123#00 trailing",            // trailing garbage
      "(1.000000) can0 800#00",                     // 11-bit id above 0x7FF
      "(1763700000.12",                             // truncated mid-timestamp
      "(1763700000.123456) can0 0CF00400#F07D9A",   // odd... no: 3 bytes is valid; see below
  };
  for (std::size_t i = 0; i + 1 < std::size(bad); ++i)
    EXPECT_EQ(parse_candump_line(bad[i], f), LineKind::Bad) << bad[i];
  EXPECT_EQ(parse_candump_line(bad[std::size(bad) - 1], f), LineKind::Frame);
  EXPECT_EQ(f.dlc, 3);
}

TEST(CandumpParse, ConsoleFormatWithAbsoluteTime) {
  Frame f;
  ASSERT_EQ(parse_candump_line(" (000.005001)  can0  18FEDF00   [8]  8A A0 FF FF 7D 09 02 01", f), LineKind::Frame);
  EXPECT_EQ(f.time_ns, 5001000);
  EXPECT_TRUE(f.extended);
  EXPECT_EQ(f.id, 0x18FEDF00u);
  EXPECT_EQ(f.dlc, 8);
  EXPECT_EQ(f.data[0], 0x8A);
  EXPECT_EQ(f.data[7], 0x01);
  ASSERT_EQ(parse_candump_line(" (1635188455.021900)  can1  123   [2]  01 02", f), LineKind::Frame);
  EXPECT_FALSE(f.extended);
  EXPECT_EQ(f.dlc, 2);
  ASSERT_EQ(parse_candump_line(" (000.100000)  can0  123   [3]  remote request", f), LineKind::Frame);
  EXPECT_TRUE(f.remote);
  // The -a ASCII column is decoration.
  ASSERT_EQ(parse_candump_line(" (000.100000)  can0  123   [2]  41 42                     'AB'", f), LineKind::Frame);
  EXPECT_EQ(parse_candump_line(" (000.100000)  can0  123   [3]  41 42", f), LineKind::Bad);  // fewer bytes than DLC
}

// can-utils' candump -L prints "(%010lu.%06lu) %s %s": seconds zero-padded to 10 digits, microseconds, ids as
// %03X / %08X, error frames with CAN_ERR_FLAG (0x20000000) in the id, remote frames as R or R<dlc>.
TEST(CandumpWrite, MatchesCanUtilsLogFormat) {
  const std::vector<std::string> lines = {
      "(1763700000.123456) can0 0CF00400#F07D9A401F00FF7D\n",
      "(0000000000.000001) can0 123#DEADBEEF\n",
      "(0000000012.500000) can1 18EA00FE#R\n",
      "(0000000012.500000) can1 123#R5\n",
      "(0000000012.500000) can0 20000080#0000000000000000\n",
      "(0000000012.500000) can0 7FF#\n",
  };
  for (const auto& line : lines) {
    Frame f;
    ASSERT_EQ(parse_candump_line(std::string_view(line).substr(0, line.size() - 1), f), LineKind::Frame) << line;
    EXPECT_EQ(format_candump_line(f), line);
  }
}

TEST(CandumpWrite, RandomFramesRoundTrip) {
  const unsigned seed = 20261122;
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int i = 0; i < 5000; ++i) {
    Frame f;
    f.time_ns = static_cast<std::int64_t>(rng() % 2000000000u) * 1000000000LL + (rng() % 1000000u) * 1000LL;
    f.extended = rng() % 2 == 0;
    f.id = f.extended ? (rng() & kEffMask) : (rng() & kSffMask);
    f.remote = rng() % 20 == 0;
    f.dlc = static_cast<std::uint8_t>(rng() % 9);
    if (!f.remote)
      for (int b = 0; b < f.dlc; ++b) f.data[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(rng());
    f.set_interface(rng() % 2 ? "can0" : "vcan12");
    const std::string line = format_candump_line(f);
    Frame g;
    ASSERT_EQ(parse_candump_line(std::string_view(line).substr(0, line.size() - 1), g), LineKind::Frame) << line;
    EXPECT_EQ(format_candump_line(g), line);
    EXPECT_EQ(g.time_ns, f.time_ns);
    EXPECT_EQ(g.id, f.id);
    EXPECT_EQ(g.dlc, f.dlc);
    EXPECT_EQ(g.data, f.data);
  }
}

TEST(CandumpRead, BadLinesAreCountedWithLineNumbersAndReadingGoesOn) {
  const std::string path = tmp_path("bad_lines.log");
  write_text(path,
             "(1.000000) can0 123#01\n"
             "\n"
             "this is not a frame\n"
             "(2.000000) can0 123##1AA\n"
             "(3.000000) can0 0CF00400#F07D9A401F00FF7D\n"
             "(4.0000");  // truncated last line, no newline
  std::vector<Frame> frames;
  std::vector<std::uint64_t> bad_numbers;
  ReadOptions opt;
  opt.on_bad_line = [&](std::uint64_t n, std::string_view) { bad_numbers.push_back(n); };
  auto st = read_candump_file(path, [&](const Frame& f) { frames.push_back(f); }, opt);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(frames.size(), 2u);
  EXPECT_EQ(st->frames, 2u);
  EXPECT_EQ(st->blank, 1u);
  EXPECT_EQ(st->canfd_skipped, 1u);
  EXPECT_EQ(st->bad_lines, 2u);
  EXPECT_EQ(st->first_bad_line, 3u);
  EXPECT_TRUE(st->truncated_last_line);
  EXPECT_EQ(bad_numbers, (std::vector<std::uint64_t>{3, 6}));
}

TEST(CandumpRead, StrictModeStopsAtTheFirstBadLineNamingFileAndLine) {
  const std::string path = tmp_path("strict.log");
  write_text(path, "(1.000000) can0 123#01\n(1.500000) can0 123#01\nxx\n(2.000000) can0 123#02\n");
  std::vector<Frame> frames;
  ReadOptions opt;
  opt.strict = true;
  auto st = read_candump_file(path, [&](const Frame& f) { frames.push_back(f); }, opt);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().exit_code(), 2);
  EXPECT_NE(st.error().message.find(path + ":3:"), std::string::npos) << st.error().message;
  EXPECT_EQ(frames.size(), 2u);  // frames accepted before the error are kept
}

TEST(CandumpRead, MissingFileIsABadInputErrorNamingThePath) {
  auto st = read_candump_file("/nonexistent/x.log", [](const Frame&) {});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().exit_code(), 2);
  EXPECT_NE(st.error().message.find("/nonexistent/x.log"), std::string::npos);
}

TEST(CandumpRead, LinesSpanningReadBlocksAreParsedWhole) {
  // More than 1 MiB so lines straddle the reader's block boundary.
  const std::string path = tmp_path("big.log");
  std::string text;
  const std::string line = "(1763700000.123456) can0 0CF00400#F07D9A401F00FF7D\n";
  const std::size_t n = (3u << 20) / line.size() + 7;
  for (std::size_t i = 0; i < n; ++i) text += line;
  write_text(path, text);
  std::uint64_t count = 0;
  bool all_equal = true;
  auto st = read_candump_file(path, [&](const Frame& f) {
    ++count;
    all_equal = all_equal && f.id == 0x0CF00400u && f.data[7] == 0x7D;
  });
  ASSERT_TRUE(st);
  EXPECT_EQ(count, n);
  EXPECT_EQ(st->bad_lines, 0u);
  EXPECT_TRUE(all_equal);
}

TEST(CandumpWriter, WritesWhatTheReaderReads) {
  const std::string path = tmp_path("written.log");
  auto w = CandumpWriter::open(path);
  ASSERT_TRUE(w);
  Frame f;
  f.extended = true;
  f.id = 0x18FEEE00;
  f.dlc = 8;
  f.data = {0x5F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  f.set_interface("can0");
  for (int i = 0; i < 10; ++i) {
    f.time_ns = 1763700000LL * 1000000000LL + i * 1000000000LL;
    w->write(f);
  }
  ASSERT_TRUE(w->close());
  int n = 0;
  auto st = read_candump_file(path, [&](const Frame& g) {
    EXPECT_EQ(g.id, f.id);
    ++n;
  });
  ASSERT_TRUE(st);
  EXPECT_EQ(n, 10);
}

}  // namespace
}  // namespace lc::can

namespace lc::can {
namespace {

// tests/data/can/canutils_candump_L.log was written by can-utils' own `candump -L vcan0` (Debian 12,
// can-utils 2020.11) inside the CAN VM of tools/vm_test.sh while cansend/cangen sent 11- and 29-bit data
// frames, remote frames with and without a length, and empty frames. Our writer must reproduce every line
// byte for byte from what our reader made of it.
TEST(CandumpWrite, ByteIdenticalToCanUtilsCandumpOnItsOwnOutput) {
  const std::string path = std::string(LC_TEST_DATA_DIR) + "/can/canutils_candump_L.log";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  std::string line;
  int n = 0, remote = 0, standard = 0, extended = 0;
  while (std::getline(in, line)) {
    Frame f;
    ASSERT_EQ(parse_candump_line(line, f), LineKind::Frame) << line;
    EXPECT_EQ(format_candump_line(f), line + "\n");
    ++n;
    remote += f.remote;
    standard += !f.extended;
    extended += f.extended;
  }
  EXPECT_GE(n, 70);
  EXPECT_GT(remote, 0);
  EXPECT_GT(standard, 0);
  EXPECT_GT(extended, 0);
}

}  // namespace
}  // namespace lc::can
