#include "app/daemon.h"

#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#if LC_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "can/candump.h"
#include "can/socketcan.h"
#include "count/cycle_pipeline.h"
#include "count/event_json.h"
#include "dispatch/outbox.h"
#include "dispatch/publisher.h"
#include "signals/engine_signals.h"

namespace lc::app {
namespace {

void notify(bool enabled, const char* state) {
#if LC_HAVE_SYSTEMD
  if (enabled) sd_notify(0, state);
#else
  (void)enabled;
  (void)state;
#endif
}

int fail(const Error& e) {
  spdlog::error("{}", e.message);
  return e.exit_code();
}

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Expected<dispatch::Outbox> open_outbox(const DaemonConfig& config) {
  dispatch::OutboxOptions oo;
  oo.path = config.outbox_path;
  oo.machine_id = config.machine_id;
  oo.capacity = config.outbox_capacity;
  LC_TRY(cal, dispatch::ShiftCalendar::parse(config.shift_boundaries));
  oo.calendar = cal;
  return dispatch::Outbox::open(oo);
}

}  // namespace

int print_outbox(const DaemonConfig& config) {
  auto outbox = open_outbox(config);
  if (!outbox) return fail(outbox.error());
  auto rows = outbox->all_events();
  if (!rows) return fail(rows.error());
  for (const auto& r : *rows) std::printf("%s\n", r.payload.c_str());
  const auto st = outbox->status();
  std::fprintf(stderr, "%s: %llu events stored, %llu not yet acknowledged by the broker; shift %s: %llu loads, %llu trips, %llu failed loads\n",
               config.outbox_path.c_str(), static_cast<unsigned long long>(st.rows), static_cast<unsigned long long>(st.unacknowledged),
               outbox->shift().shift_id.c_str(), static_cast<unsigned long long>(outbox->shift().counters.loads),
               static_cast<unsigned long long>(outbox->shift().counters.trips),
               static_cast<unsigned long long>(outbox->shift().counters.failed_loads));
  return 0;
}

int run_daemon(const DaemonConfig& config, const DaemonOptions& options) {
  auto stopping = [&] { return options.stop != nullptr && options.stop->load(); };

  // 1. The outbox and where we left off.
  auto outbox_r = open_outbox(config);
  if (!outbox_r) return fail(outbox_r.error());
  dispatch::Outbox& outbox = *outbox_r;

  // 2. The model and the pipeline (online decoder: what runs live).
  auto bundle = model::ModelBundle::load(config.model_dir);
  if (!bundle) return fail(bundle.error());
  const std::size_t classes = bundle->manifest().classes.size();
  count::PathCounterOptions po;
  po.kind = count::DecoderKind::Online;
  po.online.max_lag_windows = config.max_lag_windows;
  po.keep_events = false;  // events go to the outbox; nothing may grow over years of running
  auto pipe_r = count::CyclePipeline::create(std::move(*bundle), {po});
  if (!pipe_r) return fail(pipe_r.error());
  count::CyclePipeline& pipe = **pipe_r;
  count::PathCounter& counter = pipe.counter(0);

  std::vector<count::Event> pending_events;  // committed by the decoder, not yet in the outbox
  counter.on_event = [&](const count::Event& e) { pending_events.push_back(e); };

  std::int64_t resume_from_ns = -1;
  auto cp_text = outbox.load_checkpoint();
  if (!cp_text) return fail(cp_text.error());
  if (*cp_text) {
    auto cp = count::checkpoint_from_json(**cp_text, classes);
    if (!cp) return fail(Error::bad_input(config.outbox_path + ": " + cp.error().message));
    if (auto st = counter.restore(*cp); !st) return fail(st.error());
    resume_from_ns = cp->last_window_end_ns;
    spdlog::info("resumed from the checkpoint: {} windows counted, {} undecided re-scored, totals {} loads {} trips {} failed",
                 cp->next_window, cp->pending.size(), cp->counters.loads, cp->counters.trips, cp->counters.failed_loads);
  }

  // 3. After every window: its events and the checkpoint in one transaction. A failed commit (disk full) keeps
  // the events in memory and retries with the next window; nothing counted is dropped.
  std::uint64_t commit_failures = 0;
  auto commit = [&](bool with_checkpoint) -> bool {
    std::optional<std::string> cp;
    if (with_checkpoint) cp = count::checkpoint_to_json(counter.checkpoint());
    auto rows = outbox.commit(pending_events, cp ? std::optional<std::string_view>(*cp) : std::nullopt);
    if (!rows) {
      if (++commit_failures == 1 || commit_failures % 100 == 0)
        spdlog::error("outbox commit failed ({} times, {} events held in memory): {}", commit_failures, pending_events.size(),
                      rows.error().message);
      return false;
    }
    for (const auto& r : *rows) spdlog::info("event {}", r.payload);
    pending_events.clear();
    return true;
  };
  if (!pending_events.empty()) commit(true);  // windows decided while restoring

  // 4. Dispatch.
  std::unique_ptr<dispatch::Publisher> publisher;
  if (!config.mqtt.brokers.empty()) {
    auto p = dispatch::Publisher::create(config.mqtt, outbox);
    if (!p) return fail(p.error());
    publisher = std::move(*p);
  } else {
    spdlog::info("no MQTT broker configured: events stay in the outbox {}", config.outbox_path);
  }
  auto poll = [&](int timeout_ms) {
    if (!publisher) return;
    if (auto st = publisher->poll(timeout_ms); !st) spdlog::error("dispatch: {}", st.error().message);
  };

  // 5. Health, shift roll-over and the watchdog, once per window (and on timeouts when live).
  std::int64_t last_health_ns = wall_ns();
  std::uint64_t frames_at_last_health = 0;
  std::uint64_t frames = 0;
  std::uint64_t kernel_drops = 0;
  std::int64_t last_frame_ns = 0;
  std::int64_t last_frame_wall_ns = 0;
  auto housekeeping = [&] {
    if (last_frame_ns > 0) {
      if (auto r = outbox.roll_shift(last_frame_ns); r && *r) spdlog::info("new shift {}", outbox.shift().shift_id);
    }
    const std::int64_t now = wall_ns();
    if (now - last_health_ns >= static_cast<std::int64_t>(config.health_interval_s) * 1'000'000'000LL) {
      dispatch::HealthReport h;
      h.frames_per_s = static_cast<double>(frames - frames_at_last_health) / (static_cast<double>(now - last_health_ns) * 1e-9);
      h.frames_dropped = kernel_drops;
      h.degraded_windows = pipe.stats().degraded_windows;
      h.forced_commits = static_cast<std::uint64_t>(counter.forced_commits());
      if (publisher) publisher->publish_health(h);
      const auto os = outbox.status();
      spdlog::info("health: {:.0f} frames/s, {} dropped, {} windows ({} degraded), {} forced commits, outbox depth {}", h.frames_per_s,
                   h.frames_dropped, pipe.stats().windows, h.degraded_windows, h.forced_commits, os.unacknowledged);
      last_health_ns = now;
      frames_at_last_health = frames;
    }
    notify(options.notify_systemd, "WATCHDOG=1");
  };
  pipe.after_window = [&](const Window&) {
    commit(true);
    housekeeping();
    poll(0);
  };

  notify(options.notify_systemd, "READY=1");
  auto on_frame = [&](const can::Frame& f) {
    ++frames;
    last_frame_ns = f.time_ns;
    pipe.push(f);
  };

  if (!options.replay_log.empty()) {
    // Replay: skip what the checkpoint says was counted, keeping enough before it to warm the grid up and to
    // remake the last counted window (the first new window's context, for models with context_windows).
    if (resume_from_ns >= 0) pipe.resume_after(resume_from_ns);
    const std::int64_t skip_before_ns = resume_from_ns >= 0 ? pipe.resume_feed_from_ns(resume_from_ns) : INT64_MIN;
    const auto t0_wall = std::chrono::steady_clock::now();
    std::int64_t t0_log = -1;
    std::uint64_t skipped_frames = 0;
    can::ReadOptions ro;
    ro.should_stop = stopping;
    spdlog::info("replaying {}{}", options.replay_log, options.realtime ? " at recorded speed" : "");
    auto st = can::read_candump_file(
        options.replay_log,
        [&](const can::Frame& f) {
          if (f.time_ns < skip_before_ns) {
            ++skipped_frames;
            return;
          }
          if (options.realtime) {
            if (t0_log < 0) t0_log = f.time_ns;
            const auto due = t0_wall + std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(f.time_ns - t0_log) / options.speed));
            while (std::chrono::steady_clock::now() < due && !stopping()) {
              poll(static_cast<int>(std::max<std::int64_t>(
                  1, std::chrono::duration_cast<std::chrono::milliseconds>(due - std::chrono::steady_clock::now()).count())));
              if (!publisher) std::this_thread::sleep_until(due);
            }
          }
          on_frame(f);
        },
        ro);
    if (!st) return fail(st.error());
    if (skipped_frames > 0)
      spdlog::warn("{}: skipped {} frames older than the outbox's checkpoint ({}): already counted. A different log "
                   "needs its own outbox.", options.replay_log, skipped_frames, count::iso8601_utc(resume_from_ns));
    if (st->bad_lines) spdlog::warn("{}: {} lines are not CAN frames (first: line {})", options.replay_log, st->bad_lines, st->first_bad_line);
    if (!stopping()) {
      pipe.finish();  // the log is over: decide the remaining windows
      commit(true);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.drain_timeout_s);
      while (publisher && outbox.status().unacknowledged > 0 && std::chrono::steady_clock::now() < deadline && !stopping()) poll(100);
    }
  } else {
    can::SocketCanOptions so;
    auto plan = default_decode_plan(config.source_address);
    if (!plan) return fail(plan.error());
    so.pgns = plan->pgns();
    so.source_address = config.source_address;
    can::ReconnectingSource source(config.can_interface, so);
    std::vector<can::Frame> batch(64);
    bool silence_handled = false;
    spdlog::info("reading {} (engine source address 0x{:02X})", config.can_interface, config.source_address);
    while (!stopping()) {
      auto n = source.read(batch.data(), batch.size(), 200);
      if (!n) return fail(n.error());
      for (std::size_t i = 0; i < *n; ++i) on_frame(batch[i]);
      if (*n > 0) last_frame_wall_ns = wall_ns();
      kernel_drops = source.stats().kernel_drops;
      if (*n > 0) {
        silence_handled = false;
      } else {
        // Engine off or bus down for longer than the segment gap: decide the undecided windows now and
        // commit them, instead of holding the last trips back until the engine starts again.
        if (!silence_handled && last_frame_ns > 0 &&
            wall_ns() - last_frame_wall_ns > static_cast<std::int64_t>(pipe.segment_gap_s() * 1e9)) {
          pipe.end_segment();
          commit(true);
          silence_handled = true;
          spdlog::info("bus silent for {:.0f} s: segment ended, undecided windows committed", pipe.segment_gap_s());
        }
        housekeeping();
        poll(0);
      }
    }
  }
  notify(options.notify_systemd, "STOPPING=1");
  if (!pending_events.empty()) commit(true);
  if (publisher) publisher->shutdown(2000);
  const auto& c = counter.counters();
  spdlog::info("stopped: this run counted {} loads, {} trips, {} failed loads in {} windows; outbox depth {}", c.loads, c.trips,
               c.failed_loads, pipe.stats().windows, outbox.status().unacknowledged);
  return commit_failures > 0 && !pending_events.empty() ? 1 : 0;
}

}  // namespace lc::app
