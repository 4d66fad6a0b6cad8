// A whole file mapped read-only into memory: its bytes without copying them.
//
// Start-up reads the shipped models' 8 MB of XGBoost JSON only to fingerprint
// it (is the compiled forest beside it still made from it?). Read into a
// buffer, that costs a fresh page of memory per 4 KB, zeroed and copied into;
// mapped with MAP_POPULATE the page cache's own pages are wired in by one
// system call. The mapping lives as long as the object. A file truncated by
// someone else while mapped would fault on access, so map only files that are
// replaced by rename (as write_file_atomic does), never rewritten in place.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace lc {

class MappedFile {
public:
  // Error (BadInput) names the path when it cannot be opened, is not a regular
  // file, or cannot be mapped.
  static Expected<MappedFile> open(const std::string &path);

  MappedFile(MappedFile &&other) noexcept;
  MappedFile &operator=(MappedFile &&other) noexcept;
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  ~MappedFile();

  std::string_view bytes() const noexcept {
    return {static_cast<const char *>(m_addr), m_size};
  }

private:
  MappedFile(void *addr, std::size_t size) noexcept
      : m_addr(addr), m_size(size) {}
  void release() noexcept;

  void *m_addr = nullptr; // nullptr for an empty file (nothing is mapped)
  std::size_t m_size = 0;
};

} // namespace lc
