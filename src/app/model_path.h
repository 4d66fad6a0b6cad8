// Where the shipped model bundle is when --model is not given, and a terminal progress bar.
#pragma once

#include <cstdint>
#include <string>

#include "util/expected.h"

namespace lc::app {

// The default bundle: $LOADERCOUNT_MODEL if set, else models/default next to the build tree
// (<exe>/../../models/default), else the installed <exe>/../share/loadercount/models/default. An Error (BadInput)
// lists where it looked.
Expected<std::string> default_model_dir();
// `given` if not empty, else default_model_dir().
Expected<std::string> model_dir_or_default(const std::string& given);

// The folder of the running executable (from /proc/self/exe), "." if unknown.
std::string exe_dir();

// A one-line progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  void update(std::uint64_t done, std::uint64_t total);
  void done();

 private:
  std::string m_label;
  bool m_tty;
  int m_last_percent = -1;
};

}  // namespace lc::app
