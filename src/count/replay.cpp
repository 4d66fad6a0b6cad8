#include "count/replay.h"

#include <atomic>
#include <optional>
#include <thread>

#include "window/window_queue.h"

namespace lc::count {

Expected<ReplayRun> replay_log(const std::string& log, const model::Manifest& manifest,
                               const std::function<Expected<std::unique_ptr<CyclePipeline>>()>& make_pipeline,
                               const ReplayOptions& options) {
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
    while (const Window* w = queue.pop()) p.push_window(*w);
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
  auto read = can::read_candump_file(log, [&](const can::Frame& f) { front->push(f); }, ro);
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
  run.pipeline->finish();
  return run;
}

}  // namespace lc::count
