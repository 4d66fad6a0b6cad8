// Differential tests of the candump fast path (src/can/candump_parse.h) against the general parser, the oracle.
//
// For every line the fast path accepts it must give exactly the general parser's LineKind::Frame and Frame; for
// every other line it must leave the frame untouched so the general parser decides. Checked three ways:
//   - parse_candump_line (fast path, then the general parser) against parse_candump_line_general, kind and frame;
//   - parse_fixed_layout_line on the line + '\n' + junk in a buffer of exactly the bytes it may read, with one
//     memo carried from line to line as the reader does (the memo must never change a result);
//   - read_candump_file on a multi-MiB file of mixed lines against a per-line loop over the general parser.
// Lines: random fixed-layout lines (edges of every field included), every byte of a valid line replaced by each
// of the 256 byte values, a byte inserted or deleted at each place, every truncation, random garbage. The seed is
// fixed and printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "can/candump.h"
#include "can/candump_parse.h"
#include "can/frame.h"

namespace lc::can {
namespace {

using detail::FixedLayoutMemo;
using detail::kFastWindow;
using detail::parse_candump_line_general;
using detail::parse_fixed_layout_line;

constexpr std::uint64_t kSeed = 20261122;

// Every field, the whole arrays included (bytes past dlc and past the name's NUL must match too).
bool same_frame(const Frame& a, const Frame& b) {
  return a.time_ns == b.time_ns && a.id == b.id && a.extended == b.extended && a.remote == b.remote &&
         a.error == b.error && a.dlc == b.dlc && a.data == b.data && a.iface == b.iface;
}

// A frame no parser writes, to see that a declined line leaves `out` alone.
Frame sentinel() {
  Frame f;
  f.time_ns = -7;
  f.id = 0xDEAD;
  f.extended = true;
  f.remote = true;
  f.error = true;
  f.dlc = 9;
  f.data.fill(0xA5);
  f.iface.fill('Z');
  return f;
}

std::string show(std::string_view line) {
  std::string s;
  for (const char ch : line) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte >= 0x20 && byte < 0x7F && byte != '\\') {
      s += ch;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", byte);
      s += hex;
    }
  }
  return "'" + s + "'";
}

// Bytes after the line's '\n' in the fast path's buffer: they must never matter.
enum class Junk { Zeros, Newlines, HexDigits, Spaces, Random };

class Differential {
 public:
  explicit Differential(std::uint64_t seed) : m_rng(seed) {}

  // Checks one line all ways; returns false (after reporting) on the first disagreement.
  bool check(std::string_view line) {
    ++m_lines;
    Frame general = sentinel();
    const LineKind general_kind = parse_candump_line_general(line, general);

    Frame public_frame = sentinel();
    const LineKind public_kind = parse_candump_line(line, public_frame);
    if (public_kind != general_kind || !same_frame(public_frame, general)) {
      ADD_FAILURE() << "parse_candump_line differs from the general parser on " << show(line) << ": kind "
                    << static_cast<int>(public_kind) << " vs " << static_cast<int>(general_kind);
      return false;
    }

    // The reader's view: the line ends at its first '\n'.
    const std::string_view first = line.substr(0, std::min(line.find('\n'), line.size()));
    Frame first_general = sentinel();
    const LineKind first_kind = parse_candump_line_general(first, first_general);

    // Exactly the bytes the fast path may read (so ASan builds catch a read past them): line, '\n', junk.
    std::vector<char> buf(std::max(first.size() + 1, kFastWindow));
    std::copy(first.begin(), first.end(), buf.begin());
    buf[first.size()] = '\n';
    fill_junk(buf, first.size() + 1);
    Frame fast = sentinel();
    const char* nl = parse_fixed_layout_line(buf.data(), m_memo, fast);
    if (nl == nullptr) {
      if (!same_frame(fast, sentinel())) {
        ADD_FAILURE() << "declined line changed the frame: " << show(first);
        return false;
      }
      return true;
    }
    ++m_fast;
    if (nl != buf.data() + first.size() || first_kind != LineKind::Frame || !same_frame(fast, first_general)) {
      ADD_FAILURE() << "fast path took " << show(first) << " differently from the general parser (kind "
                    << static_cast<int>(first_kind) << ", line end "
                    << (nl == buf.data() + first.size() ? "right" : "wrong") << ", frame "
                    << (same_frame(fast, first_general) ? "same" : "different") << ")";
      return false;
    }
    return true;
  }

