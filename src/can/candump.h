// candump log files: the project's one CAN log format (ARCHITECTURE.md "File formats").
//
// Accepted lines, one frame each (what can-utils and common converters write):
//   (1763700000.123456) can0 0CF00400#F07D9A401F00FF7D     candump -L, 6 fraction digits, 29-bit id
//   (0.000000001) can0 123#DEADBEEF                        9 fraction digits, 11-bit id (3 hex digits)
//   (1763700000.123456) can0 18EA00FE#R                    remote frame (also #R5 with a DLC)
//   (1763700000.123456) can0 20000080#0000000000000000     error frame (CAN_ERR_FLAG set in the id)
//   (1763700000.123456) can0 123##1112233                  CAN FD: skipped and counted, not an error
//    (000.005001)  can0  18FEDF00   [8]  8A A0 FF FF 7D 09 02 01   candump console format, -ta or -td
//   (blank lines are ignored)
// Anything else is a bad line: counted, reported with its 1-based line number, and reading goes on
// (or, in strict mode, reading stops with an Error naming file and line).
//
// The writer produces exactly what can-utils' `candump -L` prints:
//   "(%010lu.%06lu) %s %s\n" with ids as %03X / %08X and data bytes as %02X, no separators.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "can/block_reader.h"
#include "can/frame.h"
#include "util/expected.h"

namespace lc::can {

enum class LineKind : std::uint8_t { Frame, Blank, CanFd, Bad };

// Parses one line (without its newline). Never throws, never allocates. On LineKind::Frame `out` is set.
// A line of the fixed layout candump -L writes takes a fast path; every line gets exactly what the general
// parser gives it (src/can/candump_parse.h, checked by tests/unit/can/candump_fastpath_test.cpp).
LineKind parse_candump_line(std::string_view line, Frame& out) noexcept;

// Formats a frame as a candump -L line including the trailing '\n'. Returns the number of chars written
// (buffer of at least kMaxLineLength is required).
inline constexpr std::size_t kMaxLineLength = 96;
std::size_t format_candump_line(const Frame& f, char* buf) noexcept;
std::string format_candump_line(const Frame& f);

struct ReadStats {
  std::uint64_t lines = 0;
  std::uint64_t frames = 0;
  std::uint64_t blank = 0;
  std::uint64_t canfd_skipped = 0;
  std::uint64_t bad_lines = 0;
  std::uint64_t first_bad_line = 0;  // 1-based, 0 if none
  std::string first_bad_text;        // up to 80 chars of the first bad line
  bool truncated_last_line = false;  // the file ended without a newline after a partial line
};

struct ReadOptions {
  bool strict = false;  // a bad line is an Error instead of a counted skip
  // Called for every bad line (1-based number, text) so callers can log; may be empty.
  std::function<void(std::uint64_t, std::string_view)> on_bad_line;
  // Called after each block read (128 KiB) with the bytes read so far and the file's size; may be empty.
  std::function<void(std::uint64_t, std::uint64_t)> on_progress;
  // Checked after each line; when it returns true reading stops early (not an error). May be empty.
  std::function<bool()> should_stop;
  // The same, as a flag another thread sets: one relaxed load a line instead of a call through should_stop
  // (replay's reader: ~11 instructions a line, 1.3 % of a replay's, callgrind). May be null; either stops.
  const std::atomic<bool>* stop_flag = nullptr;
};

// Streams a candump log file, calling `sink(frame)` for each frame in file order. Reads in large blocks;
// no allocation per line. Returns the counts, or an Error (BadInput) naming the file (and line in strict mode).
// Frames delivered before an error are not taken back: the caller keeps what it accepted. A line of 4 KiB or
// more (a binary file read as a log) is one bad line whatever it holds, and reading goes on after its '\n'.
Expected<ReadStats> read_candump_file(const std::string& path, const std::function<void(const Frame&)>& sink,
                                      const ReadOptions& options = {});

// Opens a log for the overload below: blocks of `block` bytes (default: candump_parse.h's kReadBlock), `slots`
// of them in memory, so that another thread may read up to slots - 1 ahead (BlockReader::read_ahead). Error
// (BadInput) names the path when it cannot be opened.
Expected<std::unique_ptr<BlockReader>> open_candump_reader(const std::string& path, std::size_t slots = 2,
                                                           std::size_t block = 0);

// The same as above, from a reader of open_candump_reader (errors name its path).
Expected<ReadStats> read_candump_file(BlockReader& reader, const std::function<void(const Frame&)>& sink,
                                      const ReadOptions& options = {});

// Buffered writer of candump -L lines.
class CandumpWriter {
 public:
  static Expected<CandumpWriter> open(const std::string& path);
  CandumpWriter(CandumpWriter&& other) noexcept;
  CandumpWriter& operator=(CandumpWriter&& other) noexcept;
  CandumpWriter(const CandumpWriter&) = delete;
  CandumpWriter& operator=(const CandumpWriter&) = delete;
  ~CandumpWriter();

  void write(const Frame& f);
  Status close();  // flushes; reports a write error naming the path

 private:
  CandumpWriter(std::FILE* f, std::string path) : m_file(f), m_path(std::move(path)) {}
  std::FILE* m_file = nullptr;
  std::string m_path;
};

}  // namespace lc::can
