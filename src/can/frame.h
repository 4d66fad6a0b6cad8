// A classic CAN 2.0 frame as read from a log or a socket.
//
// Trivially copyable and allocation-free so frames can be moved through the hot path by value.
// Time is kept as integer nanoseconds on the source's own clock (Unix time for live and CANedge logs,
// seconds-since-start for some converted logs): a candump line's 6 or 9 fraction digits are read exactly, and
// kernel timestamps keep their nanoseconds. The candump -L writer prints microseconds, as can-utils does.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace lc::can {

inline constexpr std::uint32_t kSffMask = 0x7FFu;       // 11-bit identifier
inline constexpr std::uint32_t kEffMask = 0x1FFFFFFFu;  // 29-bit identifier
inline constexpr std::size_t kIfNameSize = 16;          // IFNAMSIZ, including the terminating NUL

struct Frame {
  std::int64_t time_ns = 0;  // receive time, nanoseconds
  std::uint32_t id = 0;      // identifier without flag bits (11 or 29 significant bits)
  bool extended = false;     // 29-bit identifier
  bool remote = false;       // remote transmission request (no data)
  bool error = false;        // error frame (id holds the error class bits)
  std::uint8_t dlc = 0;      // data length 0..8
  std::array<std::uint8_t, 8> data{};
  std::array<char, kIfNameSize> iface{};  // interface name, NUL-terminated ("can0")

  std::string_view interface_name() const { return {iface.data(), ::strnlen(iface.data(), kIfNameSize)}; }
  void set_interface(std::string_view name) {
    iface.fill('\0');
    std::memcpy(iface.data(), name.data(), name.size() < kIfNameSize - 1 ? name.size() : kIfNameSize - 1);
  }
};

}  // namespace lc::can
