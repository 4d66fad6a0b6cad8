#include "window/window_queue.h"

#include <algorithm>

namespace lc {

WindowQueue::WindowQueue(std::size_t capacity, std::size_t points)
    : m_slots(std::max<std::size_t>(capacity, 1)),
      m_points(points),
      m_resume(std::max<std::size_t>(m_slots.size() / 2, 1)),
      m_consumer_resume(std::min(m_resume, kConsumerBatch)),
      m_samples(m_slots.size() * kSignalCount * points * sizeof(double)) {
  auto* all = static_cast<double*>(m_samples.data());
  for (std::size_t k = 0; k < m_slots.size(); ++k) m_slots[k].samples = all + k * kSignalCount * points;
}

bool WindowQueue::push(const Window& w) {
  std::unique_lock lock(m_mutex);
  if (!m_aborted && used() == m_slots.size()) {
    ++m_waits.producer;
    m_producer_waiting = true;
    m_not_full.wait(lock, [&] { return m_aborted || m_slots.size() - used() >= m_resume; });
    m_producer_waiting = false;
  }
  if (m_aborted) return false;
  Slot& s = m_slots[m_pushed % m_slots.size()];
  lock.unlock();  // the slot is the producer's alone until m_pushed moves past it
  s.window = w;
  for (std::size_t i = 0; i < kSignalCount; ++i) {
    const std::size_t n = std::min(w.series[i].size(), m_points);
    std::copy_n(w.series[i].data(), n, s.samples + i * m_points);
    s.window.series[i] = std::span<const double>(s.samples + i * m_points, n);
  }
  lock.lock();
  ++m_pushed;
  if (m_consumer_waiting && m_pushed - m_popped >= m_consumer_resume) m_not_empty.notify_one();
  return true;
}

void WindowQueue::close() {
  std::lock_guard lock(m_mutex);
  m_closed = true;
  m_not_empty.notify_one();
}

const Window* WindowQueue::pop(const std::function<bool()>& idle) {
  std::unique_lock lock(m_mutex);
  if (m_holding) {
    m_holding = false;  // the previous window's slot is free again
    if (m_producer_waiting && m_slots.size() - used() >= m_resume) m_not_full.notify_one();
  }
  if (idle && !m_aborted && !m_closed && m_pushed == m_popped) {
    // Empty: the caller's idle work first, a piece at a time, until a batch is in or the work runs out.
    do {
      lock.unlock();
      const bool worked = idle();
      lock.lock();
      if (!worked) break;
    } while (!m_aborted && !m_closed && m_pushed - m_popped < m_consumer_resume);
  }
  if (!m_aborted && !m_closed && m_pushed == m_popped) {
    ++m_waits.consumer;
    m_consumer_waiting = true;
    m_not_empty.wait(lock, [&] { return m_aborted || m_closed || m_pushed - m_popped >= m_consumer_resume; });
    m_consumer_waiting = false;
  }
  if (m_aborted || m_pushed == m_popped) return nullptr;
  const Window* w = &m_slots[m_popped % m_slots.size()].window;
  ++m_popped;
  m_holding = true;
  return w;
}

void WindowQueue::abort() {
  std::lock_guard lock(m_mutex);
  m_aborted = true;
  m_not_full.notify_one();
  m_not_empty.notify_one();
}

WindowQueue::Waits WindowQueue::waits() const {
  std::lock_guard lock(m_mutex);
  return m_waits;
}

}  // namespace lc
