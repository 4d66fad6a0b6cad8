// Regression tests for what tools/fuzz.sh (tests/fuzz/fuzz_candump.cpp) found in the candump line parser,
// plus the fuzz target's round-trip property on its seed corpus, so the property is also checked by a
// plain `ctest` without clang or libFuzzer.
//
// Each finding's input is inline (the same bytes are in tests/fuzz/regressions/candump/). All three findings
// are fixed in src/can/candump.cpp; the tests state the behaviour the parser must keep.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "can/candump.h"
#include "can/frame.h"

namespace lc::can {
namespace {

using namespace std::string_view_literals;

constexpr std::int64_t kNsPerUs = 1000;

// The fuzz target's property: format then parse gives the same frame, time compared at the microseconds the
// candump -L writer keeps.
void expect_round_trip(const Frame& f, std::string_view origin) {
  const std::string written = format_candump_line(f);
  ASSERT_FALSE(written.empty()) << origin;
  ASSERT_EQ(written.back(), '\n') << origin;
  Frame g;
  ASSERT_EQ(parse_candump_line(std::string_view(written).substr(0, written.size() - 1), g), LineKind::Frame)
      << origin << " -> " << written;
  EXPECT_EQ(g.time_ns / kNsPerUs, f.time_ns / kNsPerUs) << origin;
  EXPECT_EQ(g.id, f.id) << origin;
  EXPECT_EQ(g.extended, f.extended) << origin;
  EXPECT_EQ(g.remote, f.remote) << origin;
  EXPECT_EQ(g.error, f.error) << origin;
  EXPECT_EQ(g.dlc, f.dlc) << origin;
  EXPECT_EQ(g.data, f.data) << origin;
  EXPECT_EQ(g.interface_name(), f.interface_name()) << origin;
}

// Finding 1 (UBSan, candump.cpp parse_timestamp): the parser accepts up to 12 integer digits of seconds and
// multiplies by 1e9 in int64, which overflows above 9223372036 s. Such a line must be Bad, not a frame with a
// wrapped (negative or wrong) time.
TEST(CandumpFuzzRegression, SecondsBeyondInt64NanosecondsAreBad) {
  Frame f;
  EXPECT_EQ(parse_candump_line("(17637010000.2) can0 123#11"sv, f), LineKind::Bad);
  EXPECT_EQ(parse_candump_line("(999999999999.999999) can0 123#11"sv, f), LineKind::Bad);
  EXPECT_EQ(parse_candump_line("(9223372037.000000) can0 123#11"sv, f), LineKind::Bad);
  // One nanosecond past the largest representable time.
  EXPECT_EQ(parse_candump_line("(9223372036.854775808) can0 123#11"sv, f), LineKind::Bad);
}

// The largest time that does fit stays a frame (the fix for finding 1 must not cut valid input).
TEST(CandumpFuzzRegression, LargestRepresentableTimeParsesExactly) {
  Frame f;
  ASSERT_EQ(parse_candump_line("(9223372036.854775807) can0 123#11"sv, f), LineKind::Frame);
  EXPECT_EQ(f.time_ns, std::numeric_limits<std::int64_t>::max());
}

// Finding 2 (UBSan, candump.cpp parse_console_frame): the console format's "[len]" is accumulated in an int
// with no digit limit. "[4294967298]" wraps to 2 and the line is accepted as a 2-byte frame. A length of more
// than two digits is not something candump prints: the line must not be a frame.
TEST(CandumpFuzzRegression, ConsoleLengthWithManyDigitsIsNotAFrame) {
  Frame f;
  EXPECT_NE(parse_candump_line(" (0.000001)  can0  123   [4294967298]  11 22"sv, f), LineKind::Frame);
  EXPECT_NE(parse_candump_line(" (0.000001)  can0  123   [82000000000]  11"sv, f), LineKind::Frame);
  EXPECT_NE(parse_candump_line(" (0.000001)  can0  123   [008]  11 22 33 44 55 66 77 88"sv, f), LineKind::Frame);
}

// Finding 3 (round-trip property, candump.cpp set_interface): the interface token is "anything up to
// whitespace", so a NUL byte is accepted inside it. Frame::interface_name() stops at the NUL, so the name is
// silently cut ("ca\0n0" -> "ca") or empty ("\0can0" -> "", and the written line no longer parses). An
// interface name is printable ASCII (Linux IFNAMSIZ names): such a line must be Bad.
TEST(CandumpFuzzRegression, InterfaceNameWithNulIsBad) {
  Frame f;
  EXPECT_EQ(parse_candump_line("(1.000000) \0can0 123#11"sv, f), LineKind::Bad);
  EXPECT_EQ(parse_candump_line("(1.000000) ca\0n0 123#11"sv, f), LineKind::Bad);
  EXPECT_EQ(parse_candump_line(" (1.000000)  \0  123   [1]  11"sv, f), LineKind::Bad);
}

// Whatever the fix for finding 3 accepts must round-trip; today the NUL-free lines do.
TEST(CandumpFuzzRegression, PrintableInterfaceNamesRoundTrip) {
  for (const std::string_view line : {"(1.000000) can0 123#11"sv, "(1.000000) a#b 123#11"sv,
                                      "(1.000000) 0123456789abcde 1FFFFFFF#R8"sv,
                                      " (1.000000)  vcan0  20000004   [8]  00 00 00 00 00 00 00 00   ERRORFRAME"sv}) {
    Frame f;
    ASSERT_EQ(parse_candump_line(line, f), LineKind::Frame) << line;
    expect_round_trip(f, line);
  }
}

// The fuzz target's property on its own seed corpus: every seed that parses as a frame round-trips.
TEST(CandumpFuzzRegression, SeedCorpusLinesRoundTrip) {
  // Located from this source file: tests/unit/can/ -> tests/fuzz/corpus/candump/.
  const std::filesystem::path dir =
      std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "fuzz" / "corpus" / "candump";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  int frames = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Frame f;
    if (parse_candump_line(line, f) != LineKind::Frame) continue;
    ++frames;
    expect_round_trip(f, entry.path().filename().string());
  }
  // The corpus holds frames of every kind; if none parse, the corpus or the parser broke.
  EXPECT_GE(frames, 8);
}

}  // namespace
}  // namespace lc::can
