#include "decode/greedy.h"

#include <string>

namespace lc::decode {

int argmax(std::span<const double> probs) noexcept {
  if (probs.empty()) return -1;
  int best = 0;
  for (std::size_t k = 1; k < probs.size(); ++k) {
    const double b = probs[static_cast<std::size_t>(best)];
    // A NaN best is replaced by any number; a NaN candidate never wins.
    if (probs[k] > b || (b != b && probs[k] == probs[k])) best = static_cast<int>(k);
  }
  return best;
}

Expected<std::vector<int>> decode_greedy(std::span<const double> probs, int num_classes) {
  if (num_classes < 1 || probs.size() % static_cast<std::size_t>(num_classes) != 0)
    return Error::bad_input("decode_greedy: probability table of " + std::to_string(probs.size()) +
                            " values is not a whole number of windows of " + std::to_string(num_classes) + " classes");
  const auto k = static_cast<std::size_t>(num_classes);
  std::vector<int> out(probs.size() / k);
  for (std::size_t t = 0; t < out.size(); ++t) out[t] = argmax(probs.subspan(t * k, k));
  return out;
}

}  // namespace lc::decode
