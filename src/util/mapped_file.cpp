#include "util/mapped_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace lc {

Expected<MappedFile> MappedFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::bad_input(path + ": cannot open: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error::bad_input(path + ": cannot read: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return Error::bad_input(path + ": cannot read: is a directory");
  // A regular file of size 0 may still have bytes (/proc, sysfs): it is read like anything not mappable.
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (addr != MAP_FAILED) return MappedFile(addr, size);
  }
  // Read from this descriptor, not by opening the path again: a pipe's writer may be gone by then.
  std::string bytes;
  if (st.st_size > 0) bytes.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      bytes.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      return Error::bad_input(path + ": read error: " + std::strerror(errno));
    }
  }
  return MappedFile(std::move(bytes));
}

MappedFile::MappedFile(std::string read) noexcept : m_read(std::move(read)) {}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : m_addr(std::exchange(other.m_addr, nullptr)),
      m_size(std::exchange(other.m_size, 0)),
      m_read(std::exchange(other.m_read, {})) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    m_addr = std::exchange(other.m_addr, nullptr);
    m_size = std::exchange(other.m_size, 0);
    m_read = std::exchange(other.m_read, {});
  }
  return *this;
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() noexcept {
  if (m_addr != nullptr) ::munmap(m_addr, m_size);
  m_addr = nullptr;
  m_size = 0;
  m_read.clear();
}

}  // namespace lc
