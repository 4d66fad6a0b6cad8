// A real Debian `mosquitto` broker for integration tests, on 127.0.0.1 and a free port, with its own config
// file in a temporary directory:
//   listener PORT 127.0.0.1 / allow_anonymous true / persistence false / log_dest stdout (/ user root as root)
// start() waits until the port accepts TCP connections; stop() and start() again reuse the same port, so a
// test can take the broker away mid-stream and bring it back. The destructor kills it and removes the folder.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/expected.h"

namespace lc::test {

// A TCP port on 127.0.0.1 that nothing listens on right now (bind to port 0, read it back, close).
int free_loopback_port();

class MosquittoBroker {
 public:
  // Picks a free port and writes the config; does not start the broker. `before_listener` goes at the top
  // of the config (e.g. "per_listener_settings true"), `after_defaults` at the end (e.g. a second, TLS
  // listener). `binary`: the broker program.
  explicit MosquittoBroker(const std::string& before_listener = "", const std::string& after_defaults = "",
                           std::string binary = "/usr/sbin/mosquitto");
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  // Starts the broker and waits (up to 5 s) until it accepts connections. Error says why, with its log.
  Status start();
  // SIGTERM, then SIGKILL after 2 s; waits for the process. No-op when not running.
  void stop();
  // SIGSTOP / SIGCONT: a broker that holds connections open but answers nothing (PUBACKs stay out).
  void pause();
  void resume();
  bool running() const { return m_pid > 0; }
  int port() const { return m_port; }
  const std::string& dir() const { return m_dir; }  // holds mosquitto.conf and broker.log
  std::string log() const;                          // the broker's stdout/stderr so far

 private:
  std::string m_binary;
  std::string m_dir;  // temp folder with mosquitto.conf and broker.log
  int m_port = 0;
  pid_t m_pid = -1;
};

}  // namespace lc::test
