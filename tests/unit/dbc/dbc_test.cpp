#include "dbc/dbc.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <random>

#include "can/frame.h"
#include "can/j1939.h"
#include "dbc/decode_plan.h"
#include "util/file.h"

namespace lc::dbc {
namespace {

// Naive bit-by-bit oracle, written from the DBC definition rather than from the plan's word arithmetic.
// Intel (@1): bit i of the signal is payload bit start+i (byte = bit/8, bit-in-byte = bit%8).
// Motorola (@0): start is the MSB; walk towards the LSB: within a byte downwards, then to bit 7 of the next byte.
std::uint64_t oracle_raw(const std::uint8_t* d, unsigned start, unsigned len, ByteOrder order) {
  std::uint64_t raw = 0;
  if (order == ByteOrder::LittleEndian) {
    for (unsigned i = 0; i < len; ++i) {
      const unsigned bit = start + i;
      raw |= static_cast<std::uint64_t>((d[bit / 8] >> (bit % 8)) & 1u) << i;
    }
  } else {
    unsigned byte = start / 8, bit = start % 8;
    for (unsigned i = 0; i < len; ++i) {
      raw = (raw << 1) | ((d[byte] >> bit) & 1u);
      if (bit == 0) {
        bit = 7;
        ++byte;
      } else {
        --bit;
      }
    }
  }
  return raw;
}

// A random signal that fits in 8 bytes.
struct RandomSignal {
  unsigned start, len;
  ByteOrder order;
  bool is_signed;
};
RandomSignal random_signal(std::mt19937_64& rng) {
  RandomSignal s{};
  s.order = rng() % 2 ? ByteOrder::LittleEndian : ByteOrder::BigEndian;
  s.len = 1 + static_cast<unsigned>(rng() % 64);
  s.is_signed = rng() % 3 == 0;
  if (s.order == ByteOrder::LittleEndian) {
    s.start = static_cast<unsigned>(rng() % (64 - s.len + 1));
  } else {
    // Choose the MSB's linear position (sawtooth) so that msb_linear + len <= 64.
    const unsigned msb_linear = static_cast<unsigned>(rng() % (64 - s.len + 1));
    s.start = (msb_linear / 8) * 8 + (7 - msb_linear % 8);
  }
  return s;
}

TEST(DecodePlanOracle, ExtractRawMatchesBitByBitOracleOnRandomSignals) {
  const std::uint64_t seed = 190513;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20000; ++i) {
    const RandomSignal s = random_signal(rng);
    std::uint8_t d[8];
    for (auto& b : d) b = static_cast<std::uint8_t>(rng());
    ASSERT_EQ(DecodePlan::extract_raw(d, static_cast<std::uint16_t>(s.start), static_cast<std::uint16_t>(s.len), s.order),
              oracle_raw(d, s.start, s.len, s.order))
        << "case " << i << " start " << s.start << " len " << s.len << " order " << int(s.order);
  }
}

TEST(DecodePlanOracle, CompiledPlanDecodesRandomDbcSignalsLikeTheOracle) {
  const std::uint64_t seed = 61444;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 300; ++round) {
    // One message per round with up to 4 signals that may overlap (decoding is per signal).
    const std::uint32_t pgn = 0xFF00u + static_cast<std::uint32_t>(rng() % 256);
    const std::uint32_t id = 0x80000000u | can::encode_j1939_id(6, pgn, 0xFE);
    std::string text = "VERSION \"\"\nBO_ " + std::to_string(id) + " M: 8 X\n";
    std::vector<RandomSignal> sigs;
    std::vector<std::string> names;
    std::vector<double> factors, offsets;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k) {
      sigs.push_back(random_signal(rng));
      names.push_back("s" + std::to_string(k));
      factors.push_back(std::ldexp(1.0, static_cast<int>(rng() % 8) - 4));
      offsets.push_back(static_cast<double>(static_cast<int>(rng() % 200)) - 100.0);
      text += " SG_ " + names.back() + " : " + std::to_string(sigs.back().start) + "|" + std::to_string(sigs.back().len) +
              "@" + (sigs.back().order == ByteOrder::LittleEndian ? "1" : "0") + (sigs.back().is_signed ? "-" : "+") +
              " (" + std::to_string(factors.back()) + "," + std::to_string(offsets.back()) + ") [0|0] \"\" X\n";
    }
    auto db = parse_dbc(text, "random.dbc");
    ASSERT_TRUE(db) << db.error().message << "\n" << text;
    std::vector<WantedSignal> wanted;
    for (int k = 0; k < n; ++k) wanted.push_back({names[static_cast<std::size_t>(k)], 0});
    auto plan = DecodePlan::compile(*db, wanted, 0x00, "random.dbc");
    ASSERT_TRUE(plan) << plan.error().message;
    for (int f = 0; f < 20; ++f) {
      can::Frame fr;
      fr.extended = true;
      fr.id = can::encode_j1939_id(6, pgn, 0x00);  // the engine sends it, the DBC says 0xFE
      fr.dlc = 8;
      for (auto& b : fr.data) b = static_cast<std::uint8_t>(rng());
      std::vector<DecodedValue> out(plan->max_values_per_frame());
      const FrameResult r = plan->decode(fr, out.data());
      ASSERT_EQ(r.outcome, FrameOutcome::Decoded);
      ASSERT_EQ(r.count, n);
      for (int k = 0; k < r.count; ++k) {
        const DecodedValue& dv = out[static_cast<std::size_t>(k)];
        const RandomSignal& s = sigs[dv.slot];
        std::uint64_t raw = oracle_raw(fr.data.data(), s.start, s.len, s.order);
        double expect;
        const std::uint64_t all_ones = s.len >= 64 ? ~0ull : ((1ull << s.len) - 1);
        const bool na = !s.is_signed && ((s.len == 8 && raw > 0xFA) || (s.len == 16 && raw > 0xFAFF) ||
                                         (s.len == 32 && raw > 0xFAFFFFFFull) ||
                                         (s.len >= 2 && s.len != 8 && s.len != 16 && s.len != 32 && raw > all_ones - 2));
        if (na) {
          expect = NAN;
        } else if (s.is_signed && s.len < 64 && (raw >> (s.len - 1)) & 1u) {
          expect = static_cast<double>(static_cast<std::int64_t>(raw) - static_cast<std::int64_t>(1ull << (s.len - 1)) * 2);
        } else {
          expect = s.is_signed ? static_cast<double>(static_cast<std::int64_t>(raw)) : static_cast<double>(raw);
        }
        if (!na) expect = expect * factors[dv.slot] + offsets[dv.slot];
        if (std::isnan(expect)) {
          EXPECT_TRUE(std::isnan(dv.value)) << "round " << round << " signal " << dv.slot;
        } else {
          EXPECT_EQ(dv.value, expect) << "round " << round << " signal " << dv.slot << " raw " << raw;
        }
      }
      // A short frame: what lies past its DLC is never read. The same DLC with those bytes zero and with them
      // random must decode alike (each signal the same value, or NaN when it does not fit).
      can::Frame short_zero = fr;
      short_zero.dlc = static_cast<std::uint8_t>(rng() % 8);
      for (std::size_t b = short_zero.dlc; b < 8; ++b) short_zero.data[b] = 0;
      std::vector<DecodedValue> with_zero(out.size()), with_garbage(out.size());
      plan->decode(short_zero, with_zero.data());
      can::Frame short_garbage = short_zero;
      for (std::size_t b = short_zero.dlc; b < 8; ++b) short_garbage.data[b] = static_cast<std::uint8_t>(rng() | 1u);
      plan->decode(short_garbage, with_garbage.data());
      for (std::size_t k = 0; k < static_cast<std::size_t>(r.count); ++k) {
        EXPECT_EQ(with_zero[k].slot, with_garbage[k].slot);
        EXPECT_EQ(std::bit_cast<std::uint64_t>(with_zero[k].value), std::bit_cast<std::uint64_t>(with_garbage[k].value))
            << "round " << round << " dlc " << int{short_zero.dlc} << " signal " << with_zero[k].slot;
      }
    }
  }
}

