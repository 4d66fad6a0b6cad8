// A bounded queue of windows from one producer thread to one consumer thread (replay: the reading thread
// parses, decodes and cuts windows while the scoring thread computes features, models and decoders).
//
// Every slot owns its samples, sized at construction (one PageBlock for all): push() copies a window in, pop()
// hands out a Window whose series point into the slot. Nothing is allocated per window. Windows come out in the
// order they went in; push() waits while the queue is full, pop() while it is empty.
//
// A side that had to wait is woken only when half the queue is free again (producer) or half of it, at most
// 32 windows, is filled (consumer), or at close()/abort(). Waking per window made the two threads ping-pong:
// in a replay the faster side waited at every window, 1,300 futex calls an hour of log, ~15 % of replay's CPU
// on a VM where a wake-up is a hypercall. The consumer's cap bounds what is left to score when the producer
// closes: with replay's 256 windows, half the queue was up to 128 windows (~3.7 ms) after the last line.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "util/page_block.h"
#include "window/windower.h"

namespace lc {

class WindowQueue {
 public:
  // `capacity` windows of up to `points` samples per signal (capacity >= 1).
  WindowQueue(std::size_t capacity, std::size_t points);
  WindowQueue(const WindowQueue&) = delete;
  WindowQueue& operator=(const WindowQueue&) = delete;

  // Producer: copies `w` into the queue, waiting for a free slot. Returns false (and drops `w`) once the
  // consumer has called abort().
  bool push(const Window& w);
  // Producer: no more windows; pop() returns nullptr after the last one.
  void close();

  // Consumer: the next window, valid until the next pop() (its slot is reused only then); nullptr once the
  // queue is closed and empty, or after abort(). When the queue is empty and `idle` is given, calls it (without
  // the lock) for as long as it returns true (it did a piece of work) and no batch has come in, before waiting.
  const Window* pop(const std::function<bool()>& idle = {});
  // Consumer: stop early (an error on the consumer side); a waiting or later push() returns false.
  void abort();

  std::size_t capacity() const { return m_slots.size(); }

  // How often each side blocked so far (read after both threads are done, or under no other thread).
  struct Waits {
    std::uint64_t producer = 0;
    std::uint64_t consumer = 0;
  };
  Waits waits() const;

 private:
  // Windows in use: pushed and not yet popped, plus the one the consumer still holds.
  std::size_t used() const { return static_cast<std::size_t>(m_pushed - m_popped) + (m_holding ? 1 : 0); }

  struct Slot {
    Window window;
    double* samples = nullptr;  // kSignalCount * points in m_samples
  };
  std::vector<Slot> m_slots;
  std::size_t m_points;
  static constexpr std::size_t kConsumerBatch = 32;  // the consumer's cap (see the top of this file)
  std::size_t m_resume;           // free slots that wake a waiting producer
  std::size_t m_consumer_resume;  // queued windows that wake a waiting consumer
  // All slots' samples in one block, touched only as windows come in: a queue sized for replay (256 windows,
  // 800 KiB) cost ~200 page faults, as one vector per slot filled up front, in 4 KiB pages.
  PageBlock m_samples;
  mutable std::mutex m_mutex;
  std::condition_variable m_not_full;   // the producer waits here
  std::condition_variable m_not_empty;  // the consumer waits here
  bool m_producer_waiting = false;
  bool m_consumer_waiting = false;
  Waits m_waits;
  std::uint64_t m_pushed = 0;  // windows put in (slot = count % capacity)
  std::uint64_t m_popped = 0;  // windows handed out; the last one's slot is still in use until the next pop
  bool m_holding = false;      // the consumer holds slot (m_popped - 1)
  bool m_closed = false;
  bool m_aborted = false;
};

}  // namespace lc
