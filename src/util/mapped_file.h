// A whole file's bytes, mapped read-only into memory rather than copied.
//
// Start-up reads the shipped models' 8 MB of XGBoost JSON only to fingerprint it (is the compiled forest
// beside it still made from it?). Read into a buffer, that costs a fresh page of memory per 4 KB, zeroed and
// copied into; mapped with MAP_POPULATE the page cache's own pages are wired in by one system call.
// The mapping lives as long as the object. A file truncated by someone else while mapped would fault on
// access, so map only files that are replaced by rename (as write_file_atomic does), never rewritten in place.
// What cannot be mapped (a pipe, a file system without mmap, a /proc file that claims size 0) is read into
// memory instead: the same bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace lc {

class MappedFile {
 public:
  // Error (BadInput) names the path when it cannot be opened or read, or is a directory.
  static Expected<MappedFile> open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view bytes() const noexcept {
    return m_addr != nullptr ? std::string_view(static_cast<const char*>(m_addr), m_size) : std::string_view(m_read);
  }
  // Whether the bytes are mapped (false: an empty file, or read into memory because it could not be mapped).
  bool mapped() const noexcept { return m_addr != nullptr; }

 private:
  MappedFile(void* addr, std::size_t size) noexcept : m_addr(addr), m_size(size) {}
  explicit MappedFile(std::string read) noexcept;
  void release() noexcept;

  void* m_addr = nullptr;  // nullptr when nothing is mapped
  std::size_t m_size = 0;
  std::string m_read;  // the bytes, when they were read instead of mapped
};

}  // namespace lc
