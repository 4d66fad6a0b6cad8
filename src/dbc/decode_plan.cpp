#include "dbc/decode_plan.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <new>

#include "can/j1939.h"

namespace lc::dbc {
using detail::load_be;
using detail::load_le;
using detail::mask_of;

namespace {

// Position of the signal's LSB in the 64-bit word loaded little-endian (Intel) or big-endian (Motorola).
unsigned lsb_shift(std::uint16_t start_bit, std::uint16_t length, ByteOrder order) noexcept {
  if (order == ByteOrder::LittleEndian) return start_bit;
  // Byte b, bit k (k = 0 is the byte's LSB) sits at 56 - 8b + k in the big-endian word.
  const unsigned msb = 56u - 8u * (start_bit / 8u) + (start_bit % 8u);
  return msb - (length - 1u);
}

}  // namespace

void DecodePlan::FreeBytes::operator()(std::uint8_t* p) const noexcept { std::free(p); }

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
  if (plan.m_entries.size() > 255)
    return Error::bad_input(dbc_name + ": the wanted signals span " + std::to_string(plan.m_entries.size()) +
                            " PGNs; the decoder handles at most 255");
  auto* table = static_cast<std::uint8_t*>(std::calloc(std::size_t{kPgnMask} + 1, 1));
  if (table == nullptr) throw std::bad_alloc();
  plan.m_entry_of_pgn = std::shared_ptr<const std::uint8_t[]>(table, FreeBytes{});
  for (std::size_t k = 0; k < plan.m_entries.size(); ++k)
    table[plan.m_entries[k].pgn & kPgnMask] = static_cast<std::uint8_t>(k + 1);
  return plan;
}

std::vector<std::uint32_t> DecodePlan::pgns() const {
  std::vector<std::uint32_t> out;
  for (const auto& e : m_entries) out.push_back(e.pgn);
  return out;
}

std::vector<std::uint32_t> DecodePlan::slot_pgns() const {
  std::vector<std::uint32_t> out(m_wanted_count, 0);
  for (const auto& e : m_entries)
    for (std::size_t i = e.first; i < static_cast<std::size_t>(e.first) + e.count; ++i) out[m_fields[i].slot] = e.pgn;
  return out;
}

}  // namespace lc::dbc