  std::uint64_t lines() const { return m_lines; }
  std::uint64_t fast() const { return m_fast; }
  std::mt19937_64& rng() { return m_rng; }

 private:
  void fill_junk(std::vector<char>& buf, std::size_t from) {
    static constexpr char kHex[] = "0123456789abcdefABCDEF";
    const auto junk = static_cast<Junk>(m_lines % 5);
    for (std::size_t i = from; i < buf.size(); ++i) {
      switch (junk) {
        case Junk::Zeros: buf[i] = '\0'; break;
        case Junk::Newlines: buf[i] = '\n'; break;
        case Junk::HexDigits: buf[i] = kHex[m_rng() % 22]; break;
        case Junk::Spaces: buf[i] = (i % 2) ? ' ' : '\r'; break;
        case Junk::Random: buf[i] = static_cast<char>(m_rng()); break;
      }
    }
  }

  std::mt19937_64 m_rng;
  FixedLayoutMemo m_memo;  // carried across lines, as in read_candump_file
  std::uint64_t m_lines = 0;
  std::uint64_t m_fast = 0;
};

char hex_digit(std::mt19937_64& rng, unsigned value) {
  static constexpr char kUpper[] = "0123456789ABCDEF";
  static constexpr char kLower[] = "0123456789abcdef";
  return (rng() % 4 == 0 ? kLower : kUpper)[value & 0xF];  // mostly upper case, as candump writes
}

std::string digits(std::mt19937_64& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
  return s;
}

// A line of the fixed layout, often with a field at or just past its edge.
std::string random_fixed_line(std::mt19937_64& rng) {
  static const char* const kSeconds[] = {"0000000000", "1778301600", "9223372035", "9223372036",
                                         "9223372037", "9999999999", "0000000001"};
  std::string line = "(";
  line += rng() % 3 == 0 ? kSeconds[rng() % std::size(kSeconds)] : digits(rng, 10);
  line += '.';
  static const char* const kMicros[] = {"000000", "999999", "854775", "854776", "854774"};
  line += rng() % 4 == 0 ? kMicros[rng() % std::size(kMicros)] : digits(rng, 6);
  line += ") ";
  static const char* const kNames[] = {"can0", "vcan1", "c", "can_bus_nr_0015", "can_bus_nr_00016", "#", "(0)"};
  if (rng() % 3 == 0) {
    line += kNames[rng() % std::size(kNames)];
  } else {
    const int len = 1 + static_cast<int>(rng() % 16);  // 16 is one too long
    for (int i = 0; i < len; ++i) line += static_cast<char>(0x21 + rng() % 94);
  }
  line += ' ';
  if (rng() % 4 == 0) {
    const unsigned id = static_cast<unsigned>(rng() % 0x1000);  // above 0x7FF is not an 11-bit id
    for (int shift = 8; shift >= 0; shift -= 4) line += hex_digit(rng, id >> shift);
  } else {
    // Top nibble 0-F: the error flag (2), the bits above it that make a bad id (4, 8), and combinations.
    const auto id = static_cast<std::uint32_t>(rng());
    for (int shift = 28; shift >= 0; shift -= 4) line += hex_digit(rng, id >> shift);
  }
  line += '#';
  const unsigned bytes = static_cast<unsigned>(rng() % 10);  // 9 is one too many
  for (unsigned i = 0; i < 2 * bytes; ++i) line += hex_digit(rng, static_cast<unsigned>(rng()));
  switch (rng() % 12) {
    case 0: line += '\r'; break;
    case 1: line += ' '; break;
    case 2: line += "\r\r"; break;
    default: break;
  }
  return line;
}

// Random bytes, mostly from the characters a candump line is made of.
std::string random_garbage(std::mt19937_64& rng) {
  static constexpr char kAlphabet[] = "0123456789abcdefABCDEF#().R []'\t\r\n can0";
  std::string s;
  const int len = static_cast<int>(rng() % 80);
  for (int i = 0; i < len; ++i)
    s += rng() % 8 == 0 ? static_cast<char>(rng()) : kAlphabet[rng() % (sizeof kAlphabet - 1)];
  return s;
}

