#include "count/replay.h"

#include <atomic>
#include <optional>
#include <thread>

#include "window/window_queue.h"

namespace lc::count {

namespace {
// Blocks of the log in memory: 15 of 136 KiB fill one 2 MiB huge page. The scoring thread reads up to 14 ahead
// whenever it waits for windows (BlockReader); 16, 32 and 64 replayed the hour no faster (BENCHMARKS.md).
constexpr std::size_t kReadAheadSlots = 15;
}  // namespace

Expected<ReplayRun> replay_log(const std::string& log, const model::Manifest& manifest,
                               const std::function<Expected<std::unique_ptr<CyclePipeline>>()>& make_pipeline,
                               const ReplayOptions& options) {
  // Opened first, so that it outlives the scoring thread, which reads ahead into it while it waits for windows:
  // the kernel's copy of the file (~10 ms of the reading thread's ~40 an hour of log) then moves, in part, to
  // the core that would otherwise idle.
  LC_TRY(reader, can::open_candump_reader(log, kReadAheadSlots));
  WindowQueue queue(options.queue_windows, manifest.window_points);
  std::atomic<bool> stop{false};
  LC_TRY(front, CyclePipeline::make_front_end(manifest, [&](const Window& w) {
    if (!queue.push(w)) stop.store(true, std::memory_order_relaxed);
  }));

  // The scoring thread: the pipeline's error, or the pipeline after the last window. On an error it aborts
  // the queue, so the reader's next push fails and reading stops.
  std::optional<Expected<std::unique_ptr<CyclePipeline>>> scored;
  std::thread scorer([&] {
    auto made = make_pipeline();
    if (!made) {
      scored.emplace(made.error());
      queue.abort();
      return;
    }
    CyclePipeline& p = **made;
    const std::function<bool()> read_ahead = [&r = *reader] { return r.read_ahead(); };
    while (const Window* w = queue.pop(read_ahead)) p.push_window(*w);
    scored.emplace(std::move(made));
  });
  // Whatever happens below (an exception included), the scorer is released (abort() ends its pop()) and joined.
  struct Join {
    WindowQueue& q;
    std::thread& t;
    ~Join() {
      if (!t.joinable()) return;
      q.abort();
      t.join();
    }
  } guard{queue, scorer};

  can::ReadOptions ro = options.read;  // the caller's should_stop, if any, still applies
  ro.stop_flag = &stop;
  auto read = can::read_candump_file(*reader, [&](const can::Frame& f) { front->push(f); }, ro);
  if (read && !stop.load(std::memory_order_relaxed)) front->finish();
  if (read) {
    queue.close();  // the scorer takes the windows still queued, then stops
  } else {
    queue.abort();  // a read error: what was cut is not scored
  }
  scorer.join();
  if (!*scored) return scored->error();
  if (!read) return read.error();
  ReplayRun run;
  run.pipeline = std::move(**scored);
  run.read = *read;
  run.pipeline->finish(*front);
  return run;
}

}  // namespace lc::count
