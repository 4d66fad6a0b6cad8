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

  std::optional<Expected<can::ReadStats>> read;
  std::thread reader([&] {
    can::ReadOptions ro = options.read;  // the caller's should_stop, if any, still applies
    ro.stop_flag = &stop;
    read.emplace(can::read_candump_file(log, [&](const can::Frame& f) { front->push(f); }, ro));
    if (*read && !stop.load(std::memory_order_relaxed)) front->finish();
    queue.close();
  });
  // On an early return the reader is stopped (abort() lets a blocked push() return) and joined.
  struct Join {
    WindowQueue& q;
    std::thread& t;
    ~Join() {
      if (!t.joinable()) return;
      q.abort();
      t.join();
    }
  } guard{queue, reader};

  auto made = make_pipeline();
  if (!made) return made.error();
  ReplayRun run;
  run.pipeline = std::move(*made);
  CyclePipeline& p = *run.pipeline;
  while (const Window* w = queue.pop()) p.push_window(*w);
  reader.join();  // the queue is closed: the reader is done
  if (!*read) return read->error();
  run.read = **read;
  p.finish();
  return run;
}

}  // namespace lc::count