TEST(DecodePlan, J1939NotAvailableAndErrorRangesAreMissingNotNumbers) {
  auto db = parse_dbc(
      "BO_ 2364539904 EEC1: 8 E\n SG_ torque : 16|8@1+ (1,-125) [-125|125] \"%\" X\n"
      " SG_ rpm : 24|16@1+ (0.125,0) [0|8031.875] \"rpm\" X\n",
      "t.dbc");
  ASSERT_TRUE(db);
  const WantedSignal wanted[] = {{"rpm", 0}, {"torque", 0}};
  auto plan = DecodePlan::compile(*db, wanted, 0x00, "t.dbc");
  ASSERT_TRUE(plan);
  can::Frame f;
  f.extended = true;
  f.id = 0x0CF00400;
  f.dlc = 8;
  DecodedValue out[2];
  auto value_of = [&](std::uint16_t slot) {
    for (auto& v : out)
      if (v.slot == slot) return v.value;
    return -1.0;
  };
  f.data = {0xFF, 0xFF, 0xFA, 0xFF, 0xFA, 0xFF, 0xFF, 0xFF};  // torque raw 0xFA valid; rpm 0xFAFF valid
  plan->decode(f, out);
  EXPECT_EQ(value_of(1), 250.0 - 125.0);
  EXPECT_EQ(value_of(0), 0xFAFF * 0.125);
  f.data = {0xFF, 0xFF, 0xFE, 0x00, 0xFE, 0xFF, 0xFF, 0xFF};  // error codes
  plan->decode(f, out);
  EXPECT_TRUE(std::isnan(value_of(0)));
  EXPECT_TRUE(std::isnan(value_of(1)));
  f.data = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};  // not available
  plan->decode(f, out);
  EXPECT_TRUE(std::isnan(value_of(0)));
  EXPECT_TRUE(std::isnan(value_of(1)));
  f.dlc = 4;  // too short for rpm (bytes 4-5), long enough for torque
  f.data = {0xFF, 0xFF, 0x7D, 0x00, 0x00, 0x00, 0x00, 0x00};
  plan->decode(f, out);
  EXPECT_EQ(value_of(1), 0.0);
  EXPECT_TRUE(std::isnan(value_of(0)));
}

