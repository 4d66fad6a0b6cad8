// The `loadercount` subcommands. Each registers its options on the CLI11 app and runs when chosen; each
// returns the process exit code: 0 success, 2 bad usage or bad input (the message names file and line),
// 1 anything else (ARCHITECTURE.md "Command-line contract").
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "util/expected.h"

namespace lc::app {

// Registers a subcommand; `run` is set to the function main() calls when it was chosen.
using Runner = std::function<int()>;
void add_inspect_command(CLI::App& app, Runner& run);
void add_simulate_command(CLI::App& app, Runner& run);
void add_features_command(CLI::App& app, Runner& run);
void add_train_command(CLI::App& app, Runner& run);
void add_replay_command(CLI::App& app, Runner& run);
void add_eval_command(CLI::App& app, Runner& run);
void add_compile_command(CLI::App& app, Runner& run);

// Prints an error as "loadercount: <message>" on stderr and returns its exit code.
int report_error(const Error& e);

}  // namespace lc::app
