#include "can/candump.h"

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "can/candump_parse.h"

namespace lc::can {
namespace {

constexpr std::uint32_t kErrFlag = 0x20000000u;  // CAN_ERR_FLAG as printed in an 8-digit id

inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

inline bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

struct Cursor {
  const char* p;
  const char* end;
  bool done() const { return p >= end; }
  void skip_spaces() {
    while (p < end && is_space(*p)) ++p;
  }
};

// "(sec.frac)" -> ns. Accepts 1..9 fraction digits (candump writes 6, some tools 9).
bool parse_timestamp(Cursor& c, std::int64_t& ns) noexcept {
  if (c.done() || *c.p != '(') return false;
  ++c.p;
  std::int64_t sec = 0;
  int int_digits = 0;
  while (!c.done() && *c.p >= '0' && *c.p <= '9') {
    if (++int_digits > 12) return false;
    sec = sec * 10 + (*c.p - '0');
    ++c.p;
  }
  if (int_digits == 0 || c.done() || *c.p != '.') return false;
  ++c.p;
  std::int64_t frac = 0;
  int frac_digits = 0;
  while (!c.done() && *c.p >= '0' && *c.p <= '9') {
    if (++frac_digits > 9) return false;
    frac = frac * 10 + (*c.p - '0');
    ++c.p;
  }
  if (frac_digits == 0 || c.done() || *c.p != ')') return false;
  ++c.p;
  for (int i = frac_digits; i < 9; ++i) frac *= 10;
  // Times must fit int64 nanoseconds (up to 9223372036.854775807 s): a larger one is not a candump time.
  constexpr std::int64_t kMaxSec = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;
  constexpr std::int64_t kMaxFracAtMaxSec = std::numeric_limits<std::int64_t>::max() % 1'000'000'000;
  if (sec > kMaxSec || (sec == kMaxSec && frac > kMaxFracAtMaxSec)) return false;
  ns = sec * 1'000'000'000 + frac;
  return true;
}

// Reads a whitespace-delimited token.
std::string_view token(Cursor& c) noexcept {
  const char* b = c.p;
  while (!c.done() && !is_space(*c.p)) ++c.p;
  return {b, static_cast<std::size_t>(c.p - b)};
}

bool parse_hex_id(std::string_view s, Frame& f) noexcept {
  if (s.size() != 3 && s.size() != 8) return false;
  std::uint32_t v = 0;
  for (char ch : s) {
    const int h = hex_value(ch);
    if (h < 0) return false;
    v = (v << 4) | static_cast<std::uint32_t>(h);
  }
  if (s.size() == 3) {
    if (v > kSffMask) return false;
    f.extended = false;
    f.error = false;
    f.id = v;
  } else {
    f.error = (v & kErrFlag) != 0;
    f.extended = !f.error;
    if ((v & ~(kEffMask)) != 0 && !f.error) return false;
    f.id = v & kEffMask;
  }
  return true;
}

bool set_interface(std::string_view name, Frame& f) noexcept {
  if (name.empty() || name.size() >= kIfNameSize) return false;
  // Linux interface names are printable ASCII; a NUL or control byte would be cut or corrupt the name.
  for (char ch : name)
    if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) >= 0x7F) return false;
  f.set_interface(name);
  return true;
}

