// loadercountd: the onboard daemon's main loop (firmware/loadercountd.cpp is its entry point).
//
//   frames (SocketCAN live, or a candump log with --replay) -> CyclePipeline (online decoder)
//   -> after every window: its events + the decoder checkpoint, in ONE outbox transaction -> MQTT (Publisher)
//
// Durability: an event exists once its outbox transaction has committed, and that same transaction holds the
// checkpoint (the undecided windows' scores, the last committed class, the totals). After kill -9 or a power
// cut the daemon restores the decoder from the checkpoint, so no committed event is lost or repeated and the
// windows that were still undecided are decided as if nothing had happened. In replay mode it also skips the
// part of the log it had already counted. Events leave the outbox only on the broker's PUBACK.
#pragma once

#include <atomic>
#include <string>

#include "app/daemon_config.h"

namespace lc::app {

struct DaemonOptions {
  std::string replay_log;        // "" = live SocketCAN
  bool realtime = false;         // replay at recorded speed (else as fast as possible)
  double speed = 1.0;            // realtime speed factor
  int drain_timeout_s = 30;      // replay: after the log, wait this long for the broker to acknowledge everything
  bool notify_systemd = true;    // sd_notify READY/WATCHDOG/STOPPING when run under systemd
  const std::atomic<bool>* stop = nullptr;  // set by SIGTERM/SIGINT
};

// Runs until the log ends (replay) or `stop` is set. Returns the process exit code (0, 1, or 2 on bad input).
int run_daemon(const DaemonConfig& config, const DaemonOptions& options);

// Prints every event in the outbox of `config` as one JSON object per line (payload as published), then
// a summary line on stderr. Returns the exit code.
int print_outbox(const DaemonConfig& config);

}  // namespace lc::app
