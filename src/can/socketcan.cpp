#include "can/socketcan.h"

#include <linux/can.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <thread>

namespace lc::can {

static_assert(sizeof(RawFilter) == sizeof(can_filter) && offsetof(can_filter, can_mask) == sizeof(std::uint32_t),
              "RawFilter must have struct can_filter's layout: it is handed to setsockopt as is");
static_assert(kCanEffFlag == CAN_EFF_FLAG && kCanRtrFlag == CAN_RTR_FLAG && kCanErrFlag == CAN_ERR_FLAG);
static_assert(kMaxRawFilters == CAN_RAW_FILTER_MAX);
static_assert(kIfNameSize == IFNAMSIZ);

namespace {

// J1939 id bits that take part in a filter: EDP, DP, PF, PS (bits 25..8) and SA (7..0); never the priority.
constexpr std::uint32_t kPgnBits = 0x03FFFF00u;
constexpr std::uint32_t kPdu1DestinationBits = 0x0000FF00u;
constexpr std::uint32_t kSourceBits = 0x000000FFu;

std::string errno_text(int err) {
  const char* name = strerrorname_np(err);  // "ENETDOWN": greppable in logs, unlike the localised text
  return std::string(name != nullptr ? name : "errno " + std::to_string(err)) + " (" + std::strerror(err) + ")";
}

std::int64_t realtime_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool is_link_error(int err) { return err == ENETDOWN || err == ENODEV || err == ENXIO; }

}  // namespace

// --- Pure helpers -----------------------------------------------------------------------------------------

Expected<std::vector<RawFilter>> j1939_filters(std::span<const std::uint32_t> pgns,
                                               std::optional<std::uint8_t> source) {
  if (pgns.empty()) return Error::bad_input("socketcan filters: no PGNs given (use receive_all to take every frame)");
  std::vector<std::uint32_t> sorted(pgns.begin(), pgns.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (sorted.size() > kMaxRawFilters) {
    return Error::bad_input("socketcan filters: " + std::to_string(sorted.size()) + " PGNs, the kernel takes at most " +
                            std::to_string(kMaxRawFilters));
  }
  std::vector<RawFilter> out;
  out.reserve(sorted.size());
  for (const std::uint32_t pgn : sorted) {
    if (pgn > 0x3FFFFu) return Error::bad_input("socketcan filters: PGN " + std::to_string(pgn) + " is above 0x3FFFF");
    const bool pdu1 = ((pgn >> 8) & 0xFFu) < 240;
    std::uint32_t mask = kPgnBits;
    if (pdu1) mask &= ~kPdu1DestinationBits;  // PS is the destination, not part of the PGN
    std::uint32_t id = (pgn << 8) & mask;
    if (source) {
      mask |= kSourceBits;
      id |= *source;
    }
    // EFF in both: only 29-bit frames. RTR in the mask but not the id: remote frames fail. Never ERR in the
    // mask: the kernel would file the filter under error frames (af_can.c find_rcv_list) and it would match
    // no data frame at all; error frames only reach a socket through CAN_RAW_ERR_FILTER, which stays 0.
    out.push_back(RawFilter{id | kCanEffFlag, mask | kCanEffFlag | kCanRtrFlag});
  }
  return out;
}

bool raw_filters_match(std::span<const RawFilter> filters, std::uint32_t can_id) noexcept {
  // As net/can/af_can.c: a filter with CAN_ERR_FLAG in its mask is an error-frame filter (matches error frames
  // sharing a class bit); error frames reach no other filter. CAN_INV_FILTER is not modelled (never set here).
  const bool error_frame = (can_id & kCanErrFlag) != 0;
  for (const RawFilter& f : filters) {
    if ((f.mask & kCanErrFlag) != 0) {
      if (error_frame && (can_id & f.mask & kEffMask) != 0) return true;
    } else if (!error_frame && (can_id & f.mask) == (f.id & f.mask)) {
      return true;
    }
  }
  return false;
}

std::uint32_t to_can_id(const Frame& f) noexcept {
  if (f.error) return (f.id & kEffMask) | kCanErrFlag;
  std::uint32_t id = f.extended ? ((f.id & kEffMask) | kCanEffFlag) : (f.id & kSffMask);
  if (f.remote) id |= kCanRtrFlag;
  return id;
}

ReceiveControl parse_receive_control(const msghdr& msg) noexcept {
  ReceiveControl out;
  // CMSG_NXTHDR takes a non-const msghdr; it only reads through it.
  msghdr& m = const_cast<msghdr&>(msg);
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    const std::size_t payload = c->cmsg_len >= CMSG_LEN(0) ? c->cmsg_len - CMSG_LEN(0) : 0;
    if (c->cmsg_type == SCM_TIMESTAMPNS && payload >= sizeof(timespec)) {
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      out.time_ns = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    } else if (c->cmsg_type == SCM_TIMESTAMP && payload >= sizeof(timeval)) {
      timeval tv;
      std::memcpy(&tv, CMSG_DATA(c), sizeof tv);
      out.time_ns = static_cast<std::int64_t>(tv.tv_sec) * 1'000'000'000 + static_cast<std::int64_t>(tv.tv_usec) * 1000;
    } else if (c->cmsg_type == SO_RXQ_OVFL && payload >= sizeof(std::uint32_t)) {
      std::uint32_t drops;
      std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
      out.drop_count = drops;
    }
  }
  return out;
}

std::int64_t next_backoff_ms(std::int64_t current_ms, double multiplier, std::int64_t max_ms) noexcept {
  const std::int64_t cap = std::max<std::int64_t>(max_ms, 1);
  const double next = static_cast<double>(std::max<std::int64_t>(current_ms, 1)) * std::max(multiplier, 1.0);
  if (!(next < static_cast<double>(cap))) return cap;  // also catches NaN / overflow
  return std::max<std::int64_t>(static_cast<std::int64_t>(next), 1);
}

// --- UniqueFd ----------------------------------------------------------------------------------------------

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int UniqueFd::release() noexcept {
  const int fd = m_fd;
  m_fd = -1;
  return fd;
}

void UniqueFd::reset(int fd) noexcept {
  if (m_fd >= 0) ::close(m_fd);  // close() errors on a socket we only read from carry no information
  m_fd = fd;
}

// --- SocketCanSource ---------------------------------------------------------------------------------------

// Receive buffers for one recvmmsg() batch, wired together once at open.
struct SocketCanSource::Buffers {
  struct alignas(cmsghdr) Control {
    char bytes[kControlBufferSize];
  };
  std::vector<mmsghdr> msgs;
  std::vector<iovec> iov;
  std::vector<can_frame> frames;
  std::vector<Control> control;

