#include "app/model_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace lc::app {
std::string exe_dir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<std::size_t>(n));
  return p.substr(0, p.rfind('/'));
}

namespace {

bool is_bundle(const std::string& dir) {
  struct stat st {};
  return ::stat((dir + "/manifest.json").c_str(), &st) == 0;
}

}  // namespace

Expected<std::string> default_model_dir() {
  if (const char* env = std::getenv("LOADERCOUNT_MODEL"); env != nullptr && *env != '\0') return std::string(env);
  const std::string e = exe_dir();
  const std::vector<std::string> candidates = {e + "/../../models/default", e + "/../share/loadercount/models/default",
                                               "/usr/share/loadercount/models/default"};
  for (const auto& c : candidates)
    if (is_bundle(c)) return c;
  std::string tried;
  for (const auto& c : candidates) tried += "\n  " + c;
  return Error::bad_input("no model bundle given (--model DIR) and none found at:" + tried);
}

Expected<std::string> model_dir_or_default(const std::string& given) {
  if (!given.empty()) return given;
  return default_model_dir();
}

ProgressBar::ProgressBar(std::string label) : m_label(std::move(label)), m_tty(::isatty(STDERR_FILENO) != 0) {}

void ProgressBar::update(std::uint64_t done_bytes, std::uint64_t total) {
  if (!m_tty || total == 0) return;
  const int pct = static_cast<int>(done_bytes * 100 / total);
  if (pct == m_last_percent) return;
  m_last_percent = pct;
  const int width = 40, fill = pct * width / 100;
  std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%", m_label.c_str(), fill, "========================================", width - fill,
               "", pct);
  std::fflush(stderr);
}

void ProgressBar::done() {
  if (m_tty && m_last_percent >= 0) std::fprintf(stderr, "\r%*s\r", static_cast<int>(m_label.size()) + 50, "");
}

}  // namespace lc::app
