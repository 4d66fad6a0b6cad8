#include "window/window_queue.h"

#include <algorithm>

namespace lc {

WindowQueue::WindowQueue(std::size_t capacity, std::size_t points) : m_slots(std::max<std::size_t>(capacity, 1)), m_points(points) {
  for (auto& s : m_slots) s.samples.assign(kSignalCount * points, 0.0);
}

bool WindowQueue::push(const Window& w) {
  std::unique_lock lock(m_mutex);
  // Slots in use: those pushed and not yet popped, plus the one the consumer still holds.
  m_changed.wait(lock, [&] { return m_aborted || m_pushed - m_popped + (m_holding ? 1 : 0) < m_slots.size(); });
  if (m_aborted) return false;
  Slot& s = m_slots[m_pushed % m_slots.size()];
  lock.unlock();  // the slot is the producer's alone until m_pushed moves past it
  s.window = w;
  for (std::size_t i = 0; i < kSignalCount; ++i) {
    const std::size_t n = std::min(w.series[i].size(), m_points);
    std::copy_n(w.series[i].data(), n, s.samples.data() + i * m_points);
    s.window.series[i] = std::span<const double>(s.samples.data() + i * m_points, n);
  }
  lock.lock();
  ++m_pushed;
  m_changed.notify_all();
  return true;
}

void WindowQueue::close() {
  std::lock_guard lock(m_mutex);
  m_closed = true;
  m_changed.notify_all();
}

const Window* WindowQueue::pop() {
  std::unique_lock lock(m_mutex);
  if (m_holding) {
    m_holding = false;  // the previous window's slot is free again
    m_changed.notify_all();
  }
  m_changed.wait(lock, [&] { return m_aborted || m_pushed > m_popped || m_closed; });
  if (m_aborted || m_pushed == m_popped) return nullptr;
  const Window* w = &m_slots[m_popped % m_slots.size()].window;
  ++m_popped;
  m_holding = true;
  return w;
}

void WindowQueue::abort() {
  std::lock_guard lock(m_mutex);
  m_aborted = true;
  m_changed.notify_all();
}

}  // namespace lc
