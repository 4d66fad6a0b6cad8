// How a decoder scores a path of window classes (see src/decode/README.md for the choice and its evidence).
//
// A path's score is the sum over its windows of a node score computed from the model's probability of the
// path's class in that window:
//   SumProb     node = p                       (the reference design; the sum is the expected number of
//                                                correctly labelled windows if p is calibrated)
//   SumLogProb  node = log(max(p, kProbFloor))  (the joint probability of the path if windows were
//                                                independent; the floor keeps p = 0 from making every path
//                                                through that window -inf)
// A probability that is NaN or not positive counts as 0 (SumProb) or as the floor (SumLogProb).
#pragma once

#include <cmath>
#include <cstdint>
#include <span>

namespace lc::decode {

enum class PathScore : std::uint8_t { SumProb, SumLogProb };

// The product's default, chosen on the evidence in README.md.
inline constexpr PathScore kDefaultPathScore = PathScore::SumProb;

// Smallest probability the log score distinguishes; log(1e-12) ~ -27.6 per window.
inline constexpr double kProbFloor = 1e-12;

inline double node_score(double p, PathScore mode) noexcept {
  // `!(p > x)` also catches NaN.
  if (mode == PathScore::SumProb) return p > 0.0 ? p : 0.0;
  return std::log(p > kProbFloor ? p : kProbFloor);
}

// out[k] = node_score(probs[k], mode); the spans must have the same size.
inline void node_scores(std::span<const double> probs, PathScore mode, std::span<double> out) noexcept {
  for (std::size_t k = 0; k < probs.size(); ++k) out[k] = node_score(probs[k], mode);
}

}  // namespace lc::decode
