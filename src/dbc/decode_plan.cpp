#include "dbc/decode_plan.h"

#include <algorithm>
#include <limits>

#include "can/j1939.h"

namespace lc::dbc {
namespace {

std::uint64_t load_le(const std::uint8_t* d) noexcept {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | d[i];
  return v;
}
std::uint64_t load_be(const std::uint8_t* d) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[i];
  return v;
}
std::uint64_t mask_of(unsigned length) noexcept {
  return length >= 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << length) - 1);
}

// Position of the signal's LSB in the 64-bit word loaded little-endian (Intel) or big-endian (Motorola).
unsigned lsb_shift(std::uint16_t start_bit, std::uint16_t length, ByteOrder order) noexcept {
  if (order == ByteOrder::LittleEndian) return start_bit;
  // Byte b, bit k (k = 0 is the byte's LSB) sits at 56 - 8b + k in the big-endian word.
  const unsigned msb = 56u - 8u * (start_bit / 8u) + (start_bit % 8u);
  return msb - (length - 1u);
}

}  // namespace

std::uint64_t DecodePlan::extract_raw(const std::uint8_t* data8, std::uint16_t start_bit, std::uint16_t length,
                                      ByteOrder order) noexcept {
  const std::uint64_t word = order == ByteOrder::LittleEndian ? load_le(data8) : load_be(data8);
  return (word >> lsb_shift(start_bit, length, order)) & mask_of(length);
}

Expected<DecodePlan> DecodePlan::compile(const Database& db, std::span<const WantedSignal> wanted,
                                         std::uint8_t source_address, const std::string& dbc_name) {
  DecodePlan plan;
  plan.m_source = source_address;
  plan.m_wanted_count = wanted.size();
  struct Found {
    std::uint32_t pgn;
    Field field;
  };
  std::vector<Found> found;
  for (std::size_t w = 0; w < wanted.size(); ++w) {
    const Message* hit_msg = nullptr;
    const Signal* hit = nullptr;
    for (const auto& m : db.messages) {
      for (const auto& s : m.signals) {
        const bool match = s.spn ? (*s.spn == wanted[w].spn) : (s.name == wanted[w].name);
        if (!match) continue;
        if (hit != nullptr)
          return Error::bad_input(dbc_name + ": signal '" + std::string(wanted[w].name) + "' (SPN " +
                                  std::to_string(wanted[w].spn) + ") is described twice: " + hit_msg->name + "." +
                                  hit->name + " and " + m.name + "." + s.name);
        hit = &s;
        hit_msg = &m;
      }
    }
    if (hit == nullptr) {
      plan.m_missing.emplace_back(wanted[w].name);
      continue;
    }
    if (hit->is_float)
      return Error::bad_input(dbc_name + ": signal " + hit->name + " is an IEEE float, which J1939 does not use");
    if (!hit->mux.empty())
      return Error::bad_input(dbc_name + ": signal " + hit->name + " is multiplexed, which the decoder does not support");
    if (!hit_msg->extended())
      return Error::bad_input(dbc_name + ": message " + hit_msg->name + " has an 11-bit id; J1939 needs 29-bit ids");
    if (hit->length > 8 * 8 || hit_msg->dlc > 8)
      return Error::bad_input(dbc_name + ": message " + hit_msg->name + " is longer than 8 bytes");
    Field f{};
    f.slot = static_cast<std::uint16_t>(w);
    f.length = static_cast<std::uint8_t>(hit->length);
    f.big_endian = hit->order == ByteOrder::BigEndian;
    f.is_signed = hit->is_signed;
    f.shift = static_cast<std::uint8_t>(lsb_shift(hit->start_bit, hit->length, hit->order));
    // Highest byte touched, so a short frame yields NaN rather than reading zero padding.
    unsigned last_byte;
    if (hit->order == ByteOrder::LittleEndian) {
      last_byte = (hit->start_bit + hit->length - 1u) / 8u;
    } else {
      const unsigned msb_linear = (hit->start_bit / 8u) * 8u + (7u - hit->start_bit % 8u);
      last_byte = (msb_linear + hit->length - 1u) / 8u;
    }
    f.min_bytes = static_cast<std::uint8_t>(last_byte + 1);
    f.na_above = std::numeric_limits<std::uint64_t>::max();
    if (!hit->is_signed) {
      if (hit->length == 8) f.na_above = 0xFA;
      else if (hit->length == 16) f.na_above = 0xFAFF;
      else if (hit->length == 32) f.na_above = 0xFAFFFFFF;
      else if (hit->length >= 2) f.na_above = mask_of(hit->length) - 2;
    }
    f.factor = hit->factor;
    f.offset = hit->offset;
    found.push_back({can::decode_j1939_id(hit_msg->can_id()).pgn, f});
  }
  std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.pgn < b.pgn; });
  for (std::size_t i = 0; i < found.size();) {
    std::size_t j = i;
    Entry e{found[i].pgn, static_cast<std::uint16_t>(plan.m_fields.size()), 0};
    while (j < found.size() && found[j].pgn == found[i].pgn) plan.m_fields.push_back(found[j++].field);
    e.count = static_cast<std::uint16_t>(j - i);
    plan.m_max_per_frame = std::max<std::size_t>(plan.m_max_per_frame, e.count);
    plan.m_entries.push_back(e);
    i = j;
  }
  return plan;
}

FrameResult DecodePlan::decode(const can::Frame& f, DecodedValue* out) const noexcept {
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
  // Few PGNs (ten signals in seven messages): a linear scan beats a binary search at this size.
  const Entry* e = nullptr;
  for (const auto& cand : m_entries)
    if (cand.pgn == id.pgn) {
      e = &cand;
      break;
    }
  if (e == nullptr) {
    r.outcome = FrameOutcome::UnknownPgn;
    return r;
  }
  if (id.source != m_source) {
    r.outcome = FrameOutcome::OtherSource;
    return r;
  }
  std::uint8_t padded[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const std::size_t n = f.dlc > 8 ? 8 : f.dlc;
  for (std::size_t i = 0; i < n; ++i) padded[i] = f.data[i];
  const std::uint64_t le = load_le(padded);
  const std::uint64_t be = load_be(padded);
  for (std::uint16_t k = 0; k < e->count; ++k) {
    const Field& fd = m_fields[e->first + k];
    DecodedValue& dv = out[k];
    dv.slot = fd.slot;
    if (f.dlc < fd.min_bytes) {
      dv.value = NAN;
      continue;
    }
    const std::uint64_t raw = ((fd.big_endian ? be : le) >> fd.shift) & mask_of(fd.length);
    if (raw > fd.na_above) {
      dv.value = NAN;
      continue;
    }
    double v;
    if (fd.is_signed && fd.length < 64 && (raw >> (fd.length - 1)) != 0) {
      v = static_cast<double>(static_cast<std::int64_t>(raw | ~mask_of(fd.length)));
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

std::vector<std::uint32_t> DecodePlan::pgns() const {
  std::vector<std::uint32_t> out;
  for (const auto& e : m_entries) out.push_back(e.pgn);
  return out;
}

}  // namespace lc::dbc