  explicit Buffers(std::size_t n) : msgs(n), iov(n), frames(n), control(n) {
    for (std::size_t i = 0; i < n; ++i) {
      iov[i] = iovec{&frames[i], sizeof(can_frame)};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control[i].bytes;
    }
  }
};

// Defined here, where Buffers is complete.
SocketCanSource::SocketCanSource() = default;
SocketCanSource::SocketCanSource(SocketCanSource&&) noexcept = default;
SocketCanSource& SocketCanSource::operator=(SocketCanSource&&) noexcept = default;
SocketCanSource::~SocketCanSource() = default;

Expected<SocketCanSource> SocketCanSource::open(std::string_view ifname, const SocketCanOptions& options) {
  const std::string name(ifname);
  if (name.empty() || name.size() >= kIfNameSize) {
    return Error::bad_input("socketcan: interface name '" + name + "' must be 1.." + std::to_string(kIfNameSize - 1) +
                            " characters");
  }
  std::vector<RawFilter> filters;
  if (!options.receive_all) {
    auto f = j1939_filters(options.pgns, options.source_address);
    if (!f) return Error::bad_input("socketcan " + name + ": " + f.error().message);
    filters = std::move(*f);
  }
  const std::string where = "socketcan " + name + ": ";

  // From here every early return closes `fd` through its owner: nothing leaks when a step fails half-way.
  UniqueFd fd(::socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW));
  if (!fd.valid()) {
    const int err = errno;
    if (err == EAFNOSUPPORT || err == EPROTONOSUPPORT) {
      return Error::internal(where + "socket(PF_CAN, SOCK_RAW, CAN_RAW): " + errno_text(err) +
                             ": this kernel has no SocketCAN support (load the modules can and can-raw)");
    }
    return Error::internal(where + "socket(PF_CAN, SOCK_RAW, CAN_RAW): " + errno_text(err));
  }

  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (::ioctl(fd.get(), SIOCGIFINDEX, &ifr) < 0) {
    const int err = errno;
    if (err == ENODEV) return Error::internal(where + "no such interface (" + errno_text(err) + ")");
    return Error::internal(where + "SIOCGIFINDEX: " + errno_text(err));
  }
  const int ifindex = ifr.ifr_ifindex;
  if (::ioctl(fd.get(), SIOCGIFFLAGS, &ifr) < 0) return Error::internal(where + "SIOCGIFFLAGS: " + errno_text(errno));
  if ((ifr.ifr_flags & IFF_UP) == 0) {
    // The kernel would bind and then report ENETDOWN on the first read; refusing here lets a reconnect loop
    // back off until the link is up instead of cycling open -> ENETDOWN -> open.
    return Error::internal(where + "interface is down (ip link set up " + name + ")");
  }

