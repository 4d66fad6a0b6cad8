// A 64-bit fingerprint of a byte string: tells whether a file is still the one something was derived from
// (a compiled model and its JSON). Not cryptographic; the same value on every platform (bytes are taken
// little-endian whatever the CPU). Four independent lanes of multiply-rotate rounds (the structure of
// xxHash64) keep the multiplier busy: about 1 ms for the shipped models' 8 MB of JSON.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace lc {

namespace detail {
inline std::uint64_t load_le64(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}
inline std::uint64_t fp_round(std::uint64_t acc, std::uint64_t w) noexcept {
  return std::rotl(acc + w * 0xC2B2AE3D27D4EB4Full, 31) * 0x9E3779B185EBCA87ull;
}
inline std::uint64_t fp_mix(std::uint64_t h) noexcept {  // the splitmix64 finaliser
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBull;
  return h ^ (h >> 31);
}
}  // namespace detail

// splitmix64 of one word (Steele, Lea, Flood 2014): a well-mixed hash of a 64-bit key, e.g. for draws that must
// depend only on (seed, index). sim/rng.h's generator steps the same function through its state.
inline std::uint64_t mix64(std::uint64_t x) noexcept { return detail::fp_mix(x + 0x9E3779B97F4A7C15ull); }

inline std::uint64_t fingerprint64(std::string_view bytes) noexcept {
  using namespace detail;
  const char* p = bytes.data();
  const std::size_t n = bytes.size();
  std::uint64_t a = 0x60EA27EEADC0B5D6ull, b = 0xC2B2AE3D27D4EB4Full, c = 0x0ull, d = 0x61C8864E7A143579ull;
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a = fp_round(a, load_le64(p + i));
    b = fp_round(b, load_le64(p + i + 8));
    c = fp_round(c, load_le64(p + i + 16));
    d = fp_round(d, load_le64(p + i + 24));
  }
  std::uint64_t h = fp_mix(std::rotl(a, 1) + std::rotl(b, 7) + std::rotl(c, 12) + std::rotl(d, 18) + n);
  for (; i + 8 <= n; i += 8) h = fp_round(h, load_le64(p + i));
  std::uint64_t tail = 0;
  for (std::size_t k = n; k > i; --k) tail = (tail << 8) | static_cast<unsigned char>(p[k - 1]);
  return fp_mix(h ^ fp_mix(tail ^ (n - i)));
}

}  // namespace lc
