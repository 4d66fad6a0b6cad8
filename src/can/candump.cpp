#include "can/candump.h"

#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

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

}  // namespace

LineKind parse_candump_line(std::string_view line, Frame& out) noexcept {
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

Expected<ReadStats> read_candump_file(const std::string& path, const std::function<void(const Frame&)>& sink,
                                      const ReadOptions& options) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Error::bad_input(path + ": cannot open: " + std::strerror(errno));
  struct Closer {
    std::FILE* f;
    ~Closer() { std::fclose(f); }
  } closer{file};

  std::uint64_t file_size = 0;
  if (options.on_progress && std::fseek(file, 0, SEEK_END) == 0) {
    const long sz = std::ftell(file);
    file_size = sz > 0 ? static_cast<std::uint64_t>(sz) : 0;
    std::rewind(file);
  }
  std::uint64_t bytes_read = 0;
  constexpr std::size_t kBlock = 1 << 20;
  std::vector<char> buf(kBlock + 4096);
  std::size_t carry = 0;  // bytes of an unfinished line at the start of buf
  ReadStats st;
  Frame frame;

  auto handle_line = [&](std::string_view line) -> Status {
    ++st.lines;
    switch (parse_candump_line(line, frame)) {
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
      case LineKind::Bad: {
        ++st.bad_lines;
        if (st.first_bad_line == 0) {
          st.first_bad_line = st.lines;
          st.first_bad_text = std::string(line.substr(0, 80));
        }
        if (options.on_bad_line) options.on_bad_line(st.lines, line);
        if (options.strict)
          return Error::at(path, static_cast<long>(st.lines),
                           "not a candump line: '" + std::string(line.substr(0, 80)) + "'");
        break;
      }
    }
    return ok();
  };

  while (true) {
    if (carry >= kBlock) {
      // A "line" longer than 1 MiB is garbage (binary file?): report it as one bad line and resync.
      LC_TRY_STATUS(handle_line(std::string_view(buf.data(), 80)));
      carry = 0;
    }
    const std::size_t got = std::fread(buf.data() + carry, 1, kBlock - carry, file);
    if (got == 0) {
      if (std::ferror(file)) return Error::bad_input(path + ": read error: " + std::strerror(errno));
      break;
    }
    bytes_read += got;
    const std::size_t total = carry + got;
    std::size_t start = 0;
    while (true) {
      const void* nl = std::memchr(buf.data() + start, '\n', total - start);
      if (nl == nullptr) break;
      const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
      LC_TRY_STATUS(handle_line(std::string_view(buf.data() + start, end - start)));
      start = end + 1;
      if (options.should_stop && options.should_stop()) return st;
    }
    carry = total - start;
    if (carry > 0 && start > 0) std::memmove(buf.data(), buf.data() + start, carry);
    if (options.on_progress) options.on_progress(bytes_read, file_size);
  }
  if (carry > 0) {
    // The last line has no newline: a log cut off mid-write. Parse what is there; a partial frame is bad.
    const std::uint64_t bad_before = st.bad_lines;
    LC_TRY_STATUS(handle_line(std::string_view(buf.data(), carry)));
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