// The lines every byte of which gets mutated: what the simulator and candump -L write, and their edges.
const std::vector<std::string> kBaseLines = {
    "(1778301600.618130) can0 18EEFF00#1300804602000080",
    "(1778301600.867301) can0 185#0300020000000000",
    "(1763700000.123456) can0 0CF00400#F07D9A401F00FF7D",
    "(1763700000.123456) can0 0cf00400#f07d9a401f00ff7d",
    "(0000000012.500000) can0 20000080#0000000000000000",
    "(0000000012.500000) can0 7FF#",
    "(0000000012.500000) can1 18EA00FE#R",
    "(9223372036.854775) can_bus_nr_0015 1FFFFFFF#01",
    "(1763700000.123456) vcan12 123#DEADBEEF\r",
    "(1763700000.123456) can0 0CF00400#F07D9A401F00FF",
};

TEST(CandumpFastPath, AcceptsTheLinesCandumpWrites) {
  // The fast path must actually take the common shapes, or the other tests prove little.
  FixedLayoutMemo memo;
  for (const std::string& line : {kBaseLines[0], kBaseLines[1], kBaseLines[2], kBaseLines[3], kBaseLines[4],
                                  kBaseLines[5], kBaseLines[8], kBaseLines[9]}) {
    std::vector<char> buf(kFastWindow + line.size(), '\0');
    std::copy(line.begin(), line.end(), buf.begin());
    buf[line.size()] = '\n';
    Frame f;
    EXPECT_EQ(parse_fixed_layout_line(buf.data(), memo, f), buf.data() + line.size()) << line;
  }
  // ... and leave the others to the general parser: remote frames, the int64 edge of time, other layouts.
  for (const std::string& line : {kBaseLines[6], kBaseLines[7], std::string("(0.000000001) vcan1 123#DEADBEEF"),
                                  std::string(" (000.005001)  can0  18FEDF00   [8]  8A A0 FF FF 7D 09 02 01")}) {
    std::vector<char> buf(kFastWindow + line.size(), '\0');
    std::copy(line.begin(), line.end(), buf.begin());
    buf[line.size()] = '\n';
    Frame f;
    EXPECT_EQ(parse_fixed_layout_line(buf.data(), memo, f), nullptr) << line;
  }
}

TEST(CandumpFastPath, SameAsGeneralParserOnRandomFixedLayoutLines) {
  std::printf("seed %llu\n", static_cast<unsigned long long>(kSeed));
  Differential d(kSeed);
  for (int i = 0; i < 100000; ++i) {
    if (!d.check(random_fixed_line(d.rng()))) return;
  }
  std::printf("%llu lines, %llu taken by the fast path\n", static_cast<unsigned long long>(d.lines()),
              static_cast<unsigned long long>(d.fast()));
  EXPECT_GT(d.fast(), d.lines() / 4);  // the generator's edges decline some; most must still be taken
}

TEST(CandumpFastPath, SameAsGeneralParserWithEveryByteOfAValidLineChanged) {
  std::printf("seed %llu\n", static_cast<unsigned long long>(kSeed + 1));
  Differential d(kSeed + 1);
  std::vector<std::string> bases = kBaseLines;
  for (int i = 0; i < 4; ++i) bases.push_back(random_fixed_line(d.rng()));
  for (const std::string& base : bases) {
    for (std::size_t pos = 0; pos <= base.size(); ++pos) {
      if (!d.check(std::string_view(base).substr(0, pos))) return;  // every truncation
      if (pos < base.size()) {
        std::string deleted = base;
        deleted.erase(pos, 1);
        if (!d.check(deleted)) return;
      }
      for (int byte = 0; byte < 256; ++byte) {
        std::string inserted = base;
        inserted.insert(pos, 1, static_cast<char>(byte));
        if (!d.check(inserted)) return;
        if (pos < base.size()) {
          std::string changed = base;
          changed[pos] = static_cast<char>(byte);
          if (!d.check(changed)) return;
          // The unchanged line again: the memo now holds whatever the changed one left in it.
          if (!d.check(base)) return;
        }
      }
    }
  }
  std::printf("%llu lines, %llu taken by the fast path\n", static_cast<unsigned long long>(d.lines()),
              static_cast<unsigned long long>(d.fast()));
}

