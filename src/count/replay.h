// Replaying a candump log file on two threads, with the same results as pushing its frames into a
// CyclePipeline one by one:
//
//   calling thread:  read + parse lines -> J1939 decode -> grid -> windows  --WindowQueue-->
//   scoring thread:  make the pipeline (load the models) -> features -> position models -> decoders
//
// The front end needs only the bundle's manifest, so reading starts while the models load; after that the
// two halves of the data path run side by side. Reading is the longer half (BENCHMARKS.md), so it stays on
// the thread that is already running: a new thread started 1-4 ms late on these VMs (waking the idle vCPU),
// which the scoring half can absorb and the reading half could not. Windows reach the pipeline in file
// order and each is scored exactly as in a single-threaded run (count/replay_test.cpp checks window by window).
// The daemon does not use this: live frames arrive one at a time and a window costs tens of microseconds.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "can/candump.h"
#include "count/cycle_pipeline.h"
#include "model/bundle.h"
#include "util/expected.h"

namespace lc::count {

struct ReplayOptions {
  // Its callbacks (progress, bad lines, should_stop) run on the calling thread; its stop_flag is replaced by
  // replay's own (set when scoring stops early).
  can::ReadOptions read;
  // Windows cut ahead of scoring: 256 x 40 samples x 10 signals = 800 KiB, touched only as it fills. Enough
  // for the reader to keep cutting while the models load (~10 ms, ~170 windows of reading here); with 64 it
  // stopped at window 64 and waited 1-9 ms for them, on replay's critical path.
  std::size_t queue_windows = 256;
};

struct ReplayRun {
  std::unique_ptr<CyclePipeline> pipeline;  // finish() has run: its counters hold the results
  can::ReadStats read;
};

// Replays `log`: windows are cut here with the front end of `manifest` while `make_pipeline` runs on the
// scoring thread (it must build the pipeline from a bundle with that manifest). Errors: the pipeline's, else
// the reader's (a file that cannot be read; in strict mode, a bad line), each naming its file.
Expected<ReplayRun> replay_log(const std::string& log, const model::Manifest& manifest,
                               const std::function<Expected<std::unique_ptr<CyclePipeline>>()>& make_pipeline,
                               const ReplayOptions& options = {});

}  // namespace lc::count
