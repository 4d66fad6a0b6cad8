// Live CAN frames from a Linux SocketCAN interface (the one file behind which SocketCAN lives, STYLE.md 6).
//
// SocketCanSource owns one CAN_RAW socket bound to one interface:
//   - kernel receive filters, so only the configured J1939 PGNs from the configured source address reach user
//     space (or, with `receive_all`, every frame, for `inspect`-like use);
//   - SO_TIMESTAMPNS: every frame carries the kernel's receive time (CLOCK_REALTIME, ns), taken from the
//     recvmsg control messages, not the time user space got round to reading it;
//   - SO_RXQ_OVFL: the kernel's count of frames dropped because this socket's queue was full, as a metric;
//   - non-blocking reads with poll(timeout), a batch of frames per call (recvmmsg), no allocation per frame and
//     no exception or Error per timeout (a timeout is 0 frames).
// The object is the move-only owner of the fd; open() closes what it opened if a later setup step fails.
//
// Interface down or removed: the kernel reports ENETDOWN (link set down) or ENODEV (interface deleted) on the
// socket once; read() returns an Error and counts it in stats().link_errors, and link_lost() says so.
// ReconnectingSource wraps this: it closes the socket, retries open() with capped exponential back-off
// (sleeping inside read() up to its timeout, never spinning) and counts reconnects; frames resume when the
// interface is back up.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "can/frame.h"
#include "util/expected.h"

namespace lc::can {

// --- Pure helpers (no sockets; unit-tested on any kernel) -----------------------------------------------

// One kernel receive filter, laid out as Linux's `struct can_filter`: a frame passes if
// (frame_can_id & mask) == (id & mask), where can ids carry the CAN_EFF_FLAG (bit 31) / CAN_RTR_FLAG (bit 30)
// / CAN_ERR_FLAG (bit 29) flag bits.
struct RawFilter {
  std::uint32_t id = 0;
  std::uint32_t mask = 0;
};

inline constexpr std::uint32_t kCanEffFlag = 0x80000000u;  // CAN_EFF_FLAG: 29-bit identifier
inline constexpr std::uint32_t kCanRtrFlag = 0x40000000u;  // CAN_RTR_FLAG: remote request
inline constexpr std::uint32_t kCanErrFlag = 0x20000000u;  // CAN_ERR_FLAG: error frame
inline constexpr std::size_t kMaxRawFilters = 512;         // CAN_RAW_FILTER_MAX in the kernel

// Kernel filters for J1939 data frames carrying one of `pgns` (18-bit PGNs with EDP/DP, as
// dbc::DecodePlan::pgns() gives them) sent by `source` (nullopt: any source address). The priority bits never
// take part; for a PDU1 PGN (PF < 240) the destination byte (PS) does not either, for PDU2 it is part of the
// PGN. Remote, error and 11-bit frames never pass. Duplicate PGNs give one filter.
// Returns BadInput for an empty list, a PGN above 0x3FFFF, or more than kMaxRawFilters PGNs.
Expected<std::vector<RawFilter>> j1939_filters(std::span<const std::uint32_t> pgns, std::optional<std::uint8_t> source);

// What the kernel's CAN_RAW filter does with `filters` for a frame whose can_id (with flag bits) is
// `can_id`: true if any filter matches. An empty list matches nothing (as setsockopt with 0 filters). A filter
// with CAN_ERR_FLAG in its mask only matches error frames, and error frames match no other filter.
bool raw_filters_match(std::span<const RawFilter> filters, std::uint32_t can_id) noexcept;

// The kernel's can_id for a frame (flag bits from `extended`, `remote`, `error`).
std::uint32_t to_can_id(const Frame& f) noexcept;

// Receive control messages of one recvmsg() call: SCM_TIMESTAMPNS (or SCM_TIMESTAMP, microseconds) and
// SO_RXQ_OVFL's drop count. Unknown or truncated messages are ignored; absent fields stay unset.
struct ReceiveControl {
  std::optional<std::int64_t> time_ns;      // kernel receive time, ns since the Unix epoch
  std::optional<std::uint32_t> drop_count;  // socket's cumulative drop count (wraps at 2^32)
};
ReceiveControl parse_receive_control(const msghdr& msg) noexcept;

// Control buffer size that holds both messages (used to size the per-socket receive buffers once).
inline constexpr std::size_t kControlBufferSize = 128;

// Next back-off after a failed attempt: `current_ms` times `multiplier`, capped at `max_ms`, at least 1 ms.
std::int64_t next_backoff_ms(std::int64_t current_ms, double multiplier, std::int64_t max_ms) noexcept;

// --- Move-only fd owner ------------------------------------------------------------------------------------

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : m_fd(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return m_fd; }
  bool valid() const noexcept { return m_fd >= 0; }
  int release() noexcept;
  void reset(int fd = -1) noexcept;  // closes the fd held, if any

 private:
  int m_fd = -1;
};

// --- The source ----------------------------------------------------------------------------------------------

struct SocketCanOptions {
  std::vector<std::uint32_t> pgns;             // J1939 PGNs to receive (dbc::DecodePlan::pgns())
  std::optional<std::uint8_t> source_address;  // only frames from this SA; nullopt: any source
  bool receive_all = false;                    // no kernel filter at all (pgns/source_address ignored)
  int receive_buffer_bytes = 0;                // SO_RCVBUF; 0 keeps the kernel default
  std::size_t batch_frames = 64;               // frames fetched per recvmmsg() call (buffers sized at open)
};

