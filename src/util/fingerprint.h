// A 64-bit fingerprint of a byte string: tells whether a file is still the one something was derived from
// (a compiled model and its JSON). Not cryptographic; the same value on every platform (bytes are read
// little-endian whatever the CPU). About 1 ms for the shipped model files.
#pragma once

#include <cstdint>
#include <string_view>

namespace lc {

inline std::uint64_t fingerprint64(std::string_view bytes) noexcept {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  auto mix = [](std::uint64_t h) {  // the splitmix64 finaliser
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 31);
  };
  std::uint64_t h = mix(bytes.size() ^ kMul);
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w = 0;
    for (int b = 7; b >= 0; --b) w = (w << 8) | static_cast<unsigned char>(bytes[i + static_cast<std::size_t>(b)]);
    h = (h ^ mix(w)) * kMul;
  }
  std::uint64_t tail = 0;
  for (std::size_t b = bytes.size(); b > i; --b) tail = (tail << 8) | static_cast<unsigned char>(bytes[b - 1]);
  return mix(h ^ mix(tail ^ (bytes.size() - i)));
}

}  // namespace lc
