#include <cstdio>
#include <fstream>
#include <memory>

#include "app/commands.h"
#include "app/inspect.h"
#include "util/file.h"

namespace lc::app {

int report_error(const Error& e) {
  std::fprintf(stderr, "loadercount: %s\n", e.message.c_str());
  return e.exit_code();
}

void add_inspect_command(CLI::App& app, Runner& run) {
  struct Args {
    std::string log, dbc, json;
    bool strict = false;
    unsigned source = kEngineSourceAddress;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("inspect", "Frames, PGNs and decoded signal statistics of a candump log");
  cmd->add_option("LOG", args->log, "candump log (-L or console format)")->required();
  cmd->add_option("--dbc", args->dbc, "DBC file describing the signals (default: the built-in j1939_engine.dbc)");
  cmd->add_option("--json", args->json, "also write the report as JSON to this file");
  cmd->add_option("--source-address", args->source, "J1939 source address of the engine")->default_val(0)->check(CLI::Range(0, 253));
  cmd->add_flag("--strict", args->strict, "a line that is not a CAN frame is an error (exit 2)");
  cmd->callback([&run, args] {
    run = [args]() -> int {
      const auto sa = static_cast<std::uint8_t>(args->source);
      auto plan = args->dbc.empty() ? default_decode_plan(sa) : decode_plan_from_file(args->dbc, sa);
      if (!plan) return report_error(plan.error());
      auto report = inspect_log(args->log, *plan, args->strict);
      if (!report) return report_error(report.error());
      std::fputs(to_text(*report).c_str(), stdout);
      if (report->read.bad_lines)
        std::fprintf(stderr, "loadercount: %s: %llu lines are not CAN frames (first: line %llu)\n", args->log.c_str(),
                     static_cast<unsigned long long>(report->read.bad_lines),
                     static_cast<unsigned long long>(report->read.first_bad_line));
      if (!args->json.empty()) {
        auto st = write_file_atomic(args->json, to_json(*report).dump(2) + "\n");
        if (!st) return report_error(st.error());
      }
      return 0;
    };
  });
}

}  // namespace lc::app