struct SocketCanStats {
  std::uint64_t frames = 0;         // frames delivered by read()
  std::uint64_t kernel_drops = 0;   // frames the kernel dropped for this socket (SO_RXQ_OVFL), cumulative
  std::uint64_t untimestamped = 0;  // frames without a kernel timestamp (user-space clock used instead)
  std::uint64_t skipped = 0;        // messages that were not a classic CAN frame (size mismatch)
  std::uint64_t link_errors = 0;    // reads that failed with ENETDOWN / ENODEV / ENXIO
  std::uint64_t other_errors = 0;   // reads that failed otherwise
};

class SocketCanSource {
 public:
  // Opens a CAN_RAW socket on `ifname` ("can0", "vcan0"). Errors (the fd is closed on every one of them):
  //   BadInput  - empty or too long (>= 16 chars) interface name; empty PGN list without receive_all;
  //               a PGN > 0x3FFFF; more than 512 PGNs
  //   Internal  - no CAN in this kernel (EAFNOSUPPORT: the message says which modules to load), no such
  //               interface (ENODEV), interface not up (so a reconnect loop waits for it instead of binding
  //               to a link that is down), or a socket option / bind that failed (message names it and errno)
  static Expected<SocketCanSource> open(std::string_view ifname, const SocketCanOptions& options);

  SocketCanSource(SocketCanSource&&) noexcept;
  SocketCanSource& operator=(SocketCanSource&&) noexcept;
  SocketCanSource(const SocketCanSource&) = delete;
  SocketCanSource& operator=(const SocketCanSource&) = delete;
  ~SocketCanSource();

  // Reads up to `max` frames into `out`, waiting at most `timeout_ms` (0: do not wait, < 0: wait forever) for
  // the first. Returns the number of frames (0 on timeout or when interrupted by a signal), or an Error
  // naming the interface and errno when the socket fails; ENETDOWN / ENODEV / ENXIO also set link_lost().
  // Every frame carries the interface name and the kernel receive time. No allocation.
  Expected<std::size_t> read(Frame* out, std::size_t max, int timeout_ms);

  // True after a read failed because the interface went down or away (the socket should be reopened).
  bool link_lost() const { return m_link_lost; }
  // errno of the last failed read, 0 if none.
  int last_errno() const { return m_last_errno; }
  const SocketCanStats& stats() const { return m_stats; }
  std::string_view interface_name() const { return m_frame_template.interface_name(); }
  int fd() const { return m_fd.get(); }  // for callers that poll several fds themselves

 private:
  struct Buffers;
  SocketCanSource();
  long receive_batch(Frame* out, std::size_t max) noexcept;  // frames received, or -errno
  Error fail(int err, const char* call);                     // counts the failure, returns its Error

  UniqueFd m_fd;
  std::unique_ptr<Buffers> m_buf;  // heap so the msghdr pointers into it survive a move of the source
  Frame m_frame_template;          // interface name pre-filled
  SocketCanStats m_stats;
  std::uint32_t m_last_drop_count = 0;
  bool m_link_lost = false;
  int m_last_errno = 0;
};

// --- Reconnecting wrapper ------------------------------------------------------------------------------------

struct ReconnectOptions {
  std::int64_t initial_backoff_ms = 100;  // wait after the first failure
  double multiplier = 2.0;                // each further failure multiplies the wait
  std::int64_t max_backoff_ms = 5000;     // cap on the wait
};

struct ReconnectingStats {
  std::uint64_t frames = 0;         // frames delivered over all connections
  std::uint64_t kernel_drops = 0;   // SO_RXQ_OVFL drops summed over all connections
  std::uint64_t link_errors = 0;    // connections lost (ENETDOWN / ENODEV / other read failures)
  std::uint64_t open_attempts = 0;  // calls to SocketCanSource::open
  std::uint64_t open_failures = 0;  // of which failed
  std::uint64_t reconnects = 0;     // successful opens after the first one
};

class ReconnectingSource {
 public:
  // Does not open yet: the first read() does (so a daemon can start before its interface exists).
  // Options are checked then; a BadInput Error from open() is returned by read(), since retrying cannot fix it.
  ReconnectingSource(std::string ifname, SocketCanOptions options, ReconnectOptions reconnect = {});

  // Like SocketCanSource::read, but a lost link is not an Error: the socket is closed, and reopening is tried
  // when the back-off has passed; while disconnected read() sleeps (never spins) until the next attempt or
  // its timeout, whichever is first, and returns 0. Returns an Error only for BadInput (bad options/name).
  Expected<std::size_t> read(Frame* out, std::size_t max, int timeout_ms);

  bool connected() const { return m_source.has_value(); }
  // The Error of the last failed open or read, empty if none yet (for logging by the caller).
  const std::string& last_error() const { return m_last_error; }
  std::int64_t current_backoff_ms() const { return m_backoff_ms; }
  // Stats so far, including the open connection's counters.
  ReconnectingStats stats() const;

 private:
  using Clock = std::chrono::steady_clock;
  bool try_open();  // true if connected afterwards; sets m_fatal on BadInput
  void disconnect(const Error& why);

  std::string m_ifname;
  SocketCanOptions m_options;
  ReconnectOptions m_reconnect;
  std::optional<SocketCanSource> m_source;
  ReconnectingStats m_closed;  // counters of connections already closed
  std::int64_t m_backoff_ms = 0;
  Clock::time_point m_next_attempt{};  // epoch: attempt at once
  bool m_ever_connected = false;
  std::optional<Error> m_fatal;
  std::string m_last_error;
};

}  // namespace lc::can
