#include "util/page_block.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <utility>

namespace lc {
namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;  // a PMD of 4 KiB-page x86-64 and arm64 kernels
}

PageBlock::PageBlock(std::size_t bytes) {
  if (bytes == 0) return;
  const std::size_t size = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  // One huge page more than needed, so that an aligned run of `size` bytes lies inside the mapping.
  const std::size_t map_size = size + kHugePage;
  void* map = ::mmap(nullptr, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) throw std::bad_alloc();
  const auto base = reinterpret_cast<std::uintptr_t>(map);
  const std::uintptr_t aligned = (base + kHugePage - 1) / kHugePage * kHugePage;
  // Give back the slack on both sides, so only the aligned run stays mapped (and counts as address space).
  if (aligned > base) ::munmap(map, aligned - base);
  const std::uintptr_t end = base + map_size;
  if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  m_data = reinterpret_cast<void*>(aligned);
  m_size = bytes;
  m_mapped = size;
  // Advice only: EINVAL (THP compiled out) or a kernel that ignores it leaves ordinary pages.
  ::madvise(m_data, m_mapped, MADV_HUGEPAGE);
}

PageBlock::PageBlock(PageBlock&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)),
      m_size(std::exchange(other.m_size, 0)),
      m_mapped(std::exchange(other.m_mapped, 0)) {}

PageBlock& PageBlock::operator=(PageBlock&& other) noexcept {
  if (this != &other) {
    release();
    m_data = std::exchange(other.m_data, nullptr);
    m_size = std::exchange(other.m_size, 0);
    m_mapped = std::exchange(other.m_mapped, 0);
  }
  return *this;
}

PageBlock::~PageBlock() { release(); }

void PageBlock::release() noexcept {
  if (m_data != nullptr) ::munmap(m_data, m_mapped);
  m_data = nullptr;
  m_size = 0;
  m_mapped = 0;
}

}  // namespace lc
