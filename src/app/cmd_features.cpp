// `loadercount features CSV [--json OUT]`: every tsfresh feature of each id's series, named as tsfresh names
// them with the column called `value` (value__quantile__q_0.1, ...). For data scientists checking parity.
//
// Input: CSV with the header `id,value`, rows in time order within each id (ids may interleave). A value that
// is not a number is an error naming the line (exit 2); "nan"/"NaN"/empty are refused too, because tsfresh
// does not accept missing values either.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "features/plan.h"
#include "util/file.h"

namespace lc::app {
namespace {

Expected<std::vector<std::pair<std::string, std::vector<double>>>> read_id_value_csv(const std::string& path) {
  LC_TRY(text, read_file(path));
  std::vector<std::pair<std::string, std::vector<double>>> series;
  std::map<std::string, std::size_t> index;
  std::size_t pos = 0;
  long line = 0;
  bool header = false;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view l(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty()) continue;
    if (!header) {
      if (l != "id,value") return Error::at(path, line, "expected the header 'id,value'");
      header = true;
      continue;
    }
    const std::size_t c = l.find(',');
    if (c == std::string_view::npos || l.find(',', c + 1) != std::string_view::npos)
      return Error::at(path, line, "expected two fields 'id,value'");
    const std::string id(l.substr(0, c));
    const std::string_view vs = l.substr(c + 1);
    double v = 0;
    const auto r = std::from_chars(vs.data(), vs.data() + vs.size(), v);
    if (vs.empty() || r.ec != std::errc() || r.ptr != vs.data() + vs.size() || !std::isfinite(v))
      return Error::at(path, line, "field 'value' is not a finite number: '" + std::string(vs) + "'");
    auto [it, fresh] = index.emplace(id, series.size());
    if (fresh) series.emplace_back(id, std::vector<double>{});
    series[it->second].second.push_back(v);
  }
  if (!header) return Error::at(path, 1, "empty file (expected the header 'id,value')");
  return series;
}

}  // namespace

void add_features_command(CLI::App& app, Runner& run) {
  struct Args {
    std::string csv, json;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("features", "tsfresh-named features of id,value series (tsfresh parity checks)");
  cmd->add_option("CSV", a->csv, "CSV with header id,value")->required();
  cmd->add_option("--json", a->json, "write {id: {feature: value}} to this file (NaN as null)");
  cmd->callback([&run, a] {
    run = [a]() -> int {
      auto series = read_id_value_csv(a->csv);
      if (!series) return report_error(series.error());
      std::size_t max_n = 1;
      for (const auto& s : *series) max_n = std::max(max_n, s.second.size());
      const features::FeatureSpace space({"value"});
      std::vector<std::string> names(space.names().begin(), space.names().end());
      auto plan = features::FeaturePlan::compile(space, names);
      if (!plan) return report_error(plan.error());
      features::Extractor ex(std::move(*plan), max_n);
      std::vector<double> out(space.size());
      nlohmann::ordered_json j;
      for (const auto& [id, x] : *series) {
        const std::span<const double> one[1] = {x};
        ex.extract_all(one, out);
        nlohmann::ordered_json o;
        for (std::size_t i = 0; i < out.size(); ++i)
          o[names[i]] = std::isfinite(out[i]) ? nlohmann::ordered_json(out[i]) : nlohmann::ordered_json(nullptr);
        j[id] = o;
      }
      const std::string text = j.dump(1) + "\n";
      if (a->json.empty()) {
        std::fputs(text.c_str(), stdout);
      } else {
        auto st = write_file_atomic(a->json, text);
        if (!st) return report_error(st.error());
        std::printf("%s: %zu series x %zu features\n", a->json.c_str(), series->size(), names.size());
      }
      return 0;
    };
  });
}

}  // namespace lc::app
