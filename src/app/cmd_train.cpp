#include <chrono>
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "model/trainer.h"

namespace lc::app {

// "LOG:LABELS" -> pair; the split is at the last ':' so paths may contain ':' themselves.
Expected<model::LabelledLog> parse_data_arg(const std::string& arg) {
  const std::size_t c = arg.rfind(':');
  if (c == std::string::npos || c == 0 || c + 1 == arg.size())
    return Error::bad_input("--data '" + arg + "': expected LOG:LABELS");
  return model::LabelledLog{arg.substr(0, c), arg.substr(c + 1)};
}

void add_train_command(CLI::App& app, Runner& run) {
  struct Args {
    std::vector<std::string> data;
    std::string out, config;
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("train", "Train a model bundle from labelled candump logs");
  cmd->add_option("--data", a->data, "LOG:LABELS (repeat for more files)")->required();
  cmd->add_option("--out", a->out, "bundle directory to write")->required();
  cmd->add_option("--config", a->config, "training settings (TOML; see src/model/trainer.h)");
  cmd->add_flag("--quiet", a->quiet, "no progress messages");
  cmd->callback([&run, a] {
    run = [a]() -> int {
      std::vector<model::LabelledLog> data;
      for (const auto& d : a->data) {
        auto p = parse_data_arg(d);
        if (!p) return report_error(p.error());
        data.push_back(*p);
      }
      model::TrainConfig cfg;
      if (!a->config.empty()) {
        auto c = model::read_train_config(a->config);
        if (!c) return report_error(c.error());
        cfg = *c;
      }
      const auto t0 = std::chrono::steady_clock::now();
      auto rep = model::train_bundle(data, cfg, a->out, [&](const std::string& s) {
        if (!a->quiet) std::fprintf(stderr, "train: %s\n", s.c_str());
      });
      if (!rep) return report_error(rep.error());
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const int members = rep->manifest.training.value("ensemble_members", 1);
      const std::string ensemble = members > 1 ? " (" + std::to_string(members) + " ensemble members each)" : "";
      std::printf("%s: %zu windows (%zu train, %zu validation, %zu skipped), %zu features, %zu classes, %d position models%s, %.1f s\n",
                  a->out.c_str(), rep->windows, rep->train_windows, rep->valid_windows, rep->skipped_windows,
                  rep->selected_features, rep->manifest.classes.size(), rep->manifest.position_buckets, ensemble.c_str(), secs);
      return 0;
    };
  });
}

}  // namespace lc::app
