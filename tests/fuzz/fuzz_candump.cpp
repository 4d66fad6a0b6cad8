// libFuzzer target for the candump line parser (src/can/candump.h).
//
// Properties checked on every input, besides "no crash, no sanitizer report":
//   1. parse_candump_line never reads outside the line (ASan sees the input as an exact-size heap copy).
//   2. Round trip: a line that parses as a Frame, written with format_candump_line and parsed again, gives
//      the same frame. The writer prints candump -L's 6 fraction digits, so time is compared at microsecond
//      resolution (a 9-digit input loses its last 3 digits by design of the -L format).
//   3. The written line is what candump -L prints: one line, ending in '\n', shorter than kMaxLineLength.
// A violated property calls __builtin_trap() so libFuzzer stores the input as a crash reproducer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "can/candump.h"
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
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
