// The baseline decoder: each window's most probable class, ignoring the transition graph. It double-counts
// trips when the model flickers between neighbouring classes; kept to measure what the constrained decoders
// gain (`replay --decoder greedy`).
#pragma once

#include <span>
#include <vector>

#include "util/expected.h"

namespace lc::decode {

// Index of the largest probability, lowest index on ties; NaN never wins unless all are NaN (then 0).
// -1 for an empty span. No allocation.
int argmax(std::span<const double> probs) noexcept;

// argmax per window of a row-major T x K table. Error (BadInput) if num_classes < 1 or probs.size() is not a
// multiple of num_classes.
Expected<std::vector<int>> decode_greedy(std::span<const double> probs, int num_classes);

}  // namespace lc::decode
