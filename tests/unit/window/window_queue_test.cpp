// WindowQueue: the hand-over between replay's reader thread and its scoring thread. Windows must come out in
// order with their own samples (a slot reused too early would hand the scorer another window's data), a
// popped window must stay intact while the producer waits, and abort() must free a producer blocked on a
// full queue (else an error on the scoring side would hang replay).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "window/window_queue.h"

namespace lc {
namespace {

constexpr std::size_t kPoints = 4;

// Window i: every sample of signal s is i * 100 + s (+ k / 10 for sample k), start = i * 5 s.
struct Made {
  std::vector<double> samples = std::vector<double>(kSignalCount * kPoints);
  Window w;
};
void make(Made& m, std::uint64_t i) {
  for (std::size_t s = 0; s < kSignalCount; ++s) {
    for (std::size_t k = 0; k < kPoints; ++k) m.samples[s * kPoints + k] = static_cast<double>(i * 100 + s) + static_cast<double>(k) / 10.0;
    m.w.series[s] = std::span<const double>(m.samples.data() + s * kPoints, kPoints);
  }
  m.w.index = i;
  m.w.start_ns = static_cast<std::int64_t>(i) * 5'000'000'000;
  m.w.end_ns = m.w.start_ns + 5'000'000'000;
  m.w.missing_mask = static_cast<std::uint16_t>(i & 0x3FF);
  m.w.segment_start = i % 7 == 0;
}
bool holds(const Window& w, std::uint64_t i) {
  if (w.index != i || w.start_ns != static_cast<std::int64_t>(i) * 5'000'000'000 || w.missing_mask != (i & 0x3FF) ||
      w.segment_start != (i % 7 == 0))
    return false;
  for (std::size_t s = 0; s < kSignalCount; ++s) {
    if (w.series[s].size() != kPoints) return false;
    for (std::size_t k = 0; k < kPoints; ++k)
      if (w.series[s][k] != static_cast<double>(i * 100 + s) + static_cast<double>(k) / 10.0) return false;
  }
  return true;
}

TEST(WindowQueue, WindowsComeOutInOrderWithTheirOwnSamples) {
  for (std::size_t capacity : {1u, 2u, 5u}) {
    WindowQueue q(capacity, kPoints);
    constexpr std::uint64_t n = 3000;
    std::thread producer([&] {
      Made m;
      for (std::uint64_t i = 0; i < n; ++i) {
        make(m, i);
        ASSERT_TRUE(q.push(m.w));
        // The queue copied the window: scribbling on the producer's buffer must not reach the consumer.
        std::fill(m.samples.begin(), m.samples.end(), -1.0);
      }
      q.close();
    });
    std::uint64_t got = 0;
    while (const Window* w = q.pop()) {
      ASSERT_TRUE(holds(*w, got)) << "capacity " << capacity << ", window " << got;
      ++got;
    }
    producer.join();
    EXPECT_EQ(got, n) << "capacity " << capacity;
    EXPECT_EQ(q.pop(), nullptr) << "a closed, drained queue keeps returning nullptr";
  }
}

TEST(WindowQueue, APoppedWindowStaysIntactWhileTheProducerWaits) {
  WindowQueue q(1, kPoints);
  Made m;
  make(m, 0);
  ASSERT_TRUE(q.push(m.w));
  const Window* first = q.pop();
  ASSERT_NE(first, nullptr);
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    Made m1;
    make(m1, 1);
    EXPECT_TRUE(q.push(m1.w));  // must wait: the only slot is still the consumer's
    pushed = true;
    q.close();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // give a wrong queue the chance to overwrite
  EXPECT_FALSE(pushed.load()) << "push() took the slot of the window the consumer still holds";
  EXPECT_TRUE(holds(*first, 0));
  const Window* second = q.pop();  // frees the first slot
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(holds(*second, 1));
  EXPECT_EQ(q.pop(), nullptr);
  producer.join();
}

TEST(WindowQueue, AbortFreesAProducerBlockedOnAFullQueue) {
  WindowQueue q(2, kPoints);
  std::atomic<int> accepted{0};
  std::atomic<bool> refused{false};
  std::thread producer([&] {
    Made m;
    for (std::uint64_t i = 0; i < 100; ++i) {
      make(m, i);
      if (!q.push(m.w)) {
        refused = true;
        return;
      }
      ++accepted;
    }
  });
  while (accepted.load() < 2) std::this_thread::yield();
  q.abort();
  producer.join();  // hangs here if abort() does not wake the producer
  EXPECT_TRUE(refused.load());
  EXPECT_EQ(accepted.load(), 2) << "only the two free slots may have been filled";
  EXPECT_EQ(q.pop(), nullptr) << "an aborted queue hands out nothing";
}

// Busy work of about `us` microseconds, so one side of the queue is the slow one.
void spin_for(std::chrono::microseconds us) {
  const auto until = std::chrono::steady_clock::now() + us;
  while (std::chrono::steady_clock::now() < until) {
  }
}

// The side that had to wait sleeps until half the queue is free (producer) or filled, at most 32 windows
// (consumer): each wait is then worth that many windows. Waking it per window (the ping-pong this replaced)
// makes the fast side wait at almost every window; the bounds below fail by a factor of about the batch.
TEST(WindowQueue, ASideThatWaitedIsWokenOncePerHalfQueue) {
  constexpr std::uint64_t n = 1000;
  for (const auto& [capacity, slow_consumer] : {std::pair{std::size_t{16}, true}, std::pair{std::size_t{16}, false},
                                               std::pair{std::size_t{256}, true}, std::pair{std::size_t{256}, false}}) {
    const std::uint64_t producer_bound = n / (capacity / 2) + 2;
    const std::uint64_t consumer_bound = n / std::min<std::size_t>(capacity / 2, 32) + 2;
    WindowQueue q(capacity, kPoints);
    std::thread producer([&] {
      Made m;
      for (std::uint64_t i = 0; i < n; ++i) {
        if (!slow_consumer) spin_for(std::chrono::microseconds(20));
        make(m, i);
        ASSERT_TRUE(q.push(m.w));
      }
      q.close();
    });
    std::uint64_t got = 0;
    while (const Window* w = q.pop()) {
      ASSERT_TRUE(holds(*w, got));
      ++got;
      if (slow_consumer) spin_for(std::chrono::microseconds(20));
    }
    producer.join();
    EXPECT_EQ(got, n);
    const WindowQueue::Waits waits = q.waits();
    EXPECT_LE(waits.producer, producer_bound) << capacity << (slow_consumer ? " slow consumer" : " slow producer");
    EXPECT_LE(waits.consumer, consumer_bound) << capacity << (slow_consumer ? " slow consumer" : " slow producer");
  }
}

}  // namespace
}  // namespace lc

