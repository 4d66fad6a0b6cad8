#include "signals/engine_signals.h"

#include "dbc/dbc.h"

namespace lc {

std::optional<std::size_t> signal_index(std::string_view name) {
  for (std::size_t i = 0; i < kSignalCount; ++i)
    if (kEngineSignals[i].name == name) return i;
  return std::nullopt;
}

Expected<dbc::DecodePlan> default_decode_plan(std::uint8_t source_address) {
  LC_TRY(db, dbc::parse_dbc(default_dbc_text(), std::string(kDefaultDbcName)));
  return dbc::DecodePlan::compile(db, kEngineSignals, source_address, std::string(kDefaultDbcName));
}

Expected<dbc::DecodePlan> decode_plan_from_file(const std::string& path, std::uint8_t source_address) {
  LC_TRY(db, dbc::read_dbc_file(path));
  return dbc::DecodePlan::compile(db, kEngineSignals, source_address, path);
}

}  // namespace lc