  auto set = [&](int level, int option, const void* value, socklen_t size, const char* what) -> Status {
    if (::setsockopt(fd.get(), level, option, value, size) < 0) {
      return Error::internal(where + "setsockopt(" + what + "): " + errno_text(errno));
    }
    return ok();
  };
  if (!options.receive_all) {
    LC_TRY_STATUS(set(SOL_CAN_RAW, CAN_RAW_FILTER, filters.data(),
                      static_cast<socklen_t>(filters.size() * sizeof(RawFilter)), "CAN_RAW_FILTER"));
  }
  const int one = 1;
  if (!set(SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one, "SO_TIMESTAMPNS")) {
    LC_TRY_STATUS(set(SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one, "SO_TIMESTAMP"));  // microseconds then
  }
  LC_TRY_STATUS(set(SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one, "SO_RXQ_OVFL"));
  if (options.receive_buffer_bytes > 0) {
    LC_TRY_STATUS(set(SOL_SOCKET, SO_RCVBUF, &options.receive_buffer_bytes, sizeof(int), "SO_RCVBUF"));
  }

  sockaddr_can addr{};
  addr.can_family = AF_CAN;
  addr.can_ifindex = ifindex;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) {
    return Error::internal(where + "bind: " + errno_text(errno));
  }

  SocketCanSource s;
  s.m_fd = std::move(fd);
  s.m_buf = std::make_unique<Buffers>(std::max<std::size_t>(options.batch_frames, 1));
  s.m_frame_template.set_interface(name);
  return s;
}

long SocketCanSource::receive_batch(Frame* out, std::size_t max) noexcept {
  Buffers& b = *m_buf;
  const std::size_t n = std::min(max, b.msgs.size());
  for (std::size_t i = 0; i < n; ++i) b.msgs[i].msg_hdr.msg_controllen = kControlBufferSize;  // kernel shrinks it
  const int got = ::recvmmsg(m_fd.get(), b.msgs.data(), static_cast<unsigned>(n), MSG_DONTWAIT, nullptr);
  if (got < 0) return -errno;

  std::size_t delivered = 0;
  for (int i = 0; i < got; ++i) {
    const mmsghdr& m = b.msgs[static_cast<std::size_t>(i)];
    if (m.msg_len != sizeof(can_frame)) {  // CAN FD or truncated: not a classic frame
      ++m_stats.skipped;
      continue;
    }
    const can_frame& cf = b.frames[static_cast<std::size_t>(i)];
    Frame& f = out[delivered++];
    f = m_frame_template;
    f.error = (cf.can_id & CAN_ERR_FLAG) != 0;
    f.extended = !f.error && (cf.can_id & CAN_EFF_FLAG) != 0;
    f.remote = !f.error && (cf.can_id & CAN_RTR_FLAG) != 0;
    f.id = cf.can_id & (f.error || f.extended ? CAN_EFF_MASK : CAN_SFF_MASK);
    f.dlc = std::min<std::uint8_t>(cf.len, 8);
    std::memcpy(f.data.data(), cf.data, 8);

    const ReceiveControl c = parse_receive_control(m.msg_hdr);
    if (c.time_ns) {
      f.time_ns = *c.time_ns;
    } else {
      f.time_ns = realtime_ns();
      ++m_stats.untimestamped;
    }
    if (c.drop_count) {  // cumulative per socket; unsigned difference survives the 2^32 wrap
      m_stats.kernel_drops += static_cast<std::uint32_t>(*c.drop_count - m_last_drop_count);
      m_last_drop_count = *c.drop_count;
    }
  }
  m_stats.frames += delivered;
  return static_cast<long>(delivered);
}

Error SocketCanSource::fail(int err, const char* call) {
  m_last_errno = err;
  if (is_link_error(err)) {
    m_link_lost = true;
    ++m_stats.link_errors;
    const char* why = err == ENETDOWN ? "interface went down" : "interface went away";
    return Error::internal("socketcan " + std::string(interface_name()) + ": " + call + ": " + errno_text(err) + ": " +
                           why);
  }
  ++m_stats.other_errors;
  return Error::internal("socketcan " + std::string(interface_name()) + ": " + call + ": " + errno_text(err));
}

