// libFuzzer target for the DBC parser and the decode plan (src/dbc/dbc.h, src/dbc/decode_plan.h).
//
// Properties checked on every input, besides "no crash, no sanitizer report":
//   1. parse_dbc returns a Database or an Error; it never throws (an escaping exception aborts the run).
//   2. Round trip (dbc.h): a text that parses, printed with print_dbc and parsed again, gives an equal Database.
//   3. A parsed database compiles into a DecodePlan for all its signals (or returns an Error), and decoding a
//      frame for each of its messages, with payload bytes taken from the input, writes at most
//      max_values_per_frame() values, each into a valid slot.
// A violated property calls __builtin_trap() so libFuzzer stores the input as a crash reproducer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "can/frame.h"
#include "dbc/dbc.h"
#include "dbc/decode_plan.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_dbc: %s\n", what);
  __builtin_trap();
}

void check_plan(const lc::dbc::Database& db, const std::uint8_t* data, std::size_t size) {
  std::vector<lc::dbc::WantedSignal> wanted;
  for (const auto& m : db.messages)
    for (const auto& s : m.signals) wanted.push_back({s.name, s.spn.value_or(0)});
  if (wanted.empty() || wanted.size() > 0xFFFF) return;
  // J1939 source address from the input, so plans for other sources are exercised too.
  const std::uint8_t source = size > 0 ? data[size - 1] : 0;
  auto plan = lc::dbc::DecodePlan::compile(db, wanted, source, "fuzz.dbc");
  if (!plan) return;
  std::vector<lc::dbc::DecodedValue> out(plan->max_values_per_frame() + 1);
  std::size_t pos = 0;
  for (const auto& m : db.messages) {
    lc::can::Frame f;
    f.id = m.can_id();
    f.extended = m.extended();
    f.dlc = m.dlc > 8 ? 8 : m.dlc;
    for (std::size_t i = 0; i < f.dlc && size > 0; ++i) f.data[i] = data[pos++ % size];
    const auto result = plan->decode(f, out.data());
    if (result.count > plan->max_values_per_frame()) fail("decode wrote more than max_values_per_frame()");
    for (std::size_t i = 0; i < result.count; ++i)
      if (out[i].slot >= plan->wanted_count()) fail("decode wrote a slot outside the wanted list");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto db = lc::dbc::parse_dbc(text, "fuzz.dbc");
  if (!db) {
    if (db.error().message.empty()) fail("parse_dbc returned an Error without a message");
    return 0;
  }
  const std::string printed = lc::dbc::print_dbc(*db);
  auto again = lc::dbc::parse_dbc(printed, "printed.dbc");
  if (!again) {
    std::fprintf(stderr, "fuzz_dbc: printed text does not parse: %s\n--- printed ---\n%s\n---\n",
                 again.error().message.c_str(), printed.c_str());
    fail("round trip: print_dbc output refused by parse_dbc");
  }
  if (!(*again == *db)) {
    std::fprintf(stderr, "--- printed ---\n%s\n---\n", printed.c_str());
    fail("round trip: parse(print(db)) != db");
  }
  check_plan(*db, data, size);
  return 0;
}
