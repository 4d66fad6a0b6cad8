// A DBC compiled once into a flat decode plan keyed by PGN (STYLE.md principle 2).
//
// J1939 messages are matched on PGN and the configured source address, never on the whole 29-bit id: a DBC
// written with SA 0xFE (as CSS Electronics' demo file) still decodes frames the engine (SA 0x00) sends.
// Decoding a frame is integer bit work with no allocation and no string handling.
//
// Missing data: J1939 marks "not available" and "error" in the top of a parameter's raw range. For unsigned
// signals of 8, 16 and 32 bits every raw value above the valid range (> 0xFA, > 0xFAFF, > 0xFAFFFFFF: error,
// not-available and reserved codes) decodes to NaN; for other unsigned lengths >= 2 bits the two top codes
// (all ones = not available, all ones - 1 = error) do. A frame too short for a signal gives NaN for it.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "can/frame.h"
#include "can/j1939.h"
#include "dbc/dbc.h"
#include "util/expected.h"

namespace lc::dbc {

// What the caller wants decoded: its own name for the signal and the SPN that identifies it. A DBC signal
// matches if its SPN attribute equals `spn`, or (without an SPN attribute) if its name equals `name`.
struct WantedSignal {
  std::string_view name;
  std::uint32_t spn = 0;
};

struct DecodedValue {
  std::uint16_t slot = 0;  // index into the wanted list
  double value = NAN;      // physical value; NaN = missing (not available / error / short frame)
};

// Why a frame produced no values (for `inspect` and health counters).
enum class FrameOutcome : std::uint8_t {
  Decoded,      // at least one wanted signal
  Standard,     // 11-bit identifier: never J1939
  NotData,      // remote or error frame
  UnknownPgn,   // PGN carries none of the wanted signals
  OtherSource,  // wanted PGN, but from another source address
};

struct FrameResult {
  FrameOutcome outcome = FrameOutcome::UnknownPgn;
  std::uint8_t count = 0;  // values written
  std::uint32_t pgn = 0;   // 0 for standard/non-data frames
  std::uint8_t source = 0;
};

class DecodePlan {
 public:
  // Compiles `db` for the wanted signals from `source_address`. Wanted signals the DBC does not describe are
  // allowed (a real bus may lack a sensor) and listed by missing(); an IEEE-float or multiplexed wanted signal,
  // or one that matches two DBC signals, is an Error naming the signal and `dbc_name`.
  static Expected<DecodePlan> compile(const Database& db, std::span<const WantedSignal> wanted,
                                      std::uint8_t source_address, const std::string& dbc_name);

  // Decodes one frame into `out` (capacity max_values_per_frame()). noexcept, no allocation.
  FrameResult decode(const can::Frame& f, DecodedValue* out) const noexcept;

  std::size_t max_values_per_frame() const { return m_max_per_frame; }
  std::size_t wanted_count() const { return m_wanted_count; }
  // PGNs the plan decodes (sorted) - for kernel receive filters.
  std::vector<std::uint32_t> pgns() const;
  // The PGN that carries each wanted signal, in wanted order (0 for one the DBC does not describe): signals of
  // one PGN are lost together when that message stops arriving.
  std::vector<std::uint32_t> slot_pgns() const;
  // Names of wanted signals the DBC does not describe.
  const std::vector<std::string>& missing() const { return m_missing; }
  std::uint8_t source_address() const { return m_source; }

 private:
  struct Field {
    std::uint16_t slot;
    std::uint8_t shift;     // position of the LSB in the 64-bit payload word (see decode_raw)
    std::uint8_t length;
    bool big_endian;
    bool is_signed;
    std::uint8_t min_bytes;   // frame must carry this many bytes
    std::uint64_t na_above;   // raw values > na_above are missing (UINT64_MAX: none)
    double factor;
    double offset;
  };
  struct Entry {
    std::uint32_t pgn;
    std::uint16_t first;  // index into m_fields
    std::uint16_t count;
  };
  std::vector<Entry> m_entries;  // sorted by pgn
  static constexpr std::uint32_t kPgnMask = 0x3FFFFu;
  // Entry index + 1 for each of the 2^18 PGNs (0: not wanted): one load instead of a scan whose branches the
  // CPU cannot predict on a mixed bus. 256 KiB from calloc, which takes fresh zero pages from the kernel without
  // writing them, so only the pages of PGNs seen on the bus (and those compile sets) are ever touched: filling a
  // vector wrote all 64, a page fault of ~12 us each on the VMs here, before the first frame was read. Immutable
  // after compile, so copies of the plan share it.
  struct FreeBytes {
    void operator()(std::uint8_t* p) const noexcept;
  };
  std::shared_ptr<const std::uint8_t[]> m_entry_of_pgn;
  std::vector<Field> m_fields;
  std::vector<std::string> m_missing;
  std::size_t m_max_per_frame = 0;
  std::size_t m_wanted_count = 0;
  std::uint8_t m_source = 0;

