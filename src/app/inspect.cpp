#include "app/inspect.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "can/j1939.h"

namespace lc::app {

Expected<InspectReport> inspect_log(const std::string& log, const dbc::DecodePlan& plan, bool strict) {
  InspectReport r;
  r.log = log;
  r.signals_not_in_dbc = plan.missing();
  std::unordered_map<std::uint32_t, PgnStats> pgns;
  std::vector<dbc::DecodedValue> values(plan.max_values_per_frame() + 1);
  bool first = true;
  can::ReadOptions opt;
  opt.strict = strict;
  auto st = can::read_candump_file(
      log,
      [&](const can::Frame& f) {
        ++r.frames;
        const double t = static_cast<double>(f.time_ns) * 1e-9;
        if (first) r.first_time_s = t;
        first = false;
        r.last_time_s = t;
        const dbc::FrameResult res = plan.decode(f, values.data());
        if (f.extended && !f.error && !f.remote) {
          const can::J1939Id id = can::decode_j1939_id(f.id);
          PgnStats& ps = pgns[id.pgn];
          ps.pgn = id.pgn;
          ++ps.frames;
          ++ps.sources[id.source];
        }
        switch (res.outcome) {
          case dbc::FrameOutcome::Decoded: ++r.decoded; break;
          case dbc::FrameOutcome::Standard: ++r.ignored_standard; break;
          case dbc::FrameOutcome::NotData: ++r.ignored_not_data; break;
          case dbc::FrameOutcome::UnknownPgn: ++r.ignored_unknown_pgn; break;
          case dbc::FrameOutcome::OtherSource: ++r.ignored_other_source; break;
        }
        for (std::size_t i = 0; i < res.count; ++i) {
          SignalStats& s = r.signals[values[i].slot];
          const double v = values[i].value;
          if (std::isnan(v)) {
            ++s.missing;
            continue;
          }
          if (s.count == 0) s.min = s.max = v;
          s.min = std::min(s.min, v);
          s.max = std::max(s.max, v);
          s.sum += v;
          ++s.count;
        }
      },
      opt);
  if (!st) return st.error();
  r.read = *st;
  for (auto& [pgn, ps] : pgns) r.pgns.push_back(ps);
  std::sort(r.pgns.begin(), r.pgns.end(), [](const PgnStats& a, const PgnStats& b) {
    return a.frames != b.frames ? a.frames > b.frames : a.pgn < b.pgn;
  });
  return r;
}

nlohmann::json to_json(const InspectReport& r) {
  nlohmann::json j;
  j["log"] = r.log;
  j["frames"] = r.frames;
  j["lines"] = r.read.lines;
  j["decoded_frames"] = r.decoded;
  j["ignored"] = {{"standard_11bit", r.ignored_standard},
                  {"unknown_pgn", r.ignored_unknown_pgn},
                  {"other_source", r.ignored_other_source},
                  {"remote_or_error", r.ignored_not_data},
                  {"canfd", r.read.canfd_skipped},
                  {"bad_lines", r.read.bad_lines}};
  if (r.read.bad_lines) j["first_bad_line"] = r.read.first_bad_line;
  j["truncated_last_line"] = r.read.truncated_last_line;
  j["first_time_s"] = r.first_time_s;
  j["last_time_s"] = r.last_time_s;
  nlohmann::json pg = nlohmann::json::array();
  for (const auto& p : r.pgns) {
    nlohmann::json sources = nlohmann::json::object();
    for (const auto& [sa, n] : p.sources) {
      char key[8];
      std::snprintf(key, sizeof key, "0x%02X", sa);
      sources[key] = n;
    }
    pg.push_back({{"pgn", p.pgn}, {"frames", p.frames}, {"sources", sources}});
  }
  j["pgns"] = pg;
  nlohmann::json sig = nlohmann::json::object();
  for (std::size_t i = 0; i < kSignalCount; ++i) {
    const SignalStats& s = r.signals[i];
    nlohmann::json o = {{"count", s.count}, {"missing", s.missing}};
    if (s.count) {
      o["min"] = s.min;
      o["max"] = s.max;
      o["mean"] = s.mean();
    } else {
      o["min"] = nullptr;
      o["max"] = nullptr;
      o["mean"] = nullptr;
    }
    sig[std::string(kEngineSignals[i].name)] = o;
  }
  j["signals"] = sig;
  j["signals_not_in_dbc"] = r.signals_not_in_dbc;
  return j;
}

std::string to_text(const InspectReport& r, std::size_t top_pgns) {
  std::string o;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %llu frames in %.1f s (%llu lines)\n", r.log.c_str(),
                static_cast<unsigned long long>(r.frames), r.last_time_s - r.first_time_s,
                static_cast<unsigned long long>(r.read.lines));
  o += buf;
  std::snprintf(buf, sizeof buf,
                "  decoded %llu; ignored: 11-bit %llu, unknown PGN %llu, other source %llu, remote/error %llu, "
                "CAN FD %llu, bad lines %llu\n",
                static_cast<unsigned long long>(r.decoded), static_cast<unsigned long long>(r.ignored_standard),
                static_cast<unsigned long long>(r.ignored_unknown_pgn),
                static_cast<unsigned long long>(r.ignored_other_source),
                static_cast<unsigned long long>(r.ignored_not_data),
                static_cast<unsigned long long>(r.read.canfd_skipped),
                static_cast<unsigned long long>(r.read.bad_lines));
  o += buf;
  if (r.read.bad_lines) {
    std::snprintf(buf, sizeof buf, "  first bad line: %llu: %s\n", static_cast<unsigned long long>(r.read.first_bad_line),
                  r.read.first_bad_text.c_str());
    o += buf;
  }
  o += "  top PGNs (29-bit):\n";
  for (std::size_t i = 0; i < r.pgns.size() && i < top_pgns; ++i) {
    const auto& p = r.pgns[i];
    std::snprintf(buf, sizeof buf, "    %6u (0x%05X) %9llu frames, from", p.pgn, p.pgn,
                  static_cast<unsigned long long>(p.frames));
    o += buf;
    for (const auto& [sa, n] : p.sources) {
      std::snprintf(buf, sizeof buf, " 0x%02X", sa);
      o += buf;
    }
    o += "\n";
  }
  o += "  signal                          count   missing          min          max         mean\n";
  for (std::size_t i = 0; i < kSignalCount; ++i) {
    const SignalStats& s = r.signals[i];
    if (s.count)
      std::snprintf(buf, sizeof buf, "  %-28s %8llu %9llu %12.4f %12.4f %12.4f\n", std::string(kEngineSignals[i].name).c_str(),
                    static_cast<unsigned long long>(s.count), static_cast<unsigned long long>(s.missing), s.min, s.max,
                    s.mean());
    else
      std::snprintf(buf, sizeof buf, "  %-28s %8llu %9llu %12s %12s %12s\n", std::string(kEngineSignals[i].name).c_str(),
                    0ull, static_cast<unsigned long long>(s.missing), "-", "-", "-");
    o += buf;
  }
  for (const auto& m : r.signals_not_in_dbc) o += "  (not described by the DBC: " + m + ")\n";
  return o;
}

}  // namespace lc::app
