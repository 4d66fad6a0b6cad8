#include "can/j1939.h"

#include <gtest/gtest.h>

namespace lc::can {
namespace {

TEST(J1939Id, Pdu2BroadcastKeepsGroupExtensionInPgn) {
  const J1939Id j = decode_j1939_id(0x18FEDF00);
  EXPECT_EQ(j.priority, 6);
  EXPECT_EQ(j.pgn, 0xFEDFu);
  EXPECT_EQ(j.source, 0x00);
  EXPECT_EQ(j.destination, kGlobalAddress);
  EXPECT_FALSE(j.pdu1());
}

TEST(J1939Id, Eec1FromTheEngine) {
  const J1939Id j = decode_j1939_id(0x0CF00400);
  EXPECT_EQ(j.priority, 3);
  EXPECT_EQ(j.pgn, 61444u);
  EXPECT_EQ(j.source, 0x00);
}

TEST(J1939Id, Pdu1MasksTheDestinationOutOfThePgn) {
  // Request (PGN 0xEA00) from 0xF9 to 0x00: PS = 0x00 is the destination, not part of the PGN.
  const J1939Id j = decode_j1939_id(0x18EA00F9);
  EXPECT_EQ(j.pgn, 0xEA00u);
  EXPECT_EQ(j.destination, 0x00);
  EXPECT_EQ(j.source, 0xF9);
  EXPECT_TRUE(j.pdu1());
  // TP.CM to global
  const J1939Id tp = decode_j1939_id(0x1CECFF00);
  EXPECT_EQ(tp.pgn, 0xEC00u);
  EXPECT_EQ(tp.destination, 0xFF);
  EXPECT_EQ(tp.priority, 7);
}

TEST(J1939Id, DataPageAndExtendedDataPageArePartOfThePgn) {
  const J1939Id j = decode_j1939_id(0x19FEF100);  // DP = 1
  EXPECT_EQ(j.pgn, 0x1FEF1u);
  const J1939Id e = decode_j1939_id(0x1BF00400);  // EDP = 1, DP = 1
  EXPECT_EQ(e.pgn, 0x3F004u);
}

TEST(J1939Id, EncodeIsTheInverseOfDecode) {
  for (std::uint32_t id : {0x0CF00400u, 0x18FEDF00u, 0x18EA00F9u, 0x1CECFF00u, 0x19FEF1FEu, 0x0CF00203u}) {
    const J1939Id j = decode_j1939_id(id);
    EXPECT_EQ(encode_j1939_id(j.priority, j.pgn, j.source, j.destination), id) << std::hex << id;
  }
}

}  // namespace
}  // namespace lc::can
