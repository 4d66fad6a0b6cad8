// `loadercount replay LOG [--model DIR] [--scorer forest|xgboost] [--decoder online|offline|greedy] [--json OUT]`
#include <cmath>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/model_path.h"
#include "can/candump.h"
#include "count/cycle_pipeline.h"
#include "count/replay.h"
#include "decode/online.h"
#include "count/event_json.h"
#include "signals/engine_signals.h"
#include "util/file.h"

namespace lc::app {

void add_replay_command(CLI::App& app, Runner& run) {
  struct Args {
    std::string log, model, decoder = "online", json, machine = "loader", scorer = "forest";
    int lag = decode::kDefaultMaxLagWindows;
    bool strict = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("replay", "Count loads, trips and failed loads in a candump log");
  cmd->add_option("LOG", a->log, "candump log")->required();
  cmd->add_option("--model", a->model, "model bundle directory (default: the shipped models/default)");
  cmd->add_option("--scorer", a->scorer, "forest (compiled trees, the default) or xgboost (XGBoost's C API, the reference)")
      ->check(CLI::IsMember({"forest", "xgboost"}));
  cmd->add_option("--decoder", a->decoder, "online (live, exact with bounded lag), offline (exact, whole log) or greedy")
      ->check(CLI::IsMember({"online", "offline", "greedy"}));
  cmd->add_option("--json", a->json, "write counts, state seconds and events as JSON");
  cmd->add_option("--machine-id", a->machine, "machine id used in event ids");
  cmd->add_option("--max-lag", a->lag, "online decoder: most windows a decision may wait")->check(CLI::Range(0, 1000));
  cmd->add_flag("--strict", a->strict, "a line that is not a CAN frame is an error (exit 2)");
  cmd->callback([&run, a] {
    run = [a]() -> int {
      auto model_dir = model_dir_or_default(a->model);
      if (!model_dir) return report_error(model_dir.error());
      const std::string dir = *model_dir;
      auto manifest = model::ModelBundle::read_manifest(dir);
      if (!manifest) return report_error(manifest.error());
      auto kind = count::parse_decoder(a->decoder);
      if (!kind) return report_error(kind.error());
      count::PathCounterOptions po;
      po.kind = *kind;
      po.online.max_lag_windows = a->lag;
      // The models load on the scoring thread while reading starts (count/replay.h).
      auto make_pipeline = [&]() -> Expected<std::unique_ptr<count::CyclePipeline>> {
        LC_TRY(bundle, model::ModelBundle::load(dir, *manifest, *model::parse_engine(a->scorer)));
        return count::CyclePipeline::create(std::move(bundle), {po});
      };
      ProgressBar bar("replay " + a->log);
      count::ReplayOptions ro;
      ro.read.strict = a->strict;
      ro.read.on_progress = [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
      auto replayed = count::replay_log(a->log, *manifest, make_pipeline, ro);
      bar.done();
      if (!replayed) return report_error(replayed.error());
      const count::CyclePipeline& p = *replayed->pipeline;
      const can::ReadStats* st = &replayed->read;
      const count::PathCounter& c = p.counter(0);
      const auto& ss = c.state_seconds();
      std::printf("%s: %llu trips, %llu loads, %llu failed loads (%s decoder)\n", a->log.c_str(),
                  static_cast<unsigned long long>(c.counters().trips), static_cast<unsigned long long>(c.counters().loads),
                  static_cast<unsigned long long>(c.counters().failed_loads), a->decoder.c_str());
      std::printf("  %llu windows (%llu degraded, %llu segments), %lld forced commits; state time: EMPTY %.0f s, LOADING %.0f s, "
                  "LOADED %.0f s, UNLOADING %.0f s\n",
                  static_cast<unsigned long long>(p.stats().windows), static_cast<unsigned long long>(p.stats().degraded_windows),
                  static_cast<unsigned long long>(p.stats().segments), static_cast<long long>(c.forced_commits()), ss[0], ss[1],
                  ss[2], ss[3]);
      if (p.stats().degraded_windows > 0) {
        std::printf("  degraded windows by missing signal:");
        for (std::size_t i = 0; i < kSignalCount; ++i)
          if (p.stats().missing_by_signal[i] > 0)
            std::printf(" %s %llu", std::string(kEngineSignals[i].name).c_str(),
                        static_cast<unsigned long long>(p.stats().missing_by_signal[i]));
        std::printf("\n");
      }
      if (st->bad_lines)
        std::fprintf(stderr, "loadercount: %s: %llu lines are not CAN frames (first: line %llu)\n", a->log.c_str(),
                     static_cast<unsigned long long>(st->bad_lines), static_cast<unsigned long long>(st->first_bad_line));
      if (!a->json.empty()) {
        nlohmann::ordered_json j;
        j["log"] = a->log;
        j["model"] = dir;
        j["scorer"] = a->scorer;
        j["decoder"] = a->decoder;
        j["trips"] = c.counters().trips;
        j["loads"] = c.counters().loads;
        j["failed_loads"] = c.counters().failed_loads;
        j["windows"] = p.stats().windows;
        j["degraded_windows"] = p.stats().degraded_windows;
        nlohmann::ordered_json missing = nlohmann::ordered_json::object();
        for (std::size_t i = 0; i < kSignalCount; ++i)
          if (p.stats().missing_by_signal[i] > 0) missing[std::string(kEngineSignals[i].name)] = p.stats().missing_by_signal[i];
        j["degraded_windows_by_signal"] = missing;
        j["segments"] = p.stats().segments;
        j["forced_commits"] = c.forced_commits();
        j["frames"] = st->frames;
        j["bad_lines"] = st->bad_lines;
        // To the millisecond: the sums of the windows' parts carry float noise (30.000000000000004 s).
        const auto ms = [](double s) { return std::round(s * 1000.0) / 1000.0; };
        j["state_seconds"] = {{"EMPTY", ms(ss[0])}, {"LOADING", ms(ss[1])}, {"LOADED", ms(ss[2])}, {"UNLOADING", ms(ss[3])}};
        nlohmann::ordered_json ev = nlohmann::ordered_json::array();
        count::Counters running;
        std::uint64_t seq = 0;
        for (const auto& e : c.events()) {
          running.add(e.type);
          ev.push_back(count::event_json(e, a->machine, ++seq, running));
        }
        j["events"] = ev;
        auto w = write_file_atomic(a->json, j.dump(2) + "\n");
        if (!w) return report_error(w.error());
      }
      return 0;
    };
  });
}

}  // namespace lc::app
