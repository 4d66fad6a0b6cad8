// How a decoder scores a path of window classes (see src/decode/README.md for the choice and its evidence).
//
// A path's score is the sum over its windows of a node score computed from the model's probability of the
// path's class in that window:
//   SumProb     node = p                       (the reference design; the sum is the expected number of
//                                                correctly labelled windows if p is calibrated)
//   SumLogProb  node = log(max(p, prob_floor))  (the joint probability of the path if windows were
//                                                independent; the floor bounds what one window can cost a
//                                                path, so p = 0 does not make every path through it -inf and
//                                                one confidently wrong window cannot bend the whole path)
// A probability that is NaN or not positive counts as 0 (SumProb) or as the floor (SumLogProb).
#pragma once

#include <cmath>
#include <cstdint>
#include <span>

namespace lc::decode {

enum class PathScore : std::uint8_t { SumProb, SumLogProb };

// The product's defaults, chosen on the evidence in README.md: log-probabilities floored at 0.01, so a
// window costs a path at most log(0.01) ~ -4.6.
inline constexpr PathScore kDefaultPathScore = PathScore::SumLogProb;
inline constexpr double kDefaultProbFloor = 1e-2;

// Whether `prob_floor` is usable: in (0, 1] (false for NaN). Decoders reject other values at creation.
inline bool valid_prob_floor(double prob_floor) noexcept { return prob_floor > 0.0 && prob_floor <= 1.0; }

// Precondition for SumLogProb: valid_prob_floor(prob_floor).
inline double node_score(double p, PathScore mode, double prob_floor = kDefaultProbFloor) noexcept {
  // `p > x` is false for NaN, so NaN takes the 0 / floor branch.
  if (mode == PathScore::SumProb) return p > 0.0 ? p : 0.0;
  return std::log(p > prob_floor ? p : prob_floor);
}

// out[k] = node_score(probs[k], mode, prob_floor); the spans must have the same size.
inline void node_scores(std::span<const double> probs, PathScore mode, double prob_floor,
                        std::span<double> out) noexcept {
  for (std::size_t k = 0; k < probs.size(); ++k) out[k] = node_score(probs[k], mode, prob_floor);
}

}  // namespace lc::decode
