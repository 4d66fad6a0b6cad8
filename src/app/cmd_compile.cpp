// `loadercount compile-model DIR`: writes each model's compiled forest beside its JSON (ModelBundle::compile),
// for a bundle whose JSON models came from elsewhere (XGBoost in Python, an older loadercount). `train`
// writes them itself. Without them a bundle still loads, from the JSON, only slower.
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "model/bundle.h"

namespace lc::app {

void add_compile_command(CLI::App& app, Runner& run) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("compile-model", "Write the compiled form of a bundle's models (faster start-up)");
  cmd->add_option("DIR", *dir, "model bundle directory")->required();
  cmd->callback([&run, dir] {
    run = [dir]() -> int {
      if (auto st = model::ModelBundle::compile(*dir); !st) return report_error(st.error());
      auto b = model::ModelBundle::load(*dir);
      if (!b) return report_error(b.error());
      std::printf("%s: %zu models compiled\n", dir->c_str(), b->model_count());
      return 0;
    };
  });
}

}  // namespace lc::app
