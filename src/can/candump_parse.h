// The two candump line parsers behind parse_candump_line (candump.h), exposed for the differential tests and
// the fuzz target only: callers outside src/can use parse_candump_line and read_candump_file.
//
// The general parser accepts every shape candump.h documents. The fixed-layout parser accepts only the shape
// `candump -L` writes for almost every line of a log,
//   (SSSSSSSSSS.UUUUUU) IFACE IIIIIIII#HHHHHHHHHHHHHHHH    or    ... III#HH..HH
// (10 second digits, 6 fraction digits, one space each side of the interface name, an 8- or 3-digit id, 0-8
// data bytes as hex pairs, then '\n' or "\r\n"), a field at a time in vector registers with no loop over the
// characters: some 180 instructions a line with the reader's loop around it, where the general parser alone
// takes about 900. For every line it accepts it gives exactly what the general parser gives; for any other line
// it declines and the caller asks the general parser. tests/unit/can/candump_fastpath_test.cpp and
// tests/fuzz/fuzz_candump.cpp check that agreement.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "can/candump.h"
#include "can/frame.h"

namespace lc::can::detail {

// Every line shape of candump.h. Same contract as parse_candump_line: `out` is set only on LineKind::Frame.
LineKind parse_candump_line_general(std::string_view line, Frame& out) noexcept;

// Bytes read_candump_file asks the kernel for at a time (open_candump_reader's default). Small enough that the buffer stays in L2 between the
// kernel's copy and the parse, and that it costs few fresh pages (each a page fault of ~12 us on the VMs here):
// against 1 MiB, `bench_log read` of the 1 h log took 37-39 ms instead of 42 (BENCHMARKS.md, sessions 6-7).
inline constexpr std::size_t kReadBlock = std::size_t{128} << 10;

// A line of this many bytes or more (before its '\n') is bad whatever it holds, since no candump line comes
// near it (kMaxLineLength): read_candump_file reports it once, as one line, giving on_bad_line its first
// kLongLine bytes or more, and reads on after its '\n'. Also the most it carries from one block to the next.
inline constexpr std::size_t kLongLine = 4096;

// Bytes the fixed-layout parser may read from a line's first character, whatever the line's length. The
// longest line it accepts (15-character interface name, 8 data bytes, "\r\n") ends at byte 62.
inline constexpr std::size_t kFastWindow = 64;

// What the fixed-layout parser keeps from one line to the next: the whole seconds of the last "(SSSSSSSSSS."
// it read. Consecutive lines of a log almost always repeat them, and reusing their value saves converting ten
// digits per line. Use one per stream of lines (a file); a fresh one gives the same results, only slower.
// It also keeps recent 8-digit identifiers, direct-mapped on their text: a bus sends a few dozen ids over and
// over, and a known one costs a load and a compare instead of converting 8 hex digits and checking the flags.
struct FixedLayoutMemo {
  std::uint64_t head0;  // "(SSSSSSSSSS." as the 8-byte words at offsets 0 and 4 (first character lowest)
  std::uint64_t head4;
  std::int64_t sec;     // its whole seconds
  struct KnownId {
    std::uint64_t text;  // the 8 id characters (first lowest), each a hex digit, followed by '#' on that line
    std::uint32_t id;    // what they gave: the identifier and its error flag
    bool error;
  };
  std::array<KnownId, 32> ids;
  static std::size_t id_slot(std::uint64_t text) noexcept { return (text * 0x9E3779B97F4A7C15u) >> 59; }
  // "(0000000000." and 0, and every id slot "00000000" -> 0: a match always means exactly these characters.
  FixedLayoutMemo() noexcept;
};

// Parses the line starting at `line` and ending at the first '\n' after it. `line[0, kFastWindow)` must be
// readable; bytes after the '\n' are read but never change the result. Returns a pointer to that '\n' with
// `out` set when the line has the fixed layout above, nullptr with `out` untouched otherwise (the line may
// still be a frame: the general parser decides). Always nullptr on a big-endian target.
const char* parse_fixed_layout_line(const char* line, FixedLayoutMemo& memo, Frame& out) noexcept;

}  // namespace lc::can::detail
