// Training copies of windows with one J1939 message lost (model.signal_loss_fraction), or with a bus gap
// (model.bus_gap_fraction).
//
// On a real bus a message can stop arriving for minutes (a loose connector, an ECU that stops sending one PGN):
// every signal it carries is then missing and the window's features of those signals are NaN (never imputed).
// XGBoost sends a NaN down each split's learned default branch, but learns those branches only from the few
// training windows that had the gap. On held-out simulated shifts with --faults, the engine's EEC1 (speed and
// torque) missing for 2-6 minutes cost up to four trips an hour. These copies teach the models to count from
// the signals that are left: each copies a training row and blanks the features of the signals of one message,
// in the window and in its context windows (a lost message stays lost for minutes).
//
// The draws hash (seed, file, row), so they do not depend on the order rows are gathered in, and the same
// seed gives the same copies on every platform.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lc::model {

class SignalLoss {
 public:
  // `signal_message`: the message (PGN) of each signal, 0 for a signal no message carries (it is left alone).
  // `feature_signal`: the signal of each selected feature, in model-input order; a model input row is
  // `blocks` blocks of those features (the window, then its context windows).
  SignalLoss(std::span<const std::uint32_t> signal_message, std::span<const std::size_t> feature_signal,
             std::size_t blocks);

  // The messages a copy can lose (sorted PGNs), and the input columns each one blanks.
  const std::vector<std::uint32_t>& messages() const { return m_messages; }
  const std::vector<std::size_t>& columns(std::size_t message) const { return m_columns[message]; }

  // Whether training row (file, row) gets a copy, with probability `fraction`, and which message it loses
  // (an index into messages(), uniform). -1: no copy.
  int draw(std::uint64_t seed, std::uint32_t file, std::uint32_t row, double fraction) const;

  // Blanks message `message`'s columns of `row` (one model input row).
  void apply(std::size_t message, std::span<float> row) const;

  // A bus gap: for 3-6 s no frame at all arrives (a connector, a bus-off), so every signal misses samples and a
  // window's features are all NaN, and so is that block of the context of the windows after it. Whether row
  // (file, row) gets such a copy, with probability `fraction` (a draw independent of draw()'s), and which block
  // it blanks (0: the window, i: its i-th context window; uniform). -1: no copy.
  int draw_gap(std::uint64_t seed, std::uint32_t file, std::uint32_t row, double fraction) const;
  // Blanks every column of block `block` of `row`.
  void blank_block(std::size_t block, std::span<float> row) const;

 private:
  std::vector<std::uint32_t> m_messages;
  std::vector<std::vector<std::size_t>> m_columns;
  std::size_t m_width = 0;
  std::size_t m_blocks = 0;
};

}  // namespace lc::model