// "id#data" of the -L format.
LineKind parse_log_frame(std::string_view tok, Frame& f) noexcept {
  const std::size_t hash = tok.find('#');
  if (hash == std::string_view::npos) return LineKind::Bad;
  if (!parse_hex_id(tok.substr(0, hash), f)) return LineKind::Bad;
  std::string_view data = tok.substr(hash + 1);
  f.remote = false;
  f.dlc = 0;
  f.data.fill(0);
  if (!data.empty() && data[0] == '#') return LineKind::CanFd;
  if (!data.empty() && (data[0] == 'R' || data[0] == 'r')) {
    if (f.error) return LineKind::Bad;
    f.remote = true;
    if (data.size() == 2 && data[1] >= '0' && data[1] <= '8') {
      f.dlc = static_cast<std::uint8_t>(data[1] - '0');
    } else if (data.size() != 1) {
      return LineKind::Bad;
    }
    return LineKind::Frame;
  }
  std::size_t i = 0;
  std::uint8_t n = 0;
  while (i < data.size()) {
    if (data[i] == '.') {
      ++i;
      continue;
    }
    if (i + 1 >= data.size() || n >= 8) return LineKind::Bad;
    const int hi = hex_value(data[i]);
    const int lo = hex_value(data[i + 1]);
    if (hi < 0 || lo < 0) return LineKind::Bad;
    f.data[n++] = static_cast<std::uint8_t>((hi << 4) | lo);
    i += 2;
  }
  f.dlc = n;
  return LineKind::Frame;
}

