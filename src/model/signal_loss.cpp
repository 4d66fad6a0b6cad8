#include "model/signal_loss.h"

#include <algorithm>
#include <limits>

#include "util/fingerprint.h"

namespace lc::model {

SignalLoss::SignalLoss(std::span<const std::uint32_t> signal_message, std::span<const std::size_t> feature_signal,
                       std::size_t blocks)
    : m_width(feature_signal.size()), m_blocks(blocks) {
  for (std::uint32_t pgn : signal_message)
    if (pgn != 0) m_messages.push_back(pgn);
  std::sort(m_messages.begin(), m_messages.end());
  m_messages.erase(std::unique(m_messages.begin(), m_messages.end()), m_messages.end());
  m_columns.resize(m_messages.size());
  const std::size_t width = feature_signal.size();
  for (std::size_t f = 0; f < width; ++f) {
    const std::size_t s = feature_signal[f];
    if (s >= signal_message.size() || signal_message[s] == 0) continue;
    const auto m = static_cast<std::size_t>(
        std::lower_bound(m_messages.begin(), m_messages.end(), signal_message[s]) - m_messages.begin());
    for (std::size_t b = 0; b < blocks; ++b) m_columns[m].push_back(b * width + f);
  }
  for (auto& c : m_columns) std::sort(c.begin(), c.end());
}

int SignalLoss::draw(std::uint64_t seed, std::uint32_t file, std::uint32_t row, double fraction) const {
  if (m_messages.empty() || !(fraction > 0)) return -1;
  const std::uint64_t h = mix64(seed ^ mix64((static_cast<std::uint64_t>(file) << 32) | row));
  const double u = static_cast<double>(h >> 11) * 0x1.0p-53;  // uniform in [0, 1)
  if (u >= fraction) return -1;
  return static_cast<int>(mix64(h) % m_messages.size());
}

int SignalLoss::draw_gap(std::uint64_t seed, std::uint32_t file, std::uint32_t row, double fraction) const {
  if (m_blocks == 0 || !(fraction > 0)) return -1;
  constexpr std::uint64_t kGapSalt = 0x6275735f67617073ULL;  // "bus_gaps": a stream apart from draw()'s
  const std::uint64_t h = mix64(seed ^ kGapSalt ^ mix64((static_cast<std::uint64_t>(file) << 32) | row));
  const double u = static_cast<double>(h >> 11) * 0x1.0p-53;
  if (u >= fraction) return -1;
  return static_cast<int>(mix64(h) % m_blocks);
}

void SignalLoss::blank_block(std::size_t block, std::span<float> row) const {
  std::fill_n(row.begin() + static_cast<std::ptrdiff_t>(block * m_width), m_width, std::numeric_limits<float>::quiet_NaN());
}

void SignalLoss::apply(std::size_t message, std::span<float> row) const {
  for (std::size_t c : m_columns[message]) row[c] = std::numeric_limits<float>::quiet_NaN();
}

}  // namespace lc::model