 public:
  // Exposed for tests: the raw value of a signal in an 8-byte payload (bit extraction only).
  static std::uint64_t extract_raw(const std::uint8_t* data8, std::uint16_t start_bit, std::uint16_t length,
                                   ByteOrder order) noexcept;
};

// decode() is defined here so that its caller (FramePipeline::push, once per frame) inlines it: called out of
// line, the small FrameResult went back through the stack and stalled on store forwarding (perf annotate: half of
// decode's time was that one reload).
namespace detail {
// The 8 bytes at d as one word, d[0] lowest (le) or highest (be). One load and at most one byte swap: a loop of
// byte shifts here was ~45 instructions a frame that GCC did not fuse (objdump of bench_log).
inline std::uint64_t load_le(const std::uint8_t* d) noexcept {
  std::uint64_t v;
  std::memcpy(&v, d, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}
inline std::uint64_t load_be(const std::uint8_t* d) noexcept { return __builtin_bswap64(load_le(d)); }
inline std::uint64_t mask_of(unsigned length) noexcept {
  return length >= 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << length) - 1);
}

}  // namespace detail

inline FrameResult DecodePlan::decode(const can::Frame& f, DecodedValue* out) const noexcept {
  FrameResult r;
  if (f.error || f.remote) {
    r.outcome = FrameOutcome::NotData;
    return r;
  }
  if (!f.extended) {
    r.outcome = FrameOutcome::Standard;
    return r;
  }
  const can::J1939Id id = can::decode_j1939_id(f.id);
  r.pgn = id.pgn;
  r.source = id.source;
  const std::uint8_t slot = m_entry_of_pgn[id.pgn & kPgnMask];
  const Entry* e = slot ? &m_entries[slot - 1u] : nullptr;
  if (e == nullptr) {
    r.outcome = FrameOutcome::UnknownPgn;
    return r;
  }
  if (id.source != m_source) {
    r.outcome = FrameOutcome::OtherSource;
    return r;
  }
  // The payload with the bytes past the DLC as zeros (whatever the frame holds there), read both ways.
  const unsigned n = f.dlc > 8 ? 8u : f.dlc;
  const std::uint64_t le = detail::load_le(f.data.data()) & detail::mask_of(8 * n);
  const std::uint64_t be = __builtin_bswap64(le);
  for (std::uint16_t k = 0; k < e->count; ++k) {
    const Field& fd = m_fields[e->first + k];
    DecodedValue& dv = out[k];
    dv.slot = fd.slot;
    if (f.dlc < fd.min_bytes) {
      dv.value = NAN;
      continue;
    }
    const std::uint64_t raw = ((fd.big_endian ? be : le) >> fd.shift) & detail::mask_of(fd.length);
    if (raw > fd.na_above) {
      dv.value = NAN;
      continue;
    }
    double v;
    if (fd.is_signed && fd.length < 64 && (raw >> (fd.length - 1)) != 0) {
      v = static_cast<double>(static_cast<std::int64_t>(raw | ~detail::mask_of(fd.length)));
    } else if (fd.is_signed) {
      v = static_cast<double>(static_cast<std::int64_t>(raw));
    } else {
      v = static_cast<double>(raw);
    }
    dv.value = v * fd.factor + fd.offset;
  }
  r.count = static_cast<std::uint8_t>(e->count);
  r.outcome = FrameOutcome::Decoded;
  return r;
}

}  // namespace lc::dbc