TEST(DecodePlan, MatchesOnPgnAndConfiguredSourceNotOnTheWholeId) {
  auto db = read_dbc_file(std::string(LC_SHARED_DIR) + "/data/real/css_j1939_demo.dbc");
  ASSERT_TRUE(db) << db.error().message;
  const WantedSignal wanted[] = {{"engine_speed_rpm", 190}};
  auto plan = DecodePlan::compile(*db, wanted, 0x00, "css_j1939_demo.dbc");
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(plan->missing().empty());
  // The DBC's id is 0x8CF004FE (SA 0xFE); the engine sends 0x0CF00400.
  can::Frame f;
  f.extended = true;
  f.id = 0x0CF00400;
  f.dlc = 8;
  f.data = {0xF0, 0x7D, 0x9A, 0x40, 0x1F, 0x00, 0xFF, 0x7D};
  DecodedValue out[1];
  FrameResult r = plan->decode(f, out);
  ASSERT_EQ(r.outcome, FrameOutcome::Decoded);
  EXPECT_EQ(out[0].value, 0x1F40 * 0.125);
  f.id = 0x0CF004FE;  // the same PGN from another source is not the engine
  r = plan->decode(f, out);
  EXPECT_EQ(r.outcome, FrameOutcome::OtherSource);
  f.id = 0x0CF00300;
  EXPECT_EQ(plan->decode(f, out).outcome, FrameOutcome::UnknownPgn);
  f.extended = false;
  f.id = 0x123;
  EXPECT_EQ(plan->decode(f, out).outcome, FrameOutcome::Standard);
}

