// Live SocketCAN tests: need a kernel with CAN and a virtual interface, so they run inside the test VM
// (tools/vm_test.sh), which loads can, can-raw, can-dev and vcan, and creates vcan0 before starting this.
//
// Traffic comes from can-utils (cansend, cangen, canplayer) and the link is flipped with `ip`, all run with
// std::system: this program is the VM's test driver, not library code.
//
// Environment:
//   LC_VM_IFACE  interface to use (default vcan0; must exist and be up; it is taken down and up, deleted and
//                re-created as vcan by the reconnect tests)
//   LC_VM_LOG    candump log to replay with canplayer (the replay test is skipped without it)
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "can/candump.h"
#include "can/frame.h"
#include "can/j1939.h"
#include "can/socketcan.h"

// Every operator new in this program is counted, so a test can prove the read path allocates nothing.
namespace {
std::atomic<std::uint64_t> g_allocations{0};
void* counted_alloc(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
// Out of line so GCC does not see free() meet a pointer from operator new and warn (-Wmismatched-new-delete).
[[gnu::noinline]] void release(void* p) noexcept { std::free(p); }
}  // namespace
void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }

namespace lc::can {
namespace {

// The engine PGNs of the ten contract signals (ARCHITECTURE.md), from the engine's source address 0x00.
const std::vector<std::uint32_t> kEnginePgns = {61443, 61444, 65031, 65247, 65262, 65263, 65270, 65271};
constexpr std::uint8_t kEngineSa = 0x00;

std::string iface() {
  const char* e = std::getenv("LC_VM_IFACE");
  return e != nullptr && *e != '\0' ? e : "vcan0";
}

int sh(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  if (rc != 0) std::printf("command failed (%d): %s\n", rc, cmd.c_str());
  return rc;
}

SocketCanOptions engine_options() {
  SocketCanOptions o;
  o.pgns = kEnginePgns;
  o.source_address = kEngineSa;
  return o;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Reads until `want` frames or `timeout_ms` of silence.
template <class Source>
std::vector<Frame> read_frames(Source& s, std::size_t want, int silence_ms) {
  std::vector<Frame> got;
  Frame buf[64];
  while (got.size() < want) {
    auto n = s.read(buf, 64, silence_ms);
    if (!n) {
      ADD_FAILURE() << n.error().message;
      break;
    }
    if (*n == 0) break;
    got.insert(got.end(), buf, buf + *n);
  }
  return got;
}

bool same_content(const Frame& a, const Frame& b) {
  return a.id == b.id && a.extended == b.extended && a.remote == b.remote && a.dlc == b.dlc &&
         std::equal(a.data.begin(), a.data.begin() + a.dlc, b.data.begin());
}

class LiveCan : public ::testing::Test {
 protected:
  void SetUp() override {
    // A test that failed half-way through a link flip must not break the next one.
    sh("ip link show " + iface() + " >/dev/null 2>&1 || ip link add " + iface() + " type vcan");
    sh("ip link set up " + iface());
  }
};

TEST_F(LiveCan, FramesArriveWithKernelTimestampsAndTheirContent) {
  auto s = SocketCanSource::open(iface(), engine_options());
  ASSERT_TRUE(s) << s.error().message;
  const std::int64_t before = now_ns();
  ASSERT_EQ(sh("cansend " + iface() + " 0CF00400#1122334455667788"), 0);
  const std::int64_t after = now_ns();
  auto got = read_frames(*s, 1, 2000);
  ASSERT_EQ(got.size(), 1u);
  const Frame& f = got[0];
  EXPECT_TRUE(f.extended);
  EXPECT_EQ(f.id, 0x0CF00400u);
  EXPECT_EQ(f.dlc, 8);
  EXPECT_EQ(f.data[0], 0x11);
  EXPECT_EQ(f.data[7], 0x88);
  EXPECT_EQ(f.interface_name(), iface());
  // The kernel stamped it while cansend ran, not when we read it.
  EXPECT_GE(f.time_ns, before);
  EXPECT_LE(f.time_ns, after);
  EXPECT_EQ(s->stats().untimestamped, 0u);
  EXPECT_EQ(s->stats().frames, 1u);
  // Nothing else is pending: a read times out with 0 frames, not an Error.
  Frame extra;
  auto none = s->read(&extra, 1, 50);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(*none, 0u);
}

TEST_F(LiveCan, KernelFiltersDropOtherPgnsSourcesAndFrameKinds) {
  auto s = SocketCanSource::open(iface(), engine_options());
  ASSERT_TRUE(s) << s.error().message;
  auto all_opts = SocketCanOptions{};
  all_opts.receive_all = true;
  auto all = SocketCanSource::open(iface(), all_opts);
  ASSERT_TRUE(all) << all.error().message;

  const std::vector<std::string> sent = {
      "0CF00401#0101010101010101",  // EEC1 from SA 0x01: other source
      "18FEF100#0202020202020202",  // CCVS from the engine: PGN not wanted
      "400#0303030303030303",       // 11-bit id whose low bits look like EEC1 from SA 0
      "0CF00400#R",                 // remote request for EEC1
      "18F00300#0404040404040404",  // EEC2 from the engine at priority 6: wanted
      "19FEEE00#0505050505050505",  // DP = 1: another PGN than ET1
      "18FEEE00#0606060606060606",  // ET1 from the engine: wanted
  };
  for (const auto& line : sent) ASSERT_EQ(sh("cansend " + iface() + " " + line), 0);

  auto got = read_frames(*s, 100, 300);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, 0x18F00300u);
  EXPECT_EQ(got[1].id, 0x18FEEE00u);
  EXPECT_EQ(got[1].data[0], 0x06);

  auto everything = read_frames(*all, 100, 300);
  EXPECT_EQ(everything.size(), sent.size());
  ASSERT_GE(everything.size(), 4u);
  EXPECT_FALSE(everything[2].extended);
  EXPECT_EQ(everything[2].id, 0x400u);
  EXPECT_TRUE(everything[3].remote);
}

// STYLE.md principle 5: once open, reading frames and timing out allocate nothing (no Error per timeout), for
// the plain source and the reconnecting wrapper alike.
TEST_F(LiveCan, ReadingFramesAndTimeoutsAllocatesNothing) {
  auto s = SocketCanSource::open(iface(), engine_options());
  ASSERT_TRUE(s) << s.error().message;
  ReconnectingSource r(iface(), engine_options());
  Frame buf[16];
  ASSERT_TRUE(r.read(buf, 16, 0));  // opens
  ASSERT_TRUE(r.connected()) << r.last_error();
  constexpr std::size_t kFrames = 100;  // fits the default receive buffer: no drops
  ASSERT_EQ(sh("cangen " + iface() + " -e -I 0CF00400 -L 8 -D i -g 0 -n " + std::to_string(kFrames)), 0);

  const std::uint64_t before = g_allocations.load();
  std::size_t plain = 0, reconnecting = 0;
  for (int i = 0; i < 1000 && plain < kFrames; ++i) {
    auto n = s->read(buf, 16, 200);
    if (!n || *n == 0) break;
    plain += *n;
  }
  for (int i = 0; i < 1000 && reconnecting < kFrames; ++i) {
    auto n = r.read(buf, 16, 200);
    if (!n || *n == 0) break;
    reconnecting += *n;
  }
  for (int i = 0; i < 5; ++i) {  // timeouts
    auto a = s->read(buf, 16, 5);
    auto b = r.read(buf, 16, 5);
    EXPECT_TRUE(a && *a == 0 && b && *b == 0);
  }
  const std::uint64_t allocations = g_allocations.load() - before;
  EXPECT_EQ(plain, kFrames);
  EXPECT_EQ(reconnecting, kFrames);
  EXPECT_EQ(allocations, 0u) << "allocations while reading " << plain + reconnecting << " frames and 10 timeouts";
}

// SO_RXQ_OVFL: a burst into a socket with the smallest receive buffer overflows its queue; every frame sent is
// either delivered or counted as dropped.
TEST_F(LiveCan, DropCounterCountsQueueOverflows) {
  SocketCanOptions o;
  o.receive_all = true;
  o.receive_buffer_bytes = 1;  // the kernel rounds this up to its minimum (a few frames)
  auto s = SocketCanSource::open(iface(), o);
  ASSERT_TRUE(s) << s.error().message;
  constexpr int kBurst = 2000;
  ASSERT_EQ(sh("cangen " + iface() + " -e -I 18FEEE00 -L 8 -D i -g 0 -n " + std::to_string(kBurst)), 0);
  std::size_t frames = read_frames(*s, kBurst + 1, 300).size();
  // The drop count rides on the next frame queued after the drops: send one more now that the queue is empty.
  ASSERT_EQ(sh("cansend " + iface() + " 18FEEE00#FF"), 0);
  frames += read_frames(*s, 1, 1000).size();
  std::printf("burst %d + 1: %zu frames received, %llu dropped by the kernel\n", kBurst, frames,
              static_cast<unsigned long long>(s->stats().kernel_drops));
  EXPECT_GT(s->stats().kernel_drops, 0u);
  EXPECT_EQ(frames + s->stats().kernel_drops, static_cast<std::size_t>(kBurst + 1));
}

// Link down (ENETDOWN) and interface deleted (ENODEV): the plain source reports it as an Error and a counted
// link error; the reconnecting source reopens with back-off and frames resume.
TEST_F(LiveCan, PlainSourceReportsLinkDown) {
  auto s = SocketCanSource::open(iface(), engine_options());
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(sh("ip link set down " + iface()), 0);
  Frame f;
  auto r = s->read(&f, 1, 1000);
  ASSERT_FALSE(r);
  std::printf("read after link down: %s\n", r.error().message.c_str());
  EXPECT_TRUE(s->link_lost());
  EXPECT_EQ(s->stats().link_errors, 1u);
  EXPECT_NE(r.error().message.find("ENETDOWN"), std::string::npos);
  // Opening while the link is down is refused, so a reconnect loop waits instead of binding to a dead link.
  auto again = SocketCanSource::open(iface(), engine_options());
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("down"), std::string::npos) << again.error().message;
  ASSERT_EQ(sh("ip link set up " + iface()), 0);
}

void flip_link_and_check_resume(const std::string& down_cmd, const std::string& up_cmd) {
  ReconnectingSource r(iface(), engine_options(), ReconnectOptions{20, 2.0, 200});
  Frame buf[8];
  auto opened = r.read(buf, 8, 0);  // the first read opens the socket; frames sent before it are not seen
  ASSERT_TRUE(opened) << opened.error().message;
  ASSERT_TRUE(r.connected()) << r.last_error();
  ASSERT_EQ(sh("cansend " + iface() + " 0CF00400#01"), 0);
  auto first = r.read(buf, 8, 2000);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(*first, 1u);
  ASSERT_TRUE(r.connected());

  ASSERT_EQ(sh(down_cmd), 0);
  for (int i = 0; i < 20 && r.connected(); ++i) {
    auto n = r.read(buf, 8, 50);
    ASSERT_TRUE(n) << n.error().message;  // a lost link is not an Error for the reconnecting source
  }
  EXPECT_FALSE(r.connected());
  EXPECT_EQ(r.stats().link_errors, 1u);
  std::printf("after the loss: %s\n", r.last_error().c_str());
  // While the link is away, reads sleep through the back-off instead of spinning on open().
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(r.read(buf, 8, 20));
  const std::uint64_t attempts_while_down = r.stats().open_attempts;
  std::printf("open attempts while down for about 200 ms: %llu, back-off now %lld ms\n",
              static_cast<unsigned long long>(attempts_while_down), static_cast<long long>(r.current_backoff_ms()));
  EXPECT_LE(attempts_while_down, 12u);

  ASSERT_EQ(sh(up_cmd), 0);
  std::vector<Frame> got;
  for (int i = 0; i < 40 && got.empty(); ++i) {  // back-off is at most 200 ms: 40 x (send + 100 ms) is plenty
    if (r.connected()) sh("cansend " + iface() + " 0CF00400#02");
    auto n = r.read(buf, 8, 100);
    ASSERT_TRUE(n) << n.error().message;
    got.insert(got.end(), buf, buf + *n);
  }
  ASSERT_FALSE(got.empty()) << "frames did not resume; last error: " << r.last_error();
  EXPECT_EQ(got[0].id, 0x0CF00400u);
  EXPECT_EQ(got[0].data[0], 0x02);
  EXPECT_TRUE(r.connected());
  EXPECT_EQ(r.stats().reconnects, 1u);
  EXPECT_GE(r.stats().frames, 2u);
}

TEST_F(LiveCan, ReconnectsAfterLinkDownAndUp) {
  flip_link_and_check_resume("ip link set down " + iface(), "ip link set up " + iface());
}

TEST_F(LiveCan, ReconnectsAfterInterfaceDeletedAndRecreated) {
  flip_link_and_check_resume("ip link delete " + iface(),
                             "ip link add " + iface() + " type vcan && ip link set up " + iface());
}

// canplayer replays a candump log onto the interface; what the filtered source receives must be exactly the
// log's frames of the wanted PGNs from the engine, in order, with the same content.
TEST_F(LiveCan, ReplayedLogArrivesExactlyForTheFilteredPgns) {
  const char* log = std::getenv("LC_VM_LOG");
  if (log == nullptr || *log == '\0') GTEST_SKIP() << "LC_VM_LOG not set";

  std::vector<Frame> expected;
  std::uint64_t total = 0;
  std::string log_iface;
  auto stats = read_candump_file(log, [&](const Frame& f) {
    ++total;
    if (log_iface.empty()) log_iface = std::string(f.interface_name());
    if (!f.extended || f.remote || f.error) return;
    const J1939Id j = decode_j1939_id(f.id);
    if (j.source == kEngineSa && std::find(kEnginePgns.begin(), kEnginePgns.end(), j.pgn) != kEnginePgns.end()) {
      expected.push_back(f);
    }
  });
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_GT(expected.size(), 0u);

  SocketCanOptions o = engine_options();
  o.receive_buffer_bytes = 8 << 20;  // the VM's init raises net.core.rmem_max so a fast replay cannot overflow
  auto s = SocketCanSource::open(iface(), o);
  ASSERT_TRUE(s) << s.error().message;

  std::vector<Frame> got;
  got.reserve(expected.size());
  std::atomic<bool> player_done{false};
  std::thread reader([&] {
    Frame buf[64];
    int idle_after_done = 0;
    while (idle_after_done < 3) {
      auto n = s->read(buf, 64, 200);
      if (!n) {
        ADD_FAILURE() << n.error().message;
        return;
      }
      got.insert(got.end(), buf, buf + *n);
      if (*n == 0 && player_done.load()) ++idle_after_done;
    }
  });
  // -t: as fast as possible (the log's own pace would take its full length); -I: the log; map its interface.
  const int rc = sh("canplayer -t -I " + std::string(log) + " " + iface() + "=" + log_iface);
  player_done = true;
  reader.join();
  ASSERT_EQ(rc, 0);

  std::printf("log: %llu frames, %zu of the wanted PGNs from SA 0x00; received %zu, kernel drops %llu\n",
              static_cast<unsigned long long>(total), expected.size(), got.size(),
              static_cast<unsigned long long>(s->stats().kernel_drops));
  EXPECT_EQ(s->stats().kernel_drops, 0u);
  ASSERT_EQ(got.size(), expected.size());
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!same_content(got[i], expected[i])) {
      if (++mismatches <= 5) {
        ADD_FAILURE() << "frame " << i << ": got " << format_candump_line(got[i]) << " expected "
                      << format_candump_line(expected[i]);
      }
    }
    if (i > 0) {
      EXPECT_GE(got[i].time_ns, got[i - 1].time_ns) << "kernel timestamps go backwards at " << i;
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace lc::can