TEST(CandumpFastPath, SameAsGeneralParserOnGarbageAndSplices) {
  std::printf("seed %llu\n", static_cast<unsigned long long>(kSeed + 2));
  Differential d(kSeed + 2);
  std::mt19937_64& rng = d.rng();
  for (int i = 0; i < 100000; ++i) {
    std::string line;
    switch (i % 3) {
      case 0: line = random_garbage(rng); break;
      case 1: {  // the start of a valid line, then the end of another line or of garbage
        const std::string a = random_fixed_line(rng);
        const std::string b = i % 2 ? random_fixed_line(rng) : random_garbage(rng);
        const std::size_t cut_a = rng() % (a.size() + 1), cut_b = rng() % (b.size() + 1);
        line = a.substr(0, cut_a) + b.substr(cut_b);
        break;
      }
      default: {  // a valid line with a few random bytes changed
        line = random_fixed_line(rng);
        for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k)
          line[rng() % line.size()] = static_cast<char>(rng());
        break;
      }
    }
    if (!d.check(line)) return;
  }
}

// What read_candump_file must return for `text`, line by line with the general parser.
struct Want {
  std::vector<Frame> frames;
  ReadStats stats;
  std::vector<std::uint64_t> bad_numbers;
};

Want read_with_general_parser(const std::string& text) {
  Want e;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const bool last_without_newline = nl == std::string::npos;
    const std::string_view line(text.data() + start, (last_without_newline ? text.size() : nl) - start);
    ++e.stats.lines;
    Frame f;
    // A line of kLongLine bytes or more is bad whatever it holds (candump_parse.h).
    switch (line.size() >= detail::kLongLine ? LineKind::Bad : parse_candump_line_general(line, f)) {
      case LineKind::Frame:
        ++e.stats.frames;
        e.frames.push_back(f);
        break;
      case LineKind::Blank: ++e.stats.blank; break;
      case LineKind::CanFd: ++e.stats.canfd_skipped; break;
      case LineKind::Bad:
        ++e.stats.bad_lines;
        if (e.stats.first_bad_line == 0) {
          e.stats.first_bad_line = e.stats.lines;
          e.stats.first_bad_text = std::string(line.substr(0, 80));
        }
        e.bad_numbers.push_back(e.stats.lines);
        e.stats.truncated_last_line = last_without_newline;
        break;
    }
    if (last_without_newline) break;
    start = nl + 1;
  }
  return e;
}

// Mostly fixed-layout lines, as in a real log, with everything else mixed in: lines straddle the read blocks at
// every offset, and the fast path sees old bytes of the buffer after each block's last line.
std::string mixed_log(std::mt19937_64& rng, std::size_t bytes) {
  std::string text;
  while (text.size() < bytes) {
    const unsigned pick = static_cast<unsigned>(rng() % 100);
    if (pick < 80) {
      text += random_fixed_line(rng);
    } else if (pick < 85) {
      text += kBaseLines[rng() % kBaseLines.size()];
    } else if (pick < 88) {
      text += " (000.005001)  can0  18FEDF00   [8]  8A A0 FF FF 7D 09 02 01";
    } else if (pick < 90) {
      text += "";  // blank
    } else if (pick < 95) {
      std::string line = random_fixed_line(rng);
      line[rng() % line.size()] = static_cast<char>(rng());
      text += line;
    } else {
      text += random_garbage(rng);  // may hold '\n' itself
    }
    text += '\n';
  }
  return text;
}

// How the file is read: the default (what read_candump_file(path) does), or small blocks in a ring that another
// thread fills ahead of the reader as fast as it can, as replay's scoring thread does when it waits.
struct HowRead {
  std::size_t block = 0;  // 0: read_candump_file(path)
  std::size_t slots = 2;
  bool read_ahead_thread = false;
};