TEST(Dbc, ParsesTheShippedEngineDbcWithAllTenSpns) {
  auto db = read_dbc_file(std::string(LC_TEST_DATA_DIR) + "/../../can_dbc/j1939_engine.dbc");
  ASSERT_TRUE(db) << db.error().message;
  int with_spn = 0;
  for (const auto& m : db->messages)
    for (const auto& s : m.signals) with_spn += s.spn.has_value();
  EXPECT_EQ(with_spn, 10);
}

// Training blanks the signals of one lost message together (model/signal_loss.h): the plan must say which
// PGN carries each wanted signal, and 0 for one the DBC lacks.
TEST(DecodePlan, SlotPgnsGiveTheMessageOfEachWantedSignal) {
  auto db = read_dbc_file(std::string(LC_TEST_DATA_DIR) + "/../../can_dbc/j1939_engine.dbc");
  ASSERT_TRUE(db) << db.error().message;
  const std::vector<WantedSignal> wanted = {
      {"engine_speed_rpm", 190}, {"accel_pedal_pct", 91}, {"no_such_sensor", 99999}, {"actual_torque_pct", 513}};
  auto plan = DecodePlan::compile(*db, wanted, 0x00, "j1939_engine.dbc");
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->slot_pgns(), (std::vector<std::uint32_t>{0xF004, 0xF003, 0, 0xF004}));
}

TEST(Dbc, PrintThenParseGivesTheSameDatabase) {
  for (const std::string& path : {std::string(LC_SHARED_DIR) + "/data/real/css_j1939_demo.dbc",
                                 std::string(LC_TEST_DATA_DIR) + "/../../can_dbc/j1939_engine.dbc"}) {
    auto db = read_dbc_file(path);
    ASSERT_TRUE(db) << db.error().message;
    const std::string printed = print_dbc(*db);
    auto again = parse_dbc(printed, "printed");
    ASSERT_TRUE(again) << again.error().message << "\n" << printed;
    EXPECT_EQ(*again, *db) << path;
    EXPECT_EQ(print_dbc(*again), printed);
  }
}

// Fuzz finding (tests/fuzz/regressions/dbc/bo_without_transmitter): a BO_ without a transmitter used to be
// printed with Vector__XXX, so print -> parse changed the database.
TEST(Dbc, MessageWithoutTransmitterRoundTrips) {
  auto db = parse_dbc("BO_ 1 S:4", "f.dbc");
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db->messages[0].transmitter, "");
  auto again = parse_dbc(print_dbc(*db), "p");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, *db);
}

TEST(Dbc, ValuesCommentsBigEndianAndSignedSignals) {
  const char* text =
      "VERSION \"x\"\n"
      "BO_ 2566844160 MSG: 8 E\n"
      " SG_ mode M : 0|2@1+ (1,0) [0|3] \"\" X\n"
      " SG_ temp : 15|12@0- (0.5,-10) [-100|100] \"degC\" A,B\n"
      "CM_ SG_ 2566844160 temp \"a \\\"quoted\\\" comment\nover two lines\";\n"
      "VAL_ 2566844160 mode 0 \"off\" 1 \"on\" 3 \"n/a\" ;\n";
  auto db = parse_dbc(text, "v.dbc");
  ASSERT_TRUE(db) << db.error().message;
  const Signal& temp = db->messages[0].signals[1];
  EXPECT_EQ(temp.order, ByteOrder::BigEndian);
  EXPECT_TRUE(temp.is_signed);
  EXPECT_EQ(temp.receivers, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(temp.comment, "a \"quoted\" comment\nover two lines");
  EXPECT_EQ(db->messages[0].signals[0].mux, "M");
  EXPECT_EQ(db->messages[0].signals[0].values.size(), 3u);
  auto again = parse_dbc(print_dbc(*db), "p");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, *db);
}

