// Training copies with one J1939 message lost, or with a bus gap (model/signal_loss.h): which input columns a
// copy blanks, and how often and which messages or blocks the copies draw.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "model/signal_loss.h"

namespace lc::model {
namespace {

// Signals 0 and 1 travel in message 0xF004, signal 2 in 0xF003; signal 3 has no message (the DBC lacks it).
const std::vector<std::uint32_t> kSignalMessage = {0xF004, 0xF004, 0xF003, 0};
// Five selected features of signals 0, 2, 1, 3, 2; two blocks (the window and one context window).
const std::vector<std::size_t> kFeatureSignal = {0, 2, 1, 3, 2};

TEST(SignalLoss, ALostMessageBlanksItsSignalsInEveryBlockAndNothingElse) {
  const SignalLoss loss(kSignalMessage, kFeatureSignal, 2);
  ASSERT_EQ(loss.messages(), (std::vector<std::uint32_t>{0xF003, 0xF004}));
  EXPECT_EQ(loss.columns(0), (std::vector<std::size_t>{1, 4, 6, 9}));  // signal 2's features, both blocks
  EXPECT_EQ(loss.columns(1), (std::vector<std::size_t>{0, 2, 5, 7}));  // signals 0 and 1
  for (std::size_t m = 0; m < 2; ++m) {
    std::vector<float> row(10);
    for (std::size_t i = 0; i < row.size(); ++i) row[i] = static_cast<float>(i + 1);
    loss.apply(m, row);
    for (std::size_t i = 0; i < row.size(); ++i) {
      const bool blanked = std::find(loss.columns(m).begin(), loss.columns(m).end(), i) != loss.columns(m).end();
      EXPECT_EQ(std::isnan(row[i]), blanked) << "message " << m << " column " << i;
      if (!blanked) {
        EXPECT_EQ(row[i], static_cast<float>(i + 1));
      }
    }
    // Signal 3 (no message) is never blanked: columns 3 and 8.
    EXPECT_FALSE(std::isnan(row[3]) || std::isnan(row[8]));
  }
}

TEST(SignalLoss, CopiesComeAtTheAskedRateWithEveryMessageAlikeAndRepeatably) {
  const SignalLoss loss(kSignalMessage, kFeatureSignal, 2);
  constexpr std::uint32_t kRows = 20000;
  for (double fraction : {0.0, 0.25, 1.0}) {
    std::size_t copies = 0;
    std::vector<std::size_t> per(2, 0);
    for (std::uint32_t file = 0; file < 2; ++file)
      for (std::uint32_t r = 0; r < kRows / 2; ++r) {
        const int m = loss.draw(7, file, r, fraction);
        EXPECT_EQ(m, loss.draw(7, file, r, fraction));  // a function of (seed, file, row) only
        if (m < 0) continue;
        ASSERT_LT(m, 2);
        ++copies;
        ++per[static_cast<std::size_t>(m)];
      }
    EXPECT_NEAR(static_cast<double>(copies) / kRows, fraction, 0.015) << fraction;
    if (copies > 0) {
      for (std::size_t n : per) EXPECT_NEAR(static_cast<double>(n) / static_cast<double>(copies), 0.5, 0.03);
    }
  }
  // Another seed draws other rows.
  std::size_t same = 0, either = 0;
  for (std::uint32_t r = 0; r < kRows; ++r) {
    const bool a = loss.draw(7, 0, r, 0.25) >= 0, b = loss.draw(8, 0, r, 0.25) >= 0;
    same += a && b;
    either += a || b;
  }
  EXPECT_LT(static_cast<double>(same) / static_cast<double>(either), 0.25);
}

TEST(SignalLoss, ABusGapBlanksOneWholeBlock) {
  const SignalLoss loss(kSignalMessage, kFeatureSignal, 2);
  for (std::size_t block = 0; block < 2; ++block) {
    std::vector<float> row(10);
    for (std::size_t i = 0; i < row.size(); ++i) row[i] = static_cast<float>(i + 1);
    loss.blank_block(block, row);
    for (std::size_t i = 0; i < row.size(); ++i) {
      // Every feature of the block, also signal 3's, which no message carries: a gap silences the whole bus.
      const bool blanked = i / kFeatureSignal.size() == block;
      EXPECT_EQ(std::isnan(row[i]), blanked) << "block " << block << " column " << i;
      if (!blanked) {
        EXPECT_EQ(row[i], static_cast<float>(i + 1));
      }
    }
  }
}

TEST(SignalLoss, GapCopiesComeAtTheAskedRateOverEveryBlockApartFromMessageLoss) {
  const SignalLoss loss(kSignalMessage, kFeatureSignal, 4);
  constexpr std::uint32_t kRows = 20000;
  for (double fraction : {0.0, 0.25, 1.0}) {
    std::size_t copies = 0;
    std::vector<std::size_t> per(4, 0);
    for (std::uint32_t r = 0; r < kRows; ++r) {
      const int b = loss.draw_gap(7, 1, r, fraction);
      EXPECT_EQ(b, loss.draw_gap(7, 1, r, fraction));
      if (b < 0) continue;
      ASSERT_LT(b, 4);
      ++copies;
      ++per[static_cast<std::size_t>(b)];
    }
    EXPECT_NEAR(static_cast<double>(copies) / kRows, fraction, 0.015) << fraction;
    if (copies > 0) {
      for (std::size_t n : per) EXPECT_NEAR(static_cast<double>(n) / static_cast<double>(copies), 0.25, 0.03);
    }
  }
  // The rows that get a gap copy are not those that get a message-loss copy (same seed): about a quarter of the
  // one set is in the other, as for independent draws, not all of it.
  std::size_t both = 0, gaps = 0;
  for (std::uint32_t r = 0; r < kRows; ++r) {
    const bool g = loss.draw_gap(7, 0, r, 0.25) >= 0, m = loss.draw(7, 0, r, 0.25) >= 0;
    gaps += g;
    both += g && m;
  }
  EXPECT_NEAR(static_cast<double>(both) / static_cast<double>(gaps), 0.25, 0.03);
}

TEST(SignalLoss, NoMessageNoCopies) {
  const std::vector<std::uint32_t> none = {0, 0, 0, 0};
  const SignalLoss loss(none, kFeatureSignal, 2);
  EXPECT_TRUE(loss.messages().empty());
  for (std::uint32_t r = 0; r < 100; ++r) EXPECT_EQ(loss.draw(0, 0, r, 1.0), -1);
}

}  // namespace
}  // namespace lc::model
