// DBC files as J1939 tool chains write them (Vector's format), parsed into a plain data model.
//
// Supported statements: VERSION, NS_, BS_, BU_, BO_, SG_ (little endian "@1" and big endian "@0", signed "-"
// and unsigned "+", factor/offset, [min|max], unit, receivers, multiplexer indicators), CM_ (global, BU_, BO_,
// SG_, EV_), VAL_, BA_DEF_, BA_DEF_DEF_, BA_ (the J1939 "SPN" attribute on signals is resolved into
// Signal::spn), SIG_VALTYPE_ (IEEE float signals are recorded and refused by the decode plan). Other known
// section keywords (VAL_TABLE_, BO_TX_BU_, SIG_GROUP_, EV_, ...) are skipped up to their ';'.
//
// Example (can_dbc/j1939_engine.dbc):
//   BO_ 2364540158 EEC1: 8 Vector__XXX
//    SG_ engine_speed_rpm : 24|16@1+ (0.125,0) [0|8031.875] "rpm" Vector__XXX
//   BA_ "SPN" SG_ 2364540158 engine_speed_rpm 190;
//
// Errors are values naming "file:line" (exit 2 at the command line): an unknown keyword, a malformed SG_, a
// signal that does not fit its message, an SG_ before any BO_, a duplicate message id or signal name, a CM_/BA_/
// VAL_ that names a message or signal that does not exist, an unterminated string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/expected.h"

namespace lc::dbc {

enum class ByteOrder : std::uint8_t { BigEndian = 0, LittleEndian = 1 };  // DBC "@0" Motorola, "@1" Intel

struct Signal {
  std::string name;
  std::uint16_t start_bit = 0;  // LittleEndian: the LSB's bit; BigEndian: the MSB's bit (DBC sawtooth numbering)
  std::uint16_t length = 1;     // bits, 1..64
  ByteOrder order = ByteOrder::LittleEndian;
  bool is_signed = false;
  bool is_float = false;  // SIG_VALTYPE_ 1 or 2
  double factor = 1.0;
  double offset = 0.0;
  double minimum = 0.0;
  double maximum = 0.0;
  std::string unit;
  std::string mux;  // "" (plain), "M" (multiplexor) or "m<N>" (multiplexed by value N)
  std::vector<std::string> receivers;
  std::string comment;
  std::optional<std::uint32_t> spn;                       // from BA_ "SPN" SG_ ...
  std::vector<std::pair<std::int64_t, std::string>> values;  // VAL_ descriptions
  bool operator==(const Signal&) const = default;
};

struct Message {
  std::uint32_t id = 0;  // as written: bit 31 set means a 29-bit (extended) identifier
  std::string name;
  std::uint8_t dlc = 8;
  std::string transmitter;
  std::vector<Signal> signals;
  std::string comment;
  bool extended() const { return (id & 0x80000000u) != 0; }
  std::uint32_t can_id() const { return id & 0x1FFFFFFFu; }
  bool operator==(const Message&) const = default;
};

// BA_DEF_ [object] "name" TYPE args;   (args as written: numbers, or the ENUM values)
struct AttributeDef {
  std::string object;  // "", "BU_", "BO_", "SG_", "EV_"
  std::string name;
  std::string type;    // INT, HEX, FLOAT, STRING, ENUM
  std::vector<std::string> args;
  bool operator==(const AttributeDef&) const = default;
};

// A value as written: a quoted string (quoted = true, text without quotes) or a number's text.
struct AttributeValue {
  std::string text;
  bool quoted = false;
  bool operator==(const AttributeValue&) const = default;
};

// BA_ "name" [BU_ node | BO_ id | SG_ id signal | EV_ var] value;
struct Attribute {
  std::string name;
  std::string object;  // "", "BU_", "BO_", "SG_", "EV_"
  std::uint32_t message_id = 0;
  std::string object_name;  // node, signal or env var name
  AttributeValue value;
  bool operator==(const Attribute&) const = default;
};

struct Database {
  std::string version;
  std::vector<std::string> nodes;
  std::vector<Message> messages;
  std::string comment;  // global CM_ "..."
  std::vector<AttributeDef> attribute_defs;
  std::vector<std::pair<std::string, AttributeValue>> attribute_defaults;
  std::vector<Attribute> attributes;

  const Message* find_message(std::uint32_t id) const;
  bool operator==(const Database&) const = default;
};

// Parses DBC text; `name` (usually the path) is used in error messages.
Expected<Database> parse_dbc(std::string_view text, const std::string& name);
Expected<Database> read_dbc_file(const std::string& path);

// Prints a database as DBC text that parse_dbc reads back to an equal Database.
std::string print_dbc(const Database& db);

}  // namespace lc::dbc