struct BadCase {
  const char* text;
  int line;
  const char* needle;
};

TEST(Dbc, ErrorsNameFileAndLine) {
  const BadCase cases[] = {
      {"VERSION \"\"\n\nFOO_ 1 2\n", 3, "unknown keyword 'FOO_'"},
      {"SG_ a : 0|8@1+ (1,0) [0|1] \"\" X\n", 1, "SG_ before any BO_"},
      {"BO_ 100 M: 8 X\n SG_ a : 0|8@2+ (1,0) [0|1] \"\" X\n", 2, "byte order"},
      {"BO_ 100 M: 8 X\n SG_ a : 60|8@1+ (1,0) [0|1] \"\" X\n", 2, "do not fit"},
      {"BO_ 100 M: 2 X\n SG_ a : 8|16@1+ (1,0) [0|1] \"\" X\n", 2, "do not fit"},
      {"BO_ 100 M: 8 X\n SG_ a : 0|8@1+ (1,0 [0|1] \"\" X\n", 2, "expected ')'"},
      {"BO_ 100 M: 8 X\n SG_ a : 0|8@1+ (1,0) [0|1] \"\" X\n SG_ a : 8|8@1+ (1,0) [0|1] \"\" X\n", 3, "duplicate signal"},
      {"BO_ 100 M: 8 X\nBO_ 100 N: 8 X\n", 2, "duplicate message id"},
      {"BO_ 100 M: 8 X\nCM_ SG_ 100 nope \"x\";\n", 2, "does not have"},
      {"BO_ 100 M: 8 X\nBA_ \"SPN\" SG_ 101 a 190;\n", 2, "no BO_ defines"},
      {"BO_ 100 M: 8 X\nCM_ BO_ 100 \"unterminated;\n", 2, "unterminated string"},
      {"BO_ 100 M: 8 X\n SG_ a : 0|8@1+ (1,0) [0|1] \"\" X\nBA_ \"SPN\" SG_ 100 a abc;\n", 3, "not an SPN"},
      {"BO_ 100 M: 8 X\n SG_ a : 0|0@1+ (1,0) [0|1] \"\" X\n", 2, "length 0"},
  };
  for (const auto& c : cases) {
    auto db = parse_dbc(c.text, "bad.dbc");
    ASSERT_FALSE(db) << c.text;
    EXPECT_EQ(db.error().exit_code(), 2);
    const std::string want = "bad.dbc:" + std::to_string(c.line) + ":";
    EXPECT_EQ(db.error().message.rfind(want, 0), 0u) << db.error().message << " (wanted " << want << ")";
    EXPECT_NE(db.error().message.find(c.needle), std::string::npos) << db.error().message;
  }
}

TEST(DecodePlan, RefusesFloatAndAmbiguousWantedSignals) {
  auto db = parse_dbc(
      "BO_ 2364539904 A: 8 E\n SG_ x : 0|32@1+ (1,0) [0|1] \"\" X\n"
      "BO_ 2364539648 B: 8 E\n SG_ y : 0|8@1+ (1,0) [0|1] \"\" X\n SG_ z : 8|8@1+ (1,0) [0|1] \"\" X\n"
      "BA_ \"SPN\" SG_ 2364539648 y 7;\nBA_ \"SPN\" SG_ 2364539648 z 7;\n"
      "SIG_VALTYPE_ 2364539904 x : 1;\n",
      "f.dbc");
  ASSERT_TRUE(db) << db.error().message;
  const WantedSignal want_x[] = {{"x", 0}};
  EXPECT_FALSE(DecodePlan::compile(*db, want_x, 0, "f.dbc"));
  const WantedSignal want_spn7[] = {{"seven", 7}};
  auto p = DecodePlan::compile(*db, want_spn7, 0, "f.dbc");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("described twice"), std::string::npos);
}

}  // namespace
}  // namespace lc::dbc