void expect_reader_matches(const std::string& text, const std::string& name, HowRead how = {}) {
  SCOPED_TRACE(name + ", block " + std::to_string(how.block) + ", slots " + std::to_string(how.slots) +
               (how.read_ahead_thread ? ", read ahead" : ""));
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  std::vector<Frame> frames;
  std::vector<std::uint64_t> bad_numbers;
  ReadOptions options;
  options.on_bad_line = [&](std::uint64_t n, std::string_view) { bad_numbers.push_back(n); };
  auto sink = [&](const Frame& f) { frames.push_back(f); };
  Expected<ReadStats> st = ReadStats{};
  if (how.block == 0) {
    st = read_candump_file(path, sink, options);
  } else {
    auto reader = open_candump_reader(path, how.slots, how.block);
    ASSERT_TRUE(reader) << reader.error().message;
    // The helper fills the ring before the reader starts (so the two surely share it), then keeps reading
    // ahead as fast as it can while the reader runs.
    std::atomic<bool> done{false}, primed{false};
    std::uint64_t ahead = 0;
    std::thread helper;
    if (how.read_ahead_thread) {
      helper = std::thread([&] {
        while (!done.load()) {
          if ((*reader)->read_ahead()) {
            ++ahead;
          } else {
            primed.store(true);
          }
        }
      });
      while (!primed.load()) std::this_thread::yield();
    }
    st = read_candump_file(**reader, sink, options);
    done.store(true);
    if (helper.joinable()) helper.join();
    if (how.read_ahead_thread) {
      EXPECT_GE(ahead, std::min<std::uint64_t>(how.slots, text.size() / how.block + 1));
    }
  }
  ASSERT_TRUE(st) << st.error().message;
  const Want want = read_with_general_parser(text);
  EXPECT_EQ(st->lines, want.stats.lines);
  EXPECT_EQ(st->frames, want.stats.frames);
  EXPECT_EQ(st->blank, want.stats.blank);
  EXPECT_EQ(st->canfd_skipped, want.stats.canfd_skipped);
  EXPECT_EQ(st->bad_lines, want.stats.bad_lines);
  EXPECT_EQ(st->first_bad_line, want.stats.first_bad_line);
  EXPECT_EQ(st->first_bad_text, want.stats.first_bad_text);
  EXPECT_EQ(st->truncated_last_line, want.stats.truncated_last_line);
  EXPECT_EQ(bad_numbers, want.bad_numbers);
  ASSERT_EQ(frames.size(), want.frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i)
    ASSERT_TRUE(same_frame(frames[i], want.frames[i])) << "frame " << i << " differs";
}

TEST(CandumpFastPath, ReaderGivesWhatTheGeneralParserGivesLineByLine) {
  std::printf("seed %llu\n", static_cast<unsigned long long>(kSeed + 3));
  std::mt19937_64 rng(kSeed + 3);
  const std::string text = mixed_log(rng, 5u << 20);  // 5 MiB: several read blocks
  expect_reader_matches(text, "fastpath_mixed.log");
  // The same log cut mid-line (no final newline), and cut right after a fixed-layout line's last digit.
  expect_reader_matches(text.substr(0, text.size() - 20), "fastpath_cut.log");
  expect_reader_matches(text + kBaseLines[0], "fastpath_no_final_newline.log");
}

// The same with blocks of a few hundred bytes, so that lines straddle thousands of block ends, and a thread
// reading ahead into a small ring that wraps thousands of times.
TEST(CandumpFastPath, ReaderGivesTheSameWithSmallBlocksAndAThreadReadingAhead) {
  std::mt19937_64 rng(kSeed + 4);
  const std::string text = mixed_log(rng, 1u << 20);
  for (const HowRead how : {HowRead{509, 2, false}, HowRead{509, 3, true}, HowRead{4096, 8, true},
                            HowRead{64, 16, true}, HowRead{131072, 15, true}}) {
    expect_reader_matches(text, "fastpath_small_blocks.log", how);
    expect_reader_matches(text.substr(0, text.size() - 20), "fastpath_small_blocks_cut.log", how);
  }
}

