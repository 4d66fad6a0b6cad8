// Scratch memory for feature calculators, sized once at start-up (STYLE.md principle 5).
//
// A calculator that needs temporary arrays takes them from the workspace with `take(count)`; the
// extractor calls `reset()` before each series. Nothing here allocates after construction: asking for more
// than the capacity is a programming error (the capacity is derived from the longest series the workspace
// was built for) and aborts in debug builds.
//
// It also keeps the ascending copy of the last series a calculator asked for (`sorted()`), so the
// calculators of one series that need order statistics (median, quantile, change_quantiles, the
// reoccurring-value family, ...) share one sort instead of sorting the same 40 values once each.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

namespace lc::features {

class Workspace {
 public:
  // `max_n`: the longest series that will be processed. The capacity formula is generous on purpose: the
  // widest calculator (pywt's cwt at width 20 needs a 16*20+1 point filter plus a full convolution) must fit.
  explicit Workspace(std::size_t max_n)
      : m_max_n(max_n), m_buf(capacity_for(max_n)), m_sorted_key(max_n), m_sorted(max_n) {}

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

  // `x` sorted ascending by std::sort with `<` (x must not hold NaN), exactly as sorting a copy would give.
  // Remembered for the last series, keyed by its exact bits rather than its address, so a result never
  // depends on what was asked before; reset() keeps it. Valid until the next sorted() call with another
  // series. A series longer than max_n() is sorted into take() memory instead.
  std::span<const double> sorted(std::span<const double> x) {
    const std::size_t n = x.size();
    if (n > m_max_n) {
      double* dst = take(n);
      std::copy(x.begin(), x.end(), dst);
      std::sort(dst, dst + n);
      return {dst, n};
    }
    const bool same = m_sorted_valid && m_sorted_n == n &&
                      (n == 0 || std::memcmp(m_sorted_key.data(), x.data(), n * sizeof(double)) == 0);
    if (!same) {
      std::copy(x.begin(), x.end(), m_sorted_key.begin());
      std::copy(x.begin(), x.end(), m_sorted.begin());
      std::sort(m_sorted.begin(), m_sorted.begin() + static_cast<std::ptrdiff_t>(n));
      m_sorted_n = n;
      m_sorted_valid = true;
    }
    return {m_sorted.data(), n};
  }

 private:
  std::size_t m_max_n;
  std::vector<double> m_buf;
  std::size_t m_used = 0;
  // sorted(): the series last sorted (exact bits) and its ascending copy, max_n doubles each.
  std::vector<double> m_sorted_key;
  std::vector<double> m_sorted;
  std::size_t m_sorted_n = 0;
  bool m_sorted_valid = false;
};

}  // namespace lc::features