namespace lc {
namespace {

// pop(idle): while the queue is empty the consumer does its idle work, a piece per call, and goes back to
// windows as soon as a batch (half the queue, at most 32) is in; it never does idle work with windows
// waiting, and not at all once the queue is closed.
TEST(WindowQueue, IdleWorkRunsOnlyWhileEmptyAndStopsWhenABatchIsIn) {
  WindowQueue q(8, kPoints);  // a waiting consumer is woken at 4 windows
  Made m;
  std::uint64_t pushed = 0;
  int calls = 0;
  // Each piece of idle work here is the producer pushing a window (same thread, so the count is exact).
  auto push_one = [&] {
    ++calls;
    make(m, pushed++);
    EXPECT_TRUE(q.push(m.w));
    return true;
  };
  const Window* w = q.pop(push_one);
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(holds(*w, 0));
  EXPECT_EQ(calls, 4) << "idle work must stop at the first batch";
  for (std::uint64_t i = 1; i < 4; ++i) {
    w = q.pop(push_one);
    ASSERT_NE(w, nullptr);
    EXPECT_TRUE(holds(*w, i));
  }
  EXPECT_EQ(calls, 4) << "no idle work while windows are queued";

  // Idle work that runs out: the consumer then waits for the producer as before.
  int runs_out = 0;
  std::thread producer([&] {
    for (std::uint64_t i = 4; i < 8; ++i) {
      make(m, i);
      ASSERT_TRUE(q.push(m.w));
    }
    q.close();
  });
  for (std::uint64_t i = 4; i < 8; ++i) {
    w = q.pop([&] { return ++runs_out < 3; });
    ASSERT_NE(w, nullptr);
    EXPECT_TRUE(holds(*w, i));
  }
  producer.join();
  const int before_end = runs_out;
  EXPECT_EQ(q.pop([&] { return ++runs_out > 0; }), nullptr);
  EXPECT_EQ(runs_out, before_end) << "no idle work once the queue is closed and drained";
}

}  // namespace
}  // namespace lc
