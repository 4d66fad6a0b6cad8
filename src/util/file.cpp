#include "util/file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

namespace lc {

Expected<std::string> read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Error::bad_input(path + ": cannot open: " + std::strerror(errno));
  struct Closer {
    std::FILE* f;
    ~Closer() { std::fclose(f); }
  } closer{f};
  // One allocation of the file's size and one read (a stream into an ostringstream copied the model files
  // several times over while growing), then whatever a growing file added.
  std::string out;
  struct stat st {};
  if (::fstat(::fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = std::fread(out.data(), 1, out.size(), f);
  out.resize(got);
  char buf[65536];
  while (!std::ferror(f) && !std::feof(f)) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    out.append(buf, n);
  }
  if (std::ferror(f)) return Error::bad_input(path + ": read error: " + std::strerror(errno));
  return out;
}

Status write_file_atomic(const std::string& path, const std::string& content) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) return Error::bad_input(path + ": is a directory, not a file to write");
    // A device or a pipe (--json /dev/null, /dev/stdout, a FIFO): write into it. Renaming a temp file over it
    // would replace it with a plain file, which for /dev/null as root breaks the whole machine.
    std::ofstream out(path, std::ios::binary);
    if (!out) return Error::bad_input(path + ": cannot open: " + std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) return Error::internal(path + ": write failed");
    return ok();
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Error::bad_input(tmp + ": cannot create: " + std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) return Error::internal(tmp + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return Error::internal("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  return ok();
}

}  // namespace lc
