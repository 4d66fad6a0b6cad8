// Labels files: what the machine really did, as contiguous state intervals.
//
//   start,end,state
//   0.000,42.500,EMPTY
//   42.500,51.250,LOADING
//   51.250,90.000,LOADED
//
// Times are seconds on the log's own clock. Rows must be sorted, contiguous (each start equals the previous
// end, within 1 ms) and have end > start; `state` is one of EMPTY, LOADING, LOADED, UNLOADING. The reader
// rejects anything else with an Error naming the file, the line and the field.
#pragma once

#include <string>
#include <vector>

#include "util/expected.h"
#include "window/states.h"

namespace lc {

struct LabelInterval {
  double start_s = 0;
  double end_s = 0;
  State state = State::Empty;
};

Expected<std::vector<LabelInterval>> read_labels_csv(const std::string& path);
Expected<std::vector<LabelInterval>> parse_labels_csv(const std::string& text, const std::string& name);

// Writes the labels with millisecond precision ("%.3f"). Adjacent intervals of the same state are merged.
std::string format_labels_csv(const std::vector<LabelInterval>& labels);
Status write_labels_csv(const std::string& path, const std::vector<LabelInterval>& labels);

// The state at time t (seconds); nullopt outside the labelled span.
std::optional<State> state_at(const std::vector<LabelInterval>& labels, double t_s);

}  // namespace lc
