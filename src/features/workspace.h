// Scratch memory for feature calculators, sized once at start-up (STYLE.md principle 5).
//
// A calculator that needs temporary arrays takes them from the workspace with `take(count)`; the
// extractor calls `reset()` before each series. Nothing here allocates after construction: asking for more
// than the capacity is a programming error (the capacity is derived from the longest series the workspace
// was built for) and aborts in debug builds.
#pragma once

#include <cassert>
#include <cstddef>
#include <vector>

namespace lc::features {

class Workspace {
 public:
  // `max_n`: the longest series that will be processed. The capacity formula is generous on purpose: the
  // widest calculator (pywt's cwt at width 20 needs a 16*20+1 point filter plus a full convolution) must fit.
  explicit Workspace(std::size_t max_n) : m_max_n(max_n), m_buf(capacity_for(max_n)) {}

  static std::size_t capacity_for(std::size_t max_n) { return 256 * max_n + 16384; }

  std::size_t max_n() const { return m_max_n; }
  void reset() { m_used = 0; }

  // `count` doubles, uninitialised, valid until the next reset().
  double* take(std::size_t count) {
    assert(m_used + count <= m_buf.size() && "features::Workspace too small");
    double* p = m_buf.data() + m_used;
    m_used += count;
    return p;
  }
  std::size_t used() const { return m_used; }

 private:
  std::size_t m_max_n;
  std::vector<double> m_buf;
  std::size_t m_used = 0;
};

}  // namespace lc::features
