// A bounded queue of windows from one producer thread to one consumer thread (replay: the reader thread
// parses, decodes and cuts windows while the scoring thread computes features, models and decoders).
//
// Every slot owns its samples, sized at construction: push() copies a window in, pop() hands out a Window
// whose series point into the slot. Nothing is allocated per window. Windows come out in the order they
// went in; push() waits while the queue is full, pop() while it is empty.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

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
  // queue is closed and empty, or after abort().
  const Window* pop();
  // Consumer: stop early (an error on the consumer side); a waiting or later push() returns false.
  void abort();

  std::size_t capacity() const { return m_slots.size(); }

 private:
  struct Slot {
    Window window;
    std::vector<double> samples;  // kSignalCount * points
  };
  std::vector<Slot> m_slots;
  std::size_t m_points;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::uint64_t m_pushed = 0;  // windows put in (slot = count % capacity)
  std::uint64_t m_popped = 0;  // windows handed out; the last one's slot is still in use until the next pop
  bool m_holding = false;      // the consumer holds slot (m_popped - 1)
  bool m_closed = false;
  bool m_aborted = false;
};

}  // namespace lc
