// loadercount: the desktop command line (ARCHITECTURE.md "Command-line contract").
#include <cstdio>

#include "app/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"loadercount: counts a wheel loader's work cycles from its engine's J1939 telemetry"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "loadercount 0.1.0");
  lc::app::Runner run;
  lc::app::add_simulate_command(app, run);
  lc::app::add_inspect_command(app, run);
  lc::app::add_features_command(app, run);
  lc::app::add_train_command(app, run);
  lc::app::add_replay_command(app, run);
  lc::app::add_eval_command(app, run);
  lc::app::add_compile_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // bad usage
  }
  return run ? run() : 2;
}
