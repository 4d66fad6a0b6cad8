// J1939 29-bit identifier fields (SAE J1939-21 layout):
//   bits 28..26 priority | 25 EDP | 24 DP | 23..16 PF | 15..8 PS | 7..0 source address
// PDU1 (PF < 240): PS is the destination address and is NOT part of the PGN.
// PDU2 (PF >= 240): PS is the group extension and is part of the PGN; the message is broadcast (DA = 0xFF).
#pragma once

#include <cstdint>

namespace lc::can {

inline constexpr std::uint8_t kGlobalAddress = 0xFF;

struct J1939Id {
  std::uint8_t priority = 0;
  std::uint32_t pgn = 0;  // 18 bits: EDP, DP, PF, and PS only for PDU2
  std::uint8_t source = 0;
  std::uint8_t destination = kGlobalAddress;
  bool pdu1() const { return ((pgn >> 8) & 0xFF) < 240; }
};

constexpr J1939Id decode_j1939_id(std::uint32_t id29) noexcept {
  J1939Id j;
  j.priority = static_cast<std::uint8_t>((id29 >> 26) & 0x7);
  const std::uint32_t edp_dp = (id29 >> 24) & 0x3;
  const std::uint32_t pf = (id29 >> 16) & 0xFF;
  const std::uint32_t ps = (id29 >> 8) & 0xFF;
  j.source = static_cast<std::uint8_t>(id29 & 0xFF);
  if (pf < 240) {
    j.pgn = (edp_dp << 16) | (pf << 8);
    j.destination = static_cast<std::uint8_t>(ps);
  } else {
    j.pgn = (edp_dp << 16) | (pf << 8) | ps;
    j.destination = kGlobalAddress;
  }
  return j;
}

// Inverse of decode_j1939_id. For PDU1 PGNs the destination goes into PS; for PDU2 `destination` is ignored.
constexpr std::uint32_t encode_j1939_id(std::uint8_t priority, std::uint32_t pgn, std::uint8_t source,
                                        std::uint8_t destination = kGlobalAddress) noexcept {
  std::uint32_t id = (static_cast<std::uint32_t>(priority & 0x7) << 26) | ((pgn & 0x3FFFF) << 8) | source;
  const std::uint32_t pf = (pgn >> 8) & 0xFF;
  if (pf < 240) id = (id & ~0xFF00u) | (static_cast<std::uint32_t>(destination) << 8);
  return id;
}

}  // namespace lc::can
