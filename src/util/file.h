// Small file helpers that return errors as values.
#pragma once

#include <string>

#include "util/expected.h"

namespace lc {

// Reads a whole file. Error (BadInput) names the path when it cannot be opened or read.
Expected<std::string> read_file(const std::string& path);

// Writes `content` to `path` atomically (temp file + rename), so a crash never leaves half a file. A path that
// is a device or a pipe (/dev/null, /dev/stdout, a FIFO) is written into, never renamed over; a directory is an
// error naming it.
Status write_file_atomic(const std::string& path, const std::string& content);

}  // namespace lc
