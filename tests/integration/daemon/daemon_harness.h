// Child processes for the daemon's end-to-end tests: the built programs (LC_BIN_DIR) and mosquitto_sub, run
// with fork/exec, stdout and stderr to files, waited for with a time limit. Also the shared test inputs: a
// simulated shift and a small model trained from it, made once per test binary from fixed seeds.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lc::test {

// A started child process. The destructor SIGKILLs and reaps it if it is still running.
class Child {
 public:
  Child() = default;
  ~Child();
  Child(Child&& o) noexcept : m_pid(o.m_pid), m_status(o.m_status) { o.m_pid = -1; }
  Child& operator=(Child&& o) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // fork + execv(argv[0]); stdout to `out_path` (truncated), stderr appended to `err_path` ("" = /dev/null;
  // the same path as out_path: both into one file). pid() < 0 when fork fails; exit code 127 when exec does.
  static Child spawn(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path);

  pid_t pid() const { return m_pid; }
  bool running();  // reaps it (keeping the status) if it has exited
  // Waits up to `timeout_s`; returns the exit code, 128 + signal if killed, -1 on timeout (still running).
  int wait(double timeout_s);
  void signal(int sig);  // no-op when not running

 private:
  void kill_and_reap();

  pid_t m_pid = -1;
  int m_status = -1;  // raw wait status once reaped
};

// Runs argv to completion (at most `timeout_s`, then SIGKILL); returns what Child::wait returns.
int run(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path,
        double timeout_s = 120);

std::string read_text(const std::string& path);                // "" when missing
std::vector<std::string> read_lines(const std::string& path);  // without the newlines, empty lines dropped
void write_text(const std::string& path, const std::string& text);
std::string bin(const std::string& program);  // LC_BIN_DIR/program

// What the tests share: one temporary folder with a simulated 20-minute shift (seed 11), a shorter 6-minute one
// (seed 12) and a model bundle trained on the shift with 30 boosting rounds and one window of context. Made on first use; the folder is
// removed at exit unless LC_KEEP_TEST_DIR is set. Fails the calling test (ASSERT) when a step fails.
struct Inputs {
  std::string dir;        // /tmp/lc-daemon-test-XXXXXX
  std::string shift_log;  // 20 min
  std::string short_log;  // 6 min
  std::string model_dir;
};
const Inputs& inputs();

// A loadercountd configuration file in `dir` (machine "m1", site "s", the shared model, outbox `outbox`,
// brokers as given, health every 2 s) and its path.
std::string write_daemon_config(const std::string& dir, const std::string& name, const std::string& outbox,
                                const std::vector<std::string>& brokers);

// `loadercount replay LOG --decoder online --machine-id m1 --json` with the shared model: the JSON written.
nlohmann::json reference_replay(const std::string& log);

// `loadercountd --print-events`: one parsed event per line, and the stderr summary line.
struct OutboxDump {
  std::vector<std::string> lines;  // payloads as stored
  std::string summary;
  int exit_code = -1;
};
OutboxDump print_events(const std::string& config);

// mosquitto_sub -v output "TOPIC PAYLOAD" lines split into (topic, payload).
struct Message {
  std::string topic;
  std::string payload;
};
std::vector<Message> read_messages(const std::string& path);

}  // namespace lc::test
