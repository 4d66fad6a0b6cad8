// loadercountd: the onboard daemon (src/app/daemon.h has the design).
//
//   loadercountd --config /etc/loadercount/loadercountd.toml                  live, SocketCAN
//   loadercountd --config FILE --replay LOG [--realtime [--speed X]]          a candump log instead of the bus
//   loadercountd --config FILE --print-events                                  what the outbox holds
//   loadercountd --config FILE --check-config                                  validate and exit
#include <csignal>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "app/daemon.h"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"loadercountd: counts a wheel loader's work cycles live from its CAN bus and sends them to dispatch"};
  std::string config_path;
  lc::app::DaemonOptions opt;
  bool print_events = false, check_config = false;
  app.add_option("--config", config_path, "configuration file (TOML)")->required();
  app.add_option("--replay", opt.replay_log, "read this candump log instead of the CAN interface");
  app.add_flag("--realtime", opt.realtime, "replay at the recorded speed");
  app.add_option("--speed", opt.speed, "replay speed factor with --realtime")->check(CLI::PositiveNumber);
  app.add_option("--drain-timeout", opt.drain_timeout_s, "replay: seconds to wait for the broker to acknowledge everything")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--print-events", print_events, "print the events stored in the outbox and exit");
  app.add_flag("--check-config", check_config, "check the configuration and exit");
  app.set_version_flag("--version", "loadercountd 0.1.0");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  auto cfg = lc::app::read_daemon_config(config_path);
  if (!cfg) {
    std::fprintf(stderr, "loadercountd: %s\n", cfg.error().message.c_str());
    return cfg.error().exit_code();
  }
  spdlog::set_level(spdlog::level::from_str(cfg->log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  if (check_config) {
    std::printf("%s: ok (machine %s, interface %s, model %s, %zu brokers)\n", config_path.c_str(), cfg->machine_id.c_str(),
                cfg->can_interface.c_str(), cfg->model_dir.c_str(), cfg->mqtt.brokers.size());
    return 0;
  }
  if (print_events) return lc::app::print_outbox(*cfg);
  // A broker that vanishes mid-write over TLS raises SIGPIPE; the publisher handles the error instead.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  opt.stop = &g_stop;
  return lc::app::run_daemon(*cfg, opt);
}
