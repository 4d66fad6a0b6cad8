// The simulator's own random numbers: xoshiro256** seeded through splitmix64.
//
// Why not <random>: std::normal_distribution (and the other distributions) are implementation-defined, so
// libstdc++, libc++ and MSVC give different streams for the same seed and an ARM build would write a
// different log than an x86 build. Everything here is integer work plus exact floating-point operations
// (a 53-bit integer times 2^-53, sums and products), so the same seed gives the same numbers on every
// IEEE-754 platform. No exp/log/sin/cos: those may differ in the last ulp between libms.
#pragma once

#include <cstdint>

namespace lc::sim {

// splitmix64 (Steele, Lea, Flood 2014): expands one 64-bit seed into well-mixed words.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// xoshiro256** 1.0 (Blackman, Vigna 2018).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& w : m_s) w = splitmix64(sm);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
  }

  // Uniform in [0, 1): the top 53 bits scaled by 2^-53 (exact).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [lo, hi] (inclusive); the modulo bias is < 2^-40 for the small ranges used here.
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(next() % span);
  }
  bool chance(double p) { return uniform() < p; }

  // Standard normal approximated by the Irwin-Hall sum of 12 uniforms minus 6: mean 0, variance 1, tails
  // cut at +-6. Plain additions, hence bit-identical everywhere; sensor noise does not need true tails.
  double normal() {
    double s = 0;
    for (int i = 0; i < 12; ++i) s += uniform();
    return s - 6.0;
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }

  // A fresh generator for an independent sub-stream (e.g. one per subsystem), so that adding a draw in one
  // subsystem does not shift every other subsystem's numbers.
  Rng fork() { return Rng(next()); }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t m_s[4]{};
};

}  // namespace lc::sim
