#include "can/block_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lc::can {

namespace {

// Reads up to `want` bytes at `offset` (or at the file position when not seekable), retrying short reads:
// fewer than `want` means the end of the file. -errno on a read error.
std::int64_t read_full(int fd, char* out, std::size_t want, std::uint64_t offset, bool seekable) noexcept {
  std::size_t got = 0;
  while (got < want) {
    const ssize_t n = seekable ? ::pread(fd, out + got, want - got, static_cast<off_t>(offset + got))
                               : ::read(fd, out + got, want - got);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      return -static_cast<std::int64_t>(errno);
    }
  }
  return static_cast<std::int64_t>(got);
}

std::size_t slot_bytes(const BlockReader::Layout& l) { return l.head + l.block + l.slack; }

}  // namespace

Expected<std::unique_ptr<BlockReader>> BlockReader::open(const std::string& path, const Layout& layout) {
  if (layout.block == 0 || layout.slots < 2)
    return Error::internal(path + ": a block reader needs blocks of at least one byte and two slots");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::bad_input(path + ": cannot open: " + std::strerror(errno));
  struct stat sb {};
  const bool regular = ::fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
  const std::uint64_t size = regular && sb.st_size > 0 ? static_cast<std::uint64_t>(sb.st_size) : 0;
  if (regular) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  try {
    return std::unique_ptr<BlockReader>(new BlockReader(path, fd, layout, regular, size));
  } catch (...) {
    ::close(fd);
    throw;
  }
}

BlockReader::BlockReader(std::string path, int fd, const Layout& layout, bool seekable, std::uint64_t size)
    : m_path(std::move(path)),
      m_fd(fd),
      m_layout(layout),
      m_seekable(seekable),
      m_file_size(size),
      m_memory(layout.slots * slot_bytes(layout)),
      m_slot(new Slot[layout.slots]) {}

BlockReader::~BlockReader() { ::close(m_fd); }

char* BlockReader::slot_data(std::uint64_t block) const noexcept {
  return static_cast<char*>(m_memory.data()) + (block % m_layout.slots) * slot_bytes(m_layout) + m_layout.head;
}

void BlockReader::fill(std::uint64_t block) noexcept {
  Slot& slot = m_slot[block % m_layout.slots];
  const std::int64_t n = read_full(m_fd, slot_data(block), m_layout.block, block * m_layout.block, m_seekable);
  slot.bytes = n;
  if (n < static_cast<std::int64_t>(m_layout.block)) {  // the end of the file, or an error: nothing past it
    std::uint64_t end = m_end.load();
    while (block + 1 < end && !m_end.compare_exchange_weak(end, block + 1)) {
    }
  }
  slot.ready.store(block + 1, std::memory_order_release);
  slot.ready.notify_one();  // a reader waiting for this very block (no system call when none waits)
}

bool BlockReader::read_ahead() noexcept {
  if (!m_seekable) return false;  // read() takes the file position: only next() may read, in order
  std::uint64_t block = m_claimed.load();
  do {
    if (block >= m_end.load() || block >= m_released.load() + m_layout.slots) return false;
  } while (!m_claimed.compare_exchange_weak(block, block + 1));
  fill(block);
  return true;
}

Expected<BlockReader::Block> BlockReader::next(std::size_t carry) {
  const std::uint64_t block = m_next;
  Slot& slot = m_slot[block % m_layout.slots];
  for (std::uint64_t seen = slot.ready.load(std::memory_order_acquire); seen != block + 1;
       seen = slot.ready.load(std::memory_order_acquire)) {
    std::uint64_t unclaimed = block;
    if (m_claimed.compare_exchange_strong(unclaimed, block + 1)) {
      fill(block);  // nobody has read ahead this far: read it here
      break;
    }
    slot.ready.wait(seen, std::memory_order_acquire);  // another thread claimed it and is reading it now
  }
  char* const data = slot_data(block);
  if (block > 0) {
    // The previous block's carried bytes sit before its data, so its last `carry` bytes may start there.
    const char* const prev_end = slot_data(block - 1) + m_slot[(block - 1) % m_layout.slots].bytes;
    std::memcpy(data - carry, prev_end - carry, carry);
    m_released.store(block);  // the previous block's slot is free
  }
  ++m_next;
  if (slot.bytes < 0)
    return Error::bad_input(m_path + ": read error: " + std::strerror(static_cast<int>(-slot.bytes)));
  const auto bytes = static_cast<std::size_t>(slot.bytes);
  return Block{data - carry, carry + bytes, bytes < m_layout.block};
}

}  // namespace lc::can