Expected<std::size_t> SocketCanSource::read(Frame* out, std::size_t max, int timeout_ms) {
  if (!m_fd.valid() || !m_buf) return Error::internal("socketcan: read on a moved-from source");
  if (max == 0) return std::size_t{0};
  long r = receive_batch(out, max);
  if (r == -EAGAIN || r == -EWOULDBLOCK) {
    if (timeout_ms == 0) return std::size_t{0};
    pollfd p{m_fd.get(), POLLIN, 0};
    const int pr = ::poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms);
    if (pr < 0) {
      if (errno == EINTR) return std::size_t{0};
      return fail(errno, "poll");
    }
    if (pr == 0) return std::size_t{0};  // timeout: not an error
    r = receive_batch(out, max);         // readable, or POLLERR: recvmmsg returns the socket error
    if (r == -EAGAIN || r == -EWOULDBLOCK) return std::size_t{0};
  }
  if (r == -EINTR) return std::size_t{0};
  if (r < 0) return fail(static_cast<int>(-r), "recvmmsg");
  return static_cast<std::size_t>(r);
}

// --- ReconnectingSource ------------------------------------------------------------------------------------

ReconnectingSource::ReconnectingSource(std::string ifname, SocketCanOptions options, ReconnectOptions reconnect)
    : m_ifname(std::move(ifname)), m_options(std::move(options)), m_reconnect(reconnect) {}

bool ReconnectingSource::try_open() {
  ++m_closed.open_attempts;
  auto s = SocketCanSource::open(m_ifname, m_options);
  if (s) {
    m_source.emplace(std::move(*s));
    if (m_ever_connected) ++m_closed.reconnects;
    m_ever_connected = true;
    m_backoff_ms = 0;
    return true;
  }
  ++m_closed.open_failures;
  m_last_error = s.error().message;
  if (s.error().kind == ErrorKind::BadInput) {
    m_fatal = s.error();
    return false;
  }
  m_backoff_ms = m_backoff_ms == 0 ? std::max<std::int64_t>(m_reconnect.initial_backoff_ms, 1)
                                   : next_backoff_ms(m_backoff_ms, m_reconnect.multiplier, m_reconnect.max_backoff_ms);
  m_backoff_ms = std::min(m_backoff_ms, std::max<std::int64_t>(m_reconnect.max_backoff_ms, 1));
  m_next_attempt = Clock::now() + std::chrono::milliseconds(m_backoff_ms);
  return false;
}

void ReconnectingSource::disconnect(const Error& why) {
  const SocketCanStats& s = m_source->stats();
  m_closed.frames += s.frames;
  m_closed.kernel_drops += s.kernel_drops;
  ++m_closed.link_errors;
  m_last_error = why.message;
  m_source.reset();
  // The first attempt after a lost link waits the initial back-off: a link that was just set down is very
  // unlikely to be up again within microseconds, and waiting keeps a flapping link from costing a spin.
  m_backoff_ms = std::max<std::int64_t>(m_reconnect.initial_backoff_ms, 1);
  m_next_attempt = Clock::now() + std::chrono::milliseconds(m_backoff_ms);
}

Expected<std::size_t> ReconnectingSource::read(Frame* out, std::size_t max, int timeout_ms) {
  if (m_fatal) return *m_fatal;
  const bool forever = timeout_ms < 0;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(forever ? 0 : timeout_ms);
  for (;;) {
    if (!m_source) {
      Clock::time_point now = Clock::now();
      if (now >= m_next_attempt) {
        try_open();
        if (m_fatal) return *m_fatal;
      }
      if (!m_source) {
        now = Clock::now();
        const Clock::time_point until = forever ? m_next_attempt : std::min(m_next_attempt, deadline);
        if (!forever && now >= deadline) return std::size_t{0};
        if (until > now) std::this_thread::sleep_until(until);  // never spin while the link is away
        continue;
      }
    }
    int left_ms = -1;
    if (!forever) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      left_ms = static_cast<int>(std::clamp<std::int64_t>(left, 0, std::numeric_limits<int>::max()));
    }
    auto r = m_source->read(out, max, left_ms);
    if (r) {
      if (*r > 0 || !forever) return *r;
      continue;  // interrupted while waiting forever: wait again
    }
    disconnect(r.error());
    if (!forever && Clock::now() >= deadline) return std::size_t{0};
  }
}

ReconnectingStats ReconnectingSource::stats() const {
  ReconnectingStats s = m_closed;
  if (m_source) {
    s.frames += m_source->stats().frames;
    s.kernel_drops += m_source->stats().kernel_drops;
  }
  return s;
}

}  // namespace lc::can
