#include "mosquitto_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace lc::test {
namespace {

namespace fs = std::filesystem;

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

MosquittoBroker::MosquittoBroker(const std::string& before_listener, const std::string& after_defaults,
                                 std::string binary)
    : m_binary(std::move(binary)) {
  std::string tmpl = (fs::temp_directory_path() / "lc-mosquitto-XXXXXX").string();
  if (mkdtemp(tmpl.data())) m_dir = tmpl;
  m_port = free_loopback_port();
  std::ofstream conf(m_dir + "/mosquitto.conf");
  conf << before_listener << "\n"
       << "listener " << m_port << " 127.0.0.1\n"
       << "allow_anonymous true\n"
       << "persistence false\n"
       << "log_dest stdout\n"
       << "log_type all\n";
  // Started as root the broker would drop to user `mosquitto` (PLATFORM.md), which may not read this folder.
  if (::geteuid() == 0) conf << "user root\n";
  conf << after_defaults << "\n";
}

MosquittoBroker::~MosquittoBroker() {
  stop();
  std::error_code ec;
  if (!m_dir.empty()) fs::remove_all(m_dir, ec);
}

Status MosquittoBroker::start() {
  if (m_dir.empty() || m_port <= 0) return Error::internal("mosquitto fixture: no temp folder or free port");
  if (running()) return ok();
  if (::access(m_binary.c_str(), X_OK) != 0) return Error::internal(m_binary + ": not installed");
  const std::string conf = m_dir + "/mosquitto.conf";
  const std::string logf = m_dir + "/broker.log";
  const pid_t pid = ::fork();
  if (pid < 0) return Error::internal("mosquitto fixture: fork failed");
  if (pid == 0) {
    const int fd = ::open(logf.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    ::execl(m_binary.c_str(), m_binary.c_str(), "-c", conf.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  m_pid = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (accepts_connections(m_port)) return ok();
    int st = 0;
    if (::waitpid(m_pid, &st, WNOHANG) == m_pid) {
      m_pid = -1;
      return Error::internal("mosquitto exited at start on port " + std::to_string(m_port) + ":\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop();
  return Error::internal("mosquitto did not accept connections on port " + std::to_string(m_port) + " in 5 s:\n" +
                         log());
}

void MosquittoBroker::stop() {
  if (m_pid <= 0) return;
  ::kill(m_pid, SIGCONT);  // a paused broker would not handle SIGTERM
  ::kill(m_pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  int st = 0;
  while (::waitpid(m_pid, &st, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, &st, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  m_pid = -1;
}

void MosquittoBroker::pause() {
  if (m_pid > 0) ::kill(m_pid, SIGSTOP);
}

void MosquittoBroker::resume() {
  if (m_pid > 0) ::kill(m_pid, SIGCONT);
}

std::string MosquittoBroker::log() const {
  std::ifstream f(m_dir + "/broker.log");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace lc::test
