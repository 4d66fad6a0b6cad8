// `loadercount eval --data LOG:LABELS [--data ...] [--model DIR] [--json OUT] [--plot OUT.png]`
//
// For each file and in total, for the three decoders side by side: true and counted trips, loads and failed
// loads; event precision, recall and F1 (a predicted event matches a true event of the same type within 10 s);
// per-window accuracy against the labels (same inclusive-end labelling as training); the median delay between a
// true transition and the online decoder emitting it; forced commits; online/offline window agreement.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <map>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/model_path.h"
#include "can/candump.h"
#include "count/cycle_pipeline.h"
#include "count/replay.h"
#include "decode/online.h"
#include "decode/score.h"
#include "model/targets.h"
#include "model/trainer.h"
#include "util/file.h"
#include "window/labels.h"

namespace lc::app {

Expected<model::LabelledLog> parse_data_arg(const std::string& arg);

namespace {

constexpr count::DecoderKind kKinds[3] = {count::DecoderKind::Online, count::DecoderKind::Offline, count::DecoderKind::Greedy};
constexpr count::EventType kTypes[3] = {count::EventType::Trip, count::EventType::Load, count::EventType::FailedLoad};

struct DecoderTotals {
  count::MatchResult m[3];  // per event type (counts only; delays pooled separately)
  std::uint64_t counted[3] = {0, 0, 0};
  std::uint64_t windows = 0, windows_correct = 0;
  std::int64_t forced = 0;
  std::vector<double> delays_s;
  std::size_t files_trip_exact = 0;
  std::map<std::string, std::map<std::string, std::uint64_t>> confusion;  // [true class][decoded class]
};

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

nlohmann::ordered_json match_json(const count::MatchResult& m) {
  return {{"true", m.true_events}, {"counted", m.predicted}, {"matched", m.matched},
          {"precision", m.precision()}, {"recall", m.recall()}, {"f1", m.f1()}};
}


}  // namespace

void add_eval_command(CLI::App& app, Runner& run) {
  struct Args {
    std::vector<std::string> data;
    std::string model, json, plot, windows_csv, scorer = "forest";
    int lag = decode::kDefaultMaxLagWindows;
    double tolerance_s = 10.0;
    std::optional<double> prob_floor;  // absent: the bundle's
    std::optional<double> min_load_to_trip;  // absent: the bundle's
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate counting against labelled logs, for the three decoders side by side");
  cmd->add_option("--data", a->data, "LOG:LABELS (repeat for more files)")->required();
  cmd->add_option("--model", a->model, "model bundle directory (default: the shipped models/default)");
  cmd->add_option("--scorer", a->scorer, "forest (compiled trees, the default) or xgboost (XGBoost's C API, the reference)")
      ->check(CLI::IsMember({"forest", "xgboost"}));
  cmd->add_option("--json", a->json, "write per-file and total results as JSON");
  cmd->add_option("--plot", a->plot, "draw truth / online / greedy states over time of the first file into this PNG");
  cmd->add_option("--windows", a->windows_csv, "write every window's true class, decoded classes and probabilities as CSV");
  cmd->add_option("--max-lag", a->lag, "online decoder: most windows a decision may wait")->check(CLI::Range(0, 1000));
  cmd->add_option("--tolerance", a->tolerance_s, "event match tolerance, seconds")->check(CLI::PositiveNumber);
  cmd->add_option("--min-load-to-trip", a->min_load_to_trip,
                  "online/offline decoders: no trip sooner than this many seconds after a load in the window before "
                  "(default: the model's; 0: no such rule)")
      ->check(CLI::Range(0.0, 60.0));
  cmd->add_option("--prob-floor", a->prob_floor, "online/offline decoders: smallest probability a window's class counts with (default: the model's)")
      ->check(CLI::Range(1e-12, 1.0));
  cmd->callback([&run, a] {
    run = [a]() -> int {
      auto model_dir = model_dir_or_default(a->model);
      if (!model_dir) return report_error(model_dir.error());
      const std::string dir = *model_dir;
      std::vector<model::LabelledLog> data;
      for (const auto& d : a->data) {
        auto p = parse_data_arg(d);
        if (!p) return report_error(p.error());
        data.push_back(*p);
      }
      auto manifest = model::ModelBundle::read_manifest(dir);
      if (!manifest) return report_error(manifest.error());
      DecoderTotals tot[3];
      nlohmann::ordered_json files = nlohmann::ordered_json::array();
      nlohmann::ordered_json plot_data;
      std::string windows_csv;
      std::printf("%-28s %-8s %5s %5s %5s %5s %5s %5s %7s %7s %7s %6s\n", "file", "decoder", "trips", "true", "loads", "true",
                  "fail", "true", "tripF1", "loadF1", "failF1", "winacc");
      for (std::size_t fi = 0; fi < data.size(); ++fi) {
        const auto& d = data[fi];
        auto labels = read_labels_csv(d.labels);
        if (!labels) return report_error(labels.error());
        const model::Manifest& man = *manifest;
        const int buckets = man.position_buckets;
        const int max_changes = man.max_changes_per_window;
        const std::vector<std::string> class_names = man.classes;
        std::vector<count::PathCounterOptions> opts;
        for (auto k : kKinds) {
          count::PathCounterOptions o;
          o.kind = k;
          o.online.max_lag_windows = a->lag;
          o.prob_floor_override = a->prob_floor;
          o.min_load_to_trip_override = a->min_load_to_trip;
          o.keep_history = true;
          opts.push_back(o);
        }
        // Each file gets a fresh pipeline; its models load on the scoring thread while reading starts (count/replay.h).
        std::vector<double> window_probs;  // --windows: the model's probabilities, K per window, in window order
        auto make_pipeline = [&]() -> Expected<std::unique_ptr<count::CyclePipeline>> {
          LC_TRY(bundle, model::ModelBundle::load(dir, man, *model::parse_engine(a->scorer)));
          LC_TRY(pipeline, count::CyclePipeline::create(std::move(bundle), opts));
          if (!a->windows_csv.empty()) {
            const count::CyclePipeline* pp = pipeline.get();
            pipeline->after_window = [pp, &window_probs](const Window&) {
              const auto pr = pp->scorer().probabilities();
              window_probs.insert(window_probs.end(), pr.begin(), pr.end());
            };
          }
          return pipeline;
        };
        ProgressBar bar("eval " + d.log);
        count::ReplayOptions ro;
        ro.read.on_progress = [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
        auto replayed = count::replay_log(d.log, man, make_pipeline, ro);
        bar.done();
        if (!replayed) return report_error(replayed.error());
        count::CyclePipeline& p = *replayed->pipeline;
        const auto truth = count::truth_events(*labels);
        const count::Counters tc = count::count_events(truth);
        // True class per window.
        const auto& starts = p.window_starts();
        const auto& ends = p.window_ends();
        std::vector<std::string> true_class(starts.size());
        for (std::size_t w = 0; w < starts.size(); ++w) {
          const auto t = model::window_target(*labels, starts[w], ends[w], buckets, max_changes);
          true_class[w] = t.kind == model::WindowTarget::Kind::Ok ? t.cls.name() : "";
        }
        nlohmann::ordered_json fj;
        fj["log"] = d.log;
        fj["labels"] = d.labels;
        fj["truth"] = {{"trips", tc.trips}, {"loads", tc.loads}, {"failed_loads", tc.failed_loads}};
        fj["windows"] = p.stats().windows;
        fj["degraded_windows"] = p.stats().degraded_windows;
        const std::vector<int>* online_hist = nullptr;
        const std::vector<int>* offline_hist = nullptr;
        for (std::size_t k = 0; k < 3; ++k) {
          const count::PathCounter& c = p.counter(k);
          DecoderTotals& T = tot[k];
          nlohmann::ordered_json dj;
          const std::uint64_t counted[3] = {c.counters().trips, c.counters().loads, c.counters().failed_loads};
          double f1[3];
          for (std::size_t e = 0; e < 3; ++e) {
            count::MatchResult m = count::match_events(truth, c.events(), kTypes[e], a->tolerance_s);
            f1[e] = m.f1();
            dj[std::string(count::event_type_name(kTypes[e])) + "s"] = match_json(m);
            T.m[e].true_events += m.true_events;
            T.m[e].predicted += m.predicted;
            T.m[e].matched += m.matched;
            T.counted[e] += counted[e];
            if (kKinds[k] == count::DecoderKind::Online) T.delays_s.insert(T.delays_s.end(), m.delays_s.begin(), m.delays_s.end());
          }
          if (counted[0] == tc.trips) ++T.files_trip_exact;
          std::uint64_t correct = 0, labelled = 0;
          const auto& hist = c.history_classes();
          for (std::size_t w = 0; w < hist.size() && w < true_class.size(); ++w) {
            if (true_class[w].empty()) continue;
            ++labelled;
            const std::string& decoded = class_names[static_cast<std::size_t>(hist[w])];
            correct += decoded == true_class[w];
            ++T.confusion[true_class[w]][decoded];
          }
          T.windows += labelled;
          T.windows_correct += correct;
          T.forced += c.forced_commits();
          dj["window_accuracy"] = labelled ? static_cast<double>(correct) / static_cast<double>(labelled) : 0.0;
          dj["forced_commits"] = c.forced_commits();
          fj[std::string(count::decoder_name(kKinds[k]))] = dj;
          if (kKinds[k] == count::DecoderKind::Online) online_hist = &hist;
          if (kKinds[k] == count::DecoderKind::Offline) offline_hist = &hist;
          const std::string short_name = d.log.substr(d.log.rfind('/') + 1);
          std::printf("%-28.28s %-8s %5llu %5llu %5llu %5llu %5llu %5llu %7.3f %7.3f %7.3f %6.3f\n", short_name.c_str(),
                      std::string(count::decoder_name(kKinds[k])).c_str(), static_cast<unsigned long long>(counted[0]),
                      static_cast<unsigned long long>(tc.trips), static_cast<unsigned long long>(counted[1]),
                      static_cast<unsigned long long>(tc.loads), static_cast<unsigned long long>(counted[2]),
                      static_cast<unsigned long long>(tc.failed_loads), f1[0], f1[1], f1[2],
                      labelled ? static_cast<double>(correct) / static_cast<double>(labelled) : 0.0);
        }
        std::size_t agree = 0;
        for (std::size_t w = 0; w < online_hist->size() && w < offline_hist->size(); ++w) agree += (*online_hist)[w] == (*offline_hist)[w];
        fj["online_offline_window_agreement"] =
            online_hist->empty() ? 1.0 : static_cast<double>(agree) / static_cast<double>(online_hist->size());
        files.push_back(fj);
        if (!a->windows_csv.empty()) {
          if (fi == 0) {
            windows_csv = "file,window,start_s,truth,online,offline,greedy";
            for (const auto& c : class_names) windows_csv += ",p_" + c;
            windows_csv += "\n";
          }
          const std::string short_name = d.log.substr(d.log.rfind('/') + 1);
          char num[64];
          const std::size_t k = class_names.size();
          for (std::size_t w = 0; w < starts.size() && (w + 1) * k <= window_probs.size(); ++w) {
            std::snprintf(num, sizeof num, ",%zu,%.3f,", w, static_cast<double>(starts[w]) * 1e-9);
            windows_csv += short_name + num + true_class[w];
            for (std::size_t dec = 0; dec < 3; ++dec) {
              const auto& h = p.counter(dec).history_classes();
              windows_csv += ",";
              if (w < h.size()) windows_csv += class_names[static_cast<std::size_t>(h[w])];
            }
            for (std::size_t c = 0; c < k; ++c) {
              std::snprintf(num, sizeof num, ",%.4g", window_probs[w * k + c]);
              windows_csv += num;
            }
            windows_csv += "\n";
          }
        }
        if (fi == 0 && !a->plot.empty()) {
          // States over time for the plot: window start, truth path, online path, greedy path.
          nlohmann::ordered_json pd;
          pd["title"] = d.log.substr(d.log.rfind('/') + 1);
          pd["labels"] = nlohmann::ordered_json::array();
          for (const auto& iv : *labels) pd["labels"].push_back({iv.start_s, iv.end_s, std::string(state_name(iv.state))});
          for (std::size_t k : {std::size_t{0}, std::size_t{2}}) {
            nlohmann::ordered_json seq = nlohmann::ordered_json::array();
            const auto& h = p.counter(k).history_classes();
            for (std::size_t w = 0; w < h.size(); ++w)
              seq.push_back({static_cast<double>(starts[w]) * 1e-9, static_cast<double>(ends[w]) * 1e-9,
                             class_names[static_cast<std::size_t>(h[w])]});
            pd[std::string(count::decoder_name(kKinds[k]))] = seq;
            pd[std::string(count::decoder_name(kKinds[k])) + "_counts"] = {
                {"trips", p.counter(k).counters().trips}, {"loads", p.counter(k).counters().loads},
                {"failed_loads", p.counter(k).counters().failed_loads}};
          }
          pd["truth_counts"] = {{"trips", tc.trips}, {"loads", tc.loads}, {"failed_loads", tc.failed_loads}};
          plot_data = pd;
        }
      }
      nlohmann::ordered_json total;
      std::printf("\n%-8s %9s %9s %9s %9s %9s %9s %8s %10s %8s\n", "decoder", "trip P", "trip R", "trip F1", "load F1", "fail F1",
                  "trips=", "win acc", "med delay", "forced");
      for (std::size_t k = 0; k < 3; ++k) {
        const DecoderTotals& T = tot[k];
        nlohmann::ordered_json dj;
        for (std::size_t e = 0; e < 3; ++e) dj[std::string(count::event_type_name(kTypes[e])) + "s"] = match_json(T.m[e]);
        dj["files_with_exact_trip_count"] = T.files_trip_exact;
        dj["window_accuracy"] = T.windows ? static_cast<double>(T.windows_correct) / static_cast<double>(T.windows) : 0.0;
        dj["forced_commits"] = T.forced;
        dj["window_confusion"] = T.confusion;
        if (kKinds[k] == count::DecoderKind::Online) dj["median_emission_delay_s"] = median(T.delays_s);
        total[std::string(count::decoder_name(kKinds[k]))] = dj;
        std::printf("%-8s %9.3f %9.3f %9.3f %9.3f %9.3f %5zu/%-3zu %8.3f %10s %8lld\n",
                    std::string(count::decoder_name(kKinds[k])).c_str(), T.m[0].precision(), T.m[0].recall(), T.m[0].f1(),
                    T.m[1].f1(), T.m[2].f1(), T.files_trip_exact, data.size(),
                    T.windows ? static_cast<double>(T.windows_correct) / static_cast<double>(T.windows) : 0.0,
                    kKinds[k] == count::DecoderKind::Online ? (std::to_string(median(T.delays_s)).substr(0, 5) + " s").c_str() : "-",
                    static_cast<long long>(T.forced));
      }
      if (!a->json.empty()) {
        nlohmann::ordered_json j;
        j["model"] = dir;
        j["tolerance_s"] = a->tolerance_s;
        j["max_lag_windows"] = a->lag;
        j["prob_floor"] = a->prob_floor.value_or(manifest->decoder_prob_floor.value_or(decode::kDefaultProbFloor));
        j["min_load_to_trip_s"] = a->min_load_to_trip.value_or(manifest->decoder_min_load_to_trip_s.value_or(0.0));
        j["files"] = files;
        j["total"] = total;
        auto w = write_file_atomic(a->json, j.dump(2) + "\n");
        if (!w) return report_error(w.error());
      }
      if (!a->windows_csv.empty()) {
        auto w = write_file_atomic(a->windows_csv, windows_csv);
        if (!w) return report_error(w.error());
      }
      if (!a->plot.empty()) {
        const std::string tmp = a->plot + ".json";
        auto w = write_file_atomic(tmp, plot_data.dump() + "\n");
        if (!w) return report_error(w.error());
        const std::string script = exe_dir() + "/../../tools/plot_states.py";
        const std::string cmdline = "/usr/bin/python3 '" + script + "' '" + tmp + "' '" + a->plot + "'";
        const int rc = std::system(cmdline.c_str());
        std::remove(tmp.c_str());
        if (rc != 0) return report_error(Error::internal("plotting failed (" + cmdline + ")"));
        std::printf("plot: %s\n", a->plot.c_str());
      }
      return 0;
    };
  });
}

}  // namespace lc::app
