// Zero-filled memory straight from the kernel, mapped in whole transparent huge pages (2 MiB) and asked to be
// backed by them.
//
// On the VMs here every first touch of a fresh 4 KiB page is a fault of ~12 us (BENCHMARKS.md, session 7):
// replay's window queue (256 windows x 10 signals x 40 doubles, 800 KiB) cost ~200 of them on the reader
// thread, about 2.5 ms of a 60 ms replay. With THP in "madvise" mode (Debian's default) the same block is one
// fault of a zeroed 2 MiB page. Where the kernel gives no huge page (THP off, no free huge page, a page size
// other than 4 KiB) it is ordinary anonymous memory, faulted in page by page on first touch: never wrong, only
// slower. Where it does, every touched 2 MiB is resident as a whole, even for a block of a few bytes: use it
// for buffers of hundreds of KiB that get filled.
#pragma once

#include <cstddef>

namespace lc {

class PageBlock {
 public:
  PageBlock() = default;
  // At least `bytes` zero bytes, aligned to 2 MiB. Throws std::bad_alloc when the kernel refuses.
  explicit PageBlock(std::size_t bytes);
  PageBlock(PageBlock&& other) noexcept;
  PageBlock& operator=(PageBlock&& other) noexcept;
  PageBlock(const PageBlock&) = delete;
  PageBlock& operator=(const PageBlock&) = delete;
  ~PageBlock();

  void* data() const noexcept { return m_data; }
  std::size_t size() const noexcept { return m_size; }

 private:
  void release() noexcept;

  void* m_data = nullptr;      // start of the mapping, 2 MiB-aligned
  std::size_t m_size = 0;      // bytes asked for
  std::size_t m_mapped = 0;    // bytes mapped: m_size rounded up to whole huge pages
};

}  // namespace lc
