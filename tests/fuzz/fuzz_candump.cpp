// libFuzzer target for the candump line parser (src/can/candump.h).
//
// Properties checked on every input, besides "no crash, no sanitizer report":
//   1. parse_candump_line never reads outside the line (ASan sees the input as an exact-size heap copy).
//   2. Round trip: a line that parses as a Frame, written with format_candump_line and parsed again, gives
//      the same frame. The writer prints candump -L's 6 fraction digits, so time is compared at microsecond
//      resolution (a 9-digit input loses its last 3 digits by design of the -L format).
//   3. The written line is what candump -L prints: one line, ending in '\n', shorter than kMaxLineLength.
//   4. The fast path agrees with the general parser (src/can/candump_parse.h): parse_candump_line gives the
//      general parser's kind and frame, and the reader's in-buffer fast path, given the line up to its first
//      '\n' in a buffer of exactly the bytes it may read, either declines or gives the general parser's frame
//      for that line, with a fresh memo and again with the memo the first call left.
// A violated property calls __builtin_trap() so libFuzzer stores the input as a crash reproducer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "can/candump.h"
#include "can/candump_parse.h"
#include "can/frame.h"

namespace {

using lc::can::Frame;
using lc::can::LineKind;

constexpr std::int64_t kNsPerUs = 1000;

// Prints the line with non-printable bytes as \xNN, so a NUL or control byte in a reproducer is visible.
[[noreturn]] void fail(const char* what, std::string_view line) {
  std::fprintf(stderr, "fuzz_candump: %s\n  line: '", what);
  for (const char ch : line) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte >= 0x20 && byte < 0x7F && byte != '\\') {
      std::fputc(byte, stderr);
    } else {
      std::fprintf(stderr, "\\x%02X", byte);
    }
  }
  std::fputs("'\n", stderr);
  __builtin_trap();
}

bool same_frame_at_us(const Frame& a, const Frame& b) {
  return a.time_ns / kNsPerUs == b.time_ns / kNsPerUs && a.id == b.id && a.extended == b.extended &&
         a.remote == b.remote && a.error == b.error && a.dlc == b.dlc && a.data == b.data &&
         a.interface_name() == b.interface_name();
}

// Every field, the whole arrays included.
bool same_frame(const Frame& a, const Frame& b) {
  return a.time_ns == b.time_ns && a.id == b.id && a.extended == b.extended && a.remote == b.remote &&
         a.error == b.error && a.dlc == b.dlc && a.data == b.data && a.iface == b.iface;
}

// Property 4. Returns the general parser's verdict on the whole line.
LineKind check_fast_path_agrees(std::string_view line) {
  Frame general;
  const LineKind general_kind = lc::can::detail::parse_candump_line_general(line, general);
  Frame combined;
  const LineKind combined_kind = lc::can::parse_candump_line(line, combined);
  if (combined_kind != general_kind) fail("parse_candump_line and the general parser disagree on the kind", line);
  if (general_kind == LineKind::Frame && !same_frame(combined, general))
    fail("parse_candump_line and the general parser disagree on the frame", line);

  // The reader's view: the line ends at its first '\n'; after it, the rest of the input as junk.
  const std::string_view first = line.substr(0, std::min(line.find('\n'), line.size()));
  Frame first_general;
  const LineKind first_kind = lc::can::detail::parse_candump_line_general(first, first_general);
  std::vector<char> buf(std::max(first.size() + 1, lc::can::detail::kFastWindow), '\0');
  std::memcpy(buf.data(), line.data(), std::min(line.size(), buf.size()));
  buf[first.size()] = '\n';
  lc::can::detail::FixedLayoutMemo memo;
  for (int pass = 0; pass < 2; ++pass) {  // the second pass may find the seconds in the memo
    Frame fast;
    const char* nl = lc::can::detail::parse_fixed_layout_line(buf.data(), memo, fast);
    if (nl == nullptr) continue;
    if (nl != buf.data() + first.size()) fail("fast path found the wrong end of line", line);
    if (first_kind != LineKind::Frame) fail("fast path accepted a line the general parser does not", line);
    if (!same_frame(fast, first_general)) fail("fast path and the general parser disagree on the frame", line);
  }
  return general_kind;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  if (check_fast_path_agrees(line) != LineKind::Frame) return 0;
  Frame first;
  if (lc::can::parse_candump_line(line, first) != LineKind::Frame) return 0;

  char buf[lc::can::kMaxLineLength];
  const std::size_t n = lc::can::format_candump_line(first, buf);
  if (n == 0 || n >= lc::can::kMaxLineLength) fail("formatted line has a bad length", line);
  const std::string_view written(buf, n);
  if (written.back() != '\n' || written.find('\n') != n - 1) fail("formatted line is not one line", line);

  Frame second;
  const LineKind again = lc::can::parse_candump_line(written.substr(0, n - 1), second);
  if (again != LineKind::Frame) fail("formatted line does not parse as a frame", line);
  if (!same_frame_at_us(first, second)) fail("round trip changed the frame", line);
  return 0;
}