// "  18FEDF00   [8]  8A A0 FF ..." of the console format (after the interface name).
LineKind parse_console_frame(Cursor& c, Frame& f) noexcept {
  c.skip_spaces();
  if (!parse_hex_id(token(c), f)) return LineKind::Bad;
  c.skip_spaces();
  if (c.done() || *c.p != '[') return LineKind::Bad;
  ++c.p;
  if (c.done()) return LineKind::Bad;
  // CAN FD console lines print the length as two digits ("[12]") - skip those.
  int len = 0;
  int digits = 0;
  while (!c.done() && *c.p >= '0' && *c.p <= '9') {
    len = len * 10 + (*c.p - '0');
    ++digits;
    ++c.p;
    if (digits > 2) return LineKind::Bad;  // candump prints [N] or, for CAN FD, [NN]
  }
  if (digits == 0 || c.done() || *c.p != ']') return LineKind::Bad;
  ++c.p;
  if (digits == 2 || len > 8) return LineKind::CanFd;
  f.dlc = static_cast<std::uint8_t>(len);
  f.remote = false;
  f.data.fill(0);
  c.skip_spaces();
  const std::string_view rest(c.p, static_cast<std::size_t>(c.end - c.p));
  if (rest.starts_with("remote request")) {
    if (f.error) return LineKind::Bad;
    f.remote = true;
    return LineKind::Frame;
  }
  for (int i = 0; i < len; ++i) {
    c.skip_spaces();
    if (c.end - c.p < 2) return LineKind::Bad;
    const int hi = hex_value(c.p[0]);
    const int lo = hex_value(c.p[1]);
    if (hi < 0 || lo < 0) return LineKind::Bad;
    f.data[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((hi << 4) | lo);
    c.p += 2;
    if (!c.done() && !is_space(*c.p)) return LineKind::Bad;
  }
  c.skip_spaces();
  // candump -a prints an ASCII column in quotes; error frames print ERRORFRAME. Both are decoration.
  if (c.done() || *c.p == '\'' || std::string_view(c.p, static_cast<std::size_t>(c.end - c.p)).starts_with("ERRORFRAME"))
    return LineKind::Frame;
  return LineKind::Bad;
}

// ---- The fixed-layout fast path ----
//
// Almost every line of a log is "(SSSSSSSSSS.UUUUUU) can0 0CF00400#F07D9A401F00FF7D": every field at a known
// offset or right after a short name. Classifying 16 characters at once in a vector register (GCC/Clang vector
// extensions: SSE2 on x86-64, NEON on ARM, plain integer code elsewhere) checks a whole field with a few
// instructions instead of a branch per character, and finding the line's end on the way saves the reader a
// memchr per line. Every vector operation works on each byte alone, so a byte's test never depends on its
// neighbours, and the bytes after the line's end are masked out of every result.

using Bytes16 = std::uint8_t __attribute__((vector_size(16)));
using Lanes16 = std::uint16_t __attribute__((vector_size(16)));  // the same 16 bytes as 8 two-byte lanes
using Bytes8 = std::uint8_t __attribute__((vector_size(8)));

inline Bytes16 load16(const char* p) noexcept {
  Bytes16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// How many bytes from the first are 0xFF in a mask of 0x00/0xFF bytes (0-16).
inline unsigned leading_set(Bytes16 mask) noexcept {
#if defined(__SSE2__)
  // One instruction gathers the 16 byte tests into 16 bits (x86-64 always has SSE2).
  const auto bits = static_cast<unsigned>(_mm_movemask_epi8(reinterpret_cast<__m128i>(mask)));
  return static_cast<unsigned>(std::countr_one(bits));
#else
  std::uint64_t half[2];
  std::memcpy(half, &mask, sizeof half);
  if (~half[0] != 0) return static_cast<unsigned>(std::countr_one(half[0])) / 8;
  return 8 + static_cast<unsigned>(std::countr_one(half[1])) / 8;
#endif
}

// The low `n` bytes of a word (n = 0-8).
inline std::uint64_t low_bytes(std::uint64_t v, unsigned n) noexcept {
  return n >= 8 ? v : v & ((std::uint64_t{1} << (8 * n)) - 1);
}

struct HexRun {
  unsigned digits;      // leading hex digits, as hex_value reads them ('0'-'9', 'A'-'F', 'a'-'f'): 0-16
  std::uint64_t bytes;  // the first 8 pairs as bytes in text order (first pair in the lowest byte); a pair
                        // with a non-digit in it gives junk
};

inline HexRun hex_run(const char* p) noexcept {
  const Bytes16 v = load16(p);
  const Bytes16 digit_value = v - '0';
  const Bytes16 letter_value = (v | 0x20) - 'a';  // 'A'-'F' and 'a'-'f' -> 0-5; nothing else lands there
  const auto is_digit = reinterpret_cast<Bytes16>(digit_value < 10);
  const auto is_letter = reinterpret_cast<Bytes16>(letter_value < 6);
  // A hex letter's low 4 bits are 1-6 ('A' 0x41, 'a' 0x61): add 9 for 10-15.
  const Bytes16 nibble = (v & 0x0F) + (is_letter & 9);
  // Two nibbles per lane, the first in the low byte: (first << 4 | second) in the low byte, then narrowed.
  auto pairs = reinterpret_cast<Lanes16>(nibble);
  pairs = ((pairs << 4) | (pairs >> 8)) & 0xFF;
  const Bytes8 bytes = __builtin_convertvector(pairs, Bytes8);
  HexRun run{leading_set(is_digit | is_letter), 0};
  std::memcpy(&run.bytes, &bytes, sizeof run.bytes);
  return run;
}

// The value of 8 decimal digits, the first the most significant (the digits are checked before).
inline std::uint32_t eight_digits_value(std::uint64_t v) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101u;
  v -= kOnes * '0';
  v = v * 10 + (v >> 8);  // pairs of digits in bytes 0, 2, 4, 6
  v = (((v & 0x000000FF000000FFu) * (100 + (1000000ULL << 32))) +
       (((v >> 16) & 0x000000FF000000FFu) * (1 + (10000ULL << 32)))) >> 32;
  return static_cast<std::uint32_t>(v);
}

// Row n: 0xFF in bytes 0 to n-1, 0 after (n = 0-16). A table row is one load; building the mask is several.
alignas(16) constexpr auto kFirstBytes = [] {
  std::array<std::array<std::uint8_t, 16>, 17> rows{};
  for (unsigned n = 0; n <= 16; ++n)
    for (unsigned i = 0; i < n; ++i) rows[n][i] = 0xFF;
  return rows;
}();

inline Bytes16 first_bytes(unsigned n) noexcept {
  Bytes16 v;
  std::memcpy(&v, kFirstBytes[n].data(), sizeof v);
  return v;
}

// All 16 bytes are 0xFF in a mask of 0x00/0xFF bytes.
inline bool all_set(Bytes16 mask) noexcept {
#if defined(__SSE2__)
  return _mm_movemask_epi8(reinterpret_cast<__m128i>(mask)) == 0xFFFF;
#else
  std::uint64_t half[2];
  std::memcpy(half, &mask, sizeof half);
  return (half[0] & half[1]) == ~std::uint64_t{0};
#endif
}

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// detail::parse_fixed_layout_line, as a function of its own so that read_candump_file's loop gets it inlined.
[[gnu::always_inline]] inline const char* fixed_layout_line(const char* p, detail::FixedLayoutMemo& memo,
                                                            Frame& out) noexcept {
  if constexpr (std::endian::native != std::endian::little) {
    return nullptr;  // the lane and word tricks below put the first character in the lowest byte
  } else {
    // "SSSSSSS.UUUUUU) " (bytes 4-19) against a template: a digit where it has '0', that character elsewhere
    // (the '0' is itself a digit, so the exact compare there adds nothing).
    constexpr std::uint8_t D = 0xFF;
    constexpr Bytes16 kDigitAt = {D, D, D, D, D, D, D, 0, D, D, D, D, D, D, 0, 0};
    constexpr Bytes16 kTemplate = {'0', '0', '0', '0', '0', '0', '0', '.', '0', '0', '0', '0', '0', '0', ')', ' '};
    const Bytes16 time_text = load16(p + 4);
    if (!all_set((reinterpret_cast<Bytes16>(static_cast<Bytes16>(time_text - '0') < 10) & kDigitAt) |
                 reinterpret_cast<Bytes16>(time_text == kTemplate)))
      return nullptr;
    // "(SSSSSSSSSS." (bytes 0-11): usually that of the line before, whose seconds the memo holds. A new one
    // needs its first 4 bytes checked (the rest was above) before it goes into the memo.
    const std::uint64_t head0 = load8(p);
    const std::uint64_t head4 = load8(p + 4);
    if (head0 != memo.head0 || head4 != memo.head4) {
      if (p[0] != '(' || !is_digit(p[1]) || !is_digit(p[2]) || !is_digit(p[3])) return nullptr;
      const std::int64_t sec = std::int64_t{(p[1] - '0') * 10 + (p[2] - '0')} * 100'000'000 +
                               eight_digits_value(load8(p + 3));
      // The general parser's int64-nanoseconds limit, in whole seconds: leave the edge to it.
      if (sec >= std::numeric_limits<std::int64_t>::max() / 1'000'000'000) return nullptr;
      memo.head0 = head0;
      memo.head4 = head4;
      memo.sec = sec;
    }
    // "UUUUUU) " (bytes 12-19) with the ") " made "00": 100x the microseconds.
    const std::uint64_t frac_digits = (load8(p + 12) & 0x0000FFFFFFFFFFFFu) | 0x3030000000000000u;
    const std::int64_t time_ns = memo.sec * 1'000'000'000 + std::int64_t{eight_digits_value(frac_digits)} * 10;

    // Interface name from p[20]: 1-15 bytes set_interface accepts (0x21-0x7E), then exactly one space.
    const Bytes16 name = load16(p + 20);
    const unsigned name_len = leading_set(reinterpret_cast<Bytes16>(static_cast<Bytes16>(name - 0x21) < 0x5E));
    if (name_len == 0 || name_len == 16 || p[20 + name_len] != ' ') return nullptr;

    // Identifier: 8 hex digits or 3, then '#'. The flag bits follow parse_hex_id. An 8-digit id whose text
    // the memo holds (a bus repeats a few dozen ids) is taken from it without converting the digits again.
    const char* id_text = p + 21 + name_len;
    const std::uint64_t id_chars = load8(id_text);
    detail::FixedLayoutMemo::KnownId& known = memo.ids[detail::FixedLayoutMemo::id_slot(id_chars)];
    std::uint32_t id;
    bool error = false;
    unsigned id_digits;
    if (known.text == id_chars && id_text[8] == '#') {
      id = known.id;
      error = known.error;
      id_digits = 8;
    } else {
      const HexRun id_run = hex_run(id_text);
      const std::uint32_t id_value = __builtin_bswap32(static_cast<std::uint32_t>(id_run.bytes));
      id_digits = id_run.digits;
      if (id_digits == 8 && id_text[8] == '#') {
        error = (id_value & kErrFlag) != 0;
        if (!error && (id_value & ~kEffMask) != 0) return nullptr;
        id = id_value & kEffMask;
        known = {id_chars, id, error};
      } else if (id_digits == 3 && id_text[3] == '#') {
        id = id_value >> 20;
        if (id > kSffMask) return nullptr;
      } else {
        return nullptr;
      }
    }

    // Data: an even run of up to 16 hex digits, then "\n" or "\r\n".
    const char* data_text = id_text + (id_digits + 1);
    const HexRun data = hex_run(data_text);
    const char* nl = data_text + data.digits;
    if (*nl == '\r') ++nl;
    if (*nl != '\n' || data.digits % 2 != 0) return nullptr;
    const unsigned dlc = data.digits / 2;

    out.time_ns = time_ns;
    out.id = id;
    out.extended = !error && id_digits == 8;
    out.remote = false;
    out.error = error;
    out.dlc = static_cast<std::uint8_t>(dlc);
    const std::uint64_t data_bytes = low_bytes(data.bytes, dlc);
    std::memcpy(out.data.data(), &data_bytes, sizeof data_bytes);
    const Bytes16 iface = name & first_bytes(name_len);
    std::memcpy(out.iface.data(), &iface, sizeof iface);
    return nl;
  }
}

}  // namespace

namespace detail {

FixedLayoutMemo::FixedLayoutMemo() noexcept {
  constexpr char kZeroHead[] = "(0000000000.";
  head0 = load8(kZeroHead);
  head4 = load8(kZeroHead + 4);
  sec = 0;
  for (KnownId& k : ids) k = {load8("00000000"), 0, false};
}

const char* parse_fixed_layout_line(const char* line, FixedLayoutMemo& memo, Frame& out) noexcept {
  return fixed_layout_line(line, memo, out);
}

LineKind parse_candump_line_general(std::string_view line, Frame& out) noexcept {
  Cursor c{line.data(), line.data() + line.size()};
  c.skip_spaces();
  if (c.done()) return LineKind::Blank;
  Frame f;
  if (!parse_timestamp(c, f.time_ns)) return LineKind::Bad;
  if (c.done() || !is_space(*c.p)) return LineKind::Bad;
  c.skip_spaces();
  if (!set_interface(token(c), f)) return LineKind::Bad;
  c.skip_spaces();
  if (c.done()) return LineKind::Bad;
  // Decide the format by the frame token: "-L" has '#' inside it, the console format does not.
  Cursor probe = c;
  const std::string_view tok = token(probe);
  LineKind kind;
  if (tok.find('#') != std::string_view::npos) {
    kind = parse_log_frame(tok, f);
    if (kind == LineKind::Frame) {
      probe.skip_spaces();
      if (!probe.done()) return LineKind::Bad;  // trailing garbage
    }
  } else {
    kind = parse_console_frame(c, f);
  }
  if (kind == LineKind::Frame) out = f;
  return kind;
}

}  // namespace detail

LineKind parse_candump_line(std::string_view line, Frame& out) noexcept {
  // The fast path reads a fixed window and wants the line's '\n' in it: give it a copy. A line too long for
  // the fixed layout goes straight to the general parser.
  if (line.size() < detail::kFastWindow - 1) {
    char window[detail::kFastWindow] = {};
    std::memcpy(window, line.data(), line.size());
    window[line.size()] = '\n';
    detail::FixedLayoutMemo memo;
    Frame f;
    // A '\n' inside `line` ends the fast path's line early: that is not this line, so ask the general parser.
    if (detail::parse_fixed_layout_line(window, memo, f) == window + line.size()) {
      out = f;
      return LineKind::Frame;
    }
  }
  return detail::parse_candump_line_general(line, out);
}

std::size_t format_candump_line(const Frame& f, char* buf) noexcept {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const std::int64_t sec = f.time_ns / 1'000'000'000;
  const std::int64_t usec = (f.time_ns % 1'000'000'000) / 1000;
  int n = std::snprintf(buf, kMaxLineLength, "(%010lld.%06lld) ", static_cast<long long>(sec),
                        static_cast<long long>(usec));
  std::size_t pos = static_cast<std::size_t>(n);
  const std::string_view ifname = f.interface_name();
  std::memcpy(buf + pos, ifname.data(), ifname.size());
  pos += ifname.size();
  buf[pos++] = ' ';
  if (f.error || f.extended) {
    const std::uint32_t id = f.error ? ((f.id & kEffMask) | kErrFlag) : (f.id & kEffMask);
    for (int shift = 28; shift >= 0; shift -= 4) buf[pos++] = kHex[(id >> shift) & 0xF];
  } else {
    const std::uint32_t id = f.id & kSffMask;
    for (int shift = 8; shift >= 0; shift -= 4) buf[pos++] = kHex[(id >> shift) & 0xF];
  }
  buf[pos++] = '#';
  if (f.remote && !f.error) {
    buf[pos++] = 'R';
    if (f.dlc > 0 && f.dlc <= 8) buf[pos++] = static_cast<char>('0' + f.dlc);
  } else {
    const std::size_t len = f.dlc > 8 ? 8 : f.dlc;
    for (std::size_t i = 0; i < len; ++i) {
      buf[pos++] = kHex[f.data[i] >> 4];
      buf[pos++] = kHex[f.data[i] & 0xF];
    }
  }
  buf[pos++] = '\n';
  buf[pos] = '\0';
  return pos;
}

std::string format_candump_line(const Frame& f) {
  char buf[kMaxLineLength];
  const std::size_t n = format_candump_line(f, buf);
  return {buf, n};
}

namespace {
// The slack after a block lets the fast path read its whole window from any line start inside the block.
constexpr std::size_t kSlack = 4096;
static_assert(kSlack >= detail::kFastWindow);
}  // namespace

Expected<std::unique_ptr<BlockReader>> open_candump_reader(const std::string& path, std::size_t slots,
                                                           std::size_t block) {
  return BlockReader::open(path, {block > 0 ? block : detail::kReadBlock, detail::kLongLine, kSlack, slots});
}

Expected<ReadStats> read_candump_file(const std::string& path, const std::function<void(const Frame&)>& sink,
                                      const ReadOptions& options) {
  LC_TRY(reader, open_candump_reader(path));
  return read_candump_file(*reader, sink, options);
}

Expected<ReadStats> read_candump_file(BlockReader& reader, const std::function<void(const Frame&)>& sink,
                                      const ReadOptions& options) {
  using namespace detail;
  const std::string& path = reader.path();
  if (reader.layout().head < kLongLine || reader.layout().slack < kSlack)
    return Error::internal(path + ": not opened by open_candump_reader (too little room around its blocks)");
  const std::uint64_t file_size = reader.file_size();
  std::uint64_t bytes_read = 0;
  ReadStats st;
  Frame frame;
  FixedLayoutMemo memo;
  const bool check_stop = static_cast<bool>(options.should_stop);
  const std::atomic<bool>* const stop_flag = options.stop_flag;

  auto bad_line = [&](std::string_view line) -> Status {
    ++st.bad_lines;
    if (st.first_bad_line == 0) {
      st.first_bad_line = st.lines;
      st.first_bad_text = std::string(line.substr(0, 80));
    }
    if (options.on_bad_line) options.on_bad_line(st.lines, line);
    if (options.strict)
      return Error::at(path, static_cast<long>(st.lines),
                       "not a candump line: '" + std::string(line.substr(0, 80)) + "'");
    return ok();
  };
  // Every line the fast path declines (and the last line when it has no '\n').
  auto handle_line = [&](std::string_view line) -> Status {
    ++st.lines;
    if (line.size() >= kLongLine) return bad_line(line);
    switch (parse_candump_line_general(line, frame)) {
      case LineKind::Frame:
        ++st.frames;
        sink(frame);
        break;
      case LineKind::Blank:
        ++st.blank;
        break;
      case LineKind::CanFd:
        ++st.canfd_skipped;
        break;
      case LineKind::Bad:
        return bad_line(line);
    }
    return ok();
  };

  std::size_t carry = 0;        // bytes of an unfinished line at the end of the block
  bool skipping = false;        // inside a line of kLongLine bytes or more, already reported
  const char* line = nullptr;   // the first byte after the last complete line
  while (true) {
    LC_TRY(block, reader.next(carry));
    bytes_read += block.size - carry;
    const char* const end = block.data + block.size;
    line = block.data;
    if (skipping) {
      const auto* nl = static_cast<const char*>(std::memchr(line, '\n', block.size));
      skipping = nl == nullptr;
      line = skipping ? end : nl + 1;
    }
    while (line < end) {
      // The fast path finds the line's '\n' itself, so a fixed-layout line costs no memchr. Past the end of
      // the data it reads old bytes of the buffer, and may then "find" a '\n' at or beyond `end`: that line is
      // not complete yet, and memchr below leaves it for the next block.
      const char* nl = fixed_layout_line(line, memo, frame);
      if (nl != nullptr && nl < end) {
        ++st.lines;
        ++st.frames;
        sink(frame);
      } else {
        nl = static_cast<const char*>(std::memchr(line, '\n', static_cast<std::size_t>(end - line)));
        if (nl == nullptr) break;
        LC_TRY_STATUS(handle_line(std::string_view(line, static_cast<std::size_t>(nl - line))));
      }
      line = nl + 1;
      if (stop_flag != nullptr && stop_flag->load(std::memory_order_relaxed)) return st;
      if (check_stop && options.should_stop()) return st;
    }
    carry = static_cast<std::size_t>(end - line);
    if (options.on_progress) options.on_progress(bytes_read, file_size);
    if (block.last) break;
    if (carry >= kLongLine) {
      // Too long for a candump line (a binary file?): one bad line, and reading resumes after its '\n'.
      ++st.lines;
      LC_TRY_STATUS(bad_line(std::string_view(line, carry)));
      carry = 0;
      skipping = true;
    }
  }
  if (skipping) {
    st.truncated_last_line = true;  // the long line, already counted, was the last and had no '\n'
  } else if (carry > 0) {
    // The last line has no newline: a log cut off mid-write. Parse what is there; a partial frame is bad.
    const std::uint64_t bad_before = st.bad_lines;
    LC_TRY_STATUS(handle_line(std::string_view(line, carry)));
    st.truncated_last_line = st.bad_lines > bad_before;
  }
  return st;
}

Expected<CandumpWriter> CandumpWriter::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Error::bad_input(path + ": cannot create: " + std::strerror(errno));
  std::setvbuf(f, nullptr, _IOFBF, 1 << 16);
  return CandumpWriter(f, path);
}

CandumpWriter::CandumpWriter(CandumpWriter&& other) noexcept
    : m_file(other.m_file), m_path(std::move(other.m_path)) {
  other.m_file = nullptr;
}

CandumpWriter& CandumpWriter::operator=(CandumpWriter&& other) noexcept {
  if (this != &other) {
    if (m_file != nullptr) std::fclose(m_file);
    m_file = other.m_file;
    m_path = std::move(other.m_path);
    other.m_file = nullptr;
  }
  return *this;
}

CandumpWriter::~CandumpWriter() {
  if (m_file != nullptr) std::fclose(m_file);
}

void CandumpWriter::write(const Frame& f) {
  char buf[kMaxLineLength];
  const std::size_t n = format_candump_line(f, buf);
  std::fwrite(buf, 1, n, m_file);
}

Status CandumpWriter::close() {
  if (m_file == nullptr) return ok();
  const bool failed = std::ferror(m_file) != 0;
  const int rc = std::fclose(m_file);
  m_file = nullptr;
  if (failed || rc != 0) return Error::internal(m_path + ": write failed: " + std::strerror(errno));
  return ok();
}

}  // namespace lc::can
