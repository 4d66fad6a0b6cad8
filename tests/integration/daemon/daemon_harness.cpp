#include "daemon_harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace lc::test {

Child::~Child() { kill_and_reap(); }

void Child::kill_and_reap() {
  if (m_pid > 0 && running()) {
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
  }
}

Child& Child::operator=(Child&& o) noexcept {
  if (this != &o) {
    kill_and_reap();
    m_pid = o.m_pid;
    m_status = o.m_status;
    o.m_pid = -1;
  }
  return *this;
}

Child Child::spawn(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Child c;
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    const int out = ::open(out_path.empty() ? "/dev/null" : out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = err_path == out_path ? out
                                         : ::open(err_path.empty() ? "/dev/null" : err_path.c_str(),
                                                  O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  c.m_pid = pid;
  return c;
}

bool Child::running() {
  if (m_pid <= 0) return false;
  if (m_status != -1) return false;
  int st = 0;
  const pid_t r = ::waitpid(m_pid, &st, WNOHANG);
  if (r == m_pid) {
    m_status = st;
    return false;
  }
  return r == 0;
}

int Child::wait(double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (m_status == -1) return -1;
  if (WIFEXITED(m_status)) return WEXITSTATUS(m_status);
  if (WIFSIGNALED(m_status)) return 128 + WTERMSIG(m_status);
  return -1;
}

void Child::signal(int sig) {
  if (running()) ::kill(m_pid, sig);
}

int run(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path,
        double timeout_s) {
  Child c = Child::spawn(argv, out_path, err_path);
  const int rc = c.wait(timeout_s);
  if (rc == -1) {
    c.signal(SIGKILL);
    c.wait(5);
  }
  return rc;
}

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(f, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}

std::string bin(const std::string& program) { return std::string(LC_BIN_DIR) + "/" + program; }

namespace {

Inputs make_inputs() {
  Inputs in;
  char tmpl[] = "/tmp/lc-daemon-test-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return in;
  in.dir = tmpl;
  in.shift_log = in.dir + "/shift.log";
  in.short_log = in.dir + "/short.log";
  in.model_dir = in.dir + "/model";
  const std::string log = in.dir + "/inputs.log";
  std::printf("[ inputs   ] %s: simulate --seed 11 (20 min) and --seed 12 (6 min), train 30 rounds with context\n", in.dir.c_str());
  // With one window of context, as the shipped model: a resumed daemon must remake the context exactly.
  write_text(in.dir + "/train.toml", "[model]\ncontext_windows = 1\n[xgboost]\nmax_rounds = 30\n");
  const bool ok = run({bin("loadercount"), "simulate", "--minutes", "20", "--seed", "11", "--out", in.dir + "/shift"},
                      "", log) == 0 &&
                  run({bin("loadercount"), "simulate", "--minutes", "6", "--seed", "12", "--out", in.dir + "/short"},
                      "", log) == 0 &&
                  run({bin("loadercount"), "train", "--data", in.shift_log + ":" + in.dir + "/shift.labels.csv",
                       "--out", in.model_dir, "--config", in.dir + "/train.toml"},
                      "", log, 300) == 0;
  if (!ok) {
    std::fprintf(stderr, "making the test inputs failed:\n%s\n", read_text(log).c_str());
    in.model_dir.clear();
  }
  return in;
}

struct InputsHolder {
  Inputs in = make_inputs();
  ~InputsHolder() {
    if (!in.dir.empty() && std::getenv("LC_KEEP_TEST_DIR") == nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(in.dir, ec);
    }
  }
};

}  // namespace

const Inputs& inputs() {
  static InputsHolder holder;
  return holder.in;
}

std::string write_daemon_config(const std::string& dir, const std::string& name, const std::string& outbox,
                                const std::vector<std::string>& brokers) {
  std::string b;
  for (const auto& x : brokers) b += (b.empty() ? "\"" : ", \"") + x + "\"";
  const std::string path = dir + "/" + name + ".toml";
  write_text(path,
             "[machine]\nid = \"m1\"\nsite = \"s\"\n"
             "[model]\ndir = \"" +
                 inputs().model_dir +
                 "\"\n"
                 "[outbox]\npath = \"" +
                 outbox +
                 "\"\n"
                 "[mqtt]\nbrokers = [" +
                 b +
                 "]\nkeepalive_s = 5\n"
                 "[health]\ninterval_s = 2\n"
                 "[log]\nlevel = \"info\"\n");
  return path;
}

nlohmann::json reference_replay(const std::string& log) {
  const std::string out = log + ".replay.json";
  const int rc = run({bin("loadercount"), "replay", log, "--model", inputs().model_dir, "--decoder", "online",
                      "--machine-id", "m1", "--json", out},
                     "", log + ".replay.err");
  if (rc != 0) return nlohmann::json();
  return nlohmann::json::parse(read_text(out), nullptr, false);
}

OutboxDump print_events(const std::string& config) {
  OutboxDump d;
  const std::string out = config + ".events", err = config + ".events.err";
  d.exit_code = run({bin("loadercountd"), "--config", config, "--print-events"}, out, err);
  d.lines = read_lines(out);
  const auto e = read_lines(err);
  if (!e.empty()) d.summary = e.back();
  return d;
}

std::vector<Message> read_messages(const std::string& path) {
  std::vector<Message> out;
  for (const auto& line : read_lines(path)) {
    const auto sp = line.find(' ');
    if (sp == std::string::npos) continue;
    out.push_back({line.substr(0, sp), line.substr(sp + 1)});
  }
  return out;
}

}  // namespace lc::test