// A "line" of kLongLine bytes or more (a binary file read as a log) is one bad line, whatever blocks it spans,
// and the lines after it keep their numbers; cut off at the end of the file it is the truncated last line.
TEST(CandumpFastPath, LongLinesAreOneBadLineEachWhereverTheBlocksEnd) {
  std::mt19937_64 rng(kSeed + 5);
  auto noise = [&](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(rng() % 255 == 0 ? 'x' : 1 + rng() % 9);  // no '\n'
    return s;
  };
  std::string text;
  for (std::size_t len : {detail::kLongLine - 1, detail::kLongLine, detail::kLongLine + 1, std::size_t{5000},
                          std::size_t{300000}, std::size_t{70}}) {
    text += kBaseLines[0] + "\n" + noise(len) + "\n";
  }
  text += kBaseLines[2] + "\n";
  for (const HowRead how : {HowRead{}, HowRead{509, 2, false}, HowRead{4096, 4, true}, HowRead{4095, 3, true}}) {
    expect_reader_matches(text, "long_lines.log", how);
    expect_reader_matches(text + noise(9000), "long_last_line.log", how);
    expect_reader_matches(text + noise(detail::kLongLine - 3), "almost_long_last_line.log", how);
  }
}

// The fast path reads past the end of the data in the read buffer, where the previous block's bytes still are.
// With every line the same length, the lines of the second (last, short) block sit where those of the first
// did, so the bytes after a line cut at the end of the file are the rest of that very line and its '\n'. The
// reader must not take them: the cut line is bad (or, cut after its last digit, a frame without '\n').
TEST(CandumpFastPath, ReaderNeverTakesOldBufferBytesForTheRestOfACutLine) {
  const std::string& line = kBaseLines[0];
  const std::size_t block = (line.size() + 1) * 1000;  // every block starts with a whole line
  std::string text;
  for (int i = 0; i < 2500; ++i) text += line + "\n";  // 2.5 blocks: a short last block in a used slot
  for (const HowRead how : {HowRead{block, 2, false}, HowRead{block, 2, true}}) {
    expect_reader_matches(text + line.substr(0, 40), "fastpath_cut_in_data.log", how);
    expect_reader_matches(text + line, "fastpath_cut_before_newline.log", how);
  }
}

TEST(CandumpFastPath, ShouldStopIsCheckedAfterEveryLine) {
  const std::string path = ::testing::TempDir() + "/fastpath_stop.log";
  std::ofstream(path, std::ios::binary) << kBaseLines[0] << "\n\nnot a frame\n" << kBaseLines[1] << "\n"
                                        << kBaseLines[2] << "\n";
  for (int stop_after = 1; stop_after <= 5; ++stop_after) {
    int calls = 0;
    ReadOptions options;
    options.should_stop = [&] { return ++calls == stop_after; };
    std::uint64_t frames = 0;
    const auto st = read_candump_file(path, [&](const Frame&) { ++frames; }, options);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->lines, static_cast<std::uint64_t>(stop_after));
    EXPECT_EQ(frames, std::vector<std::uint64_t>({1, 1, 1, 2, 3})[static_cast<std::size_t>(stop_after - 1)]);
  }
}

TEST(CandumpFastPath, StopFlagIsCheckedAfterEveryLine) {
  const std::string path = ::testing::TempDir() + "/fastpath_stop_flag.log";
  std::ofstream(path, std::ios::binary) << kBaseLines[0] << "\n\nnot a frame\n" << kBaseLines[1] << "\n"
                                        << kBaseLines[2] << "\n";
  for (std::uint64_t stop_at_frame = 1; stop_at_frame <= 3; ++stop_at_frame) {
    std::atomic<bool> stop{false};
    ReadOptions options;
    options.stop_flag = &stop;
    std::uint64_t frames = 0;
    // Set by the sink, as replay's window callback does: no line after the one that set it is read.
    const auto st = read_candump_file(path, [&](const Frame&) {
      if (++frames == stop_at_frame) stop.store(true);
    }, options);
    ASSERT_TRUE(st);
    EXPECT_EQ(frames, stop_at_frame);
    EXPECT_EQ(st->lines, std::vector<std::uint64_t>({1, 4, 5})[static_cast<std::size_t>(stop_at_frame - 1)]);
  }
}

}  // namespace
}  // namespace lc::can
