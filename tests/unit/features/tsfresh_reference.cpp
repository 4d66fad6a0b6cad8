#include "tsfresh_reference.h"

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

namespace lc::features::test {
namespace {

Expected<nlohmann::json> read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::bad_input(path + ": cannot open");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error::bad_input(path + ": not valid JSON");
  return j;
}

// null -> NaN, "inf"/"-inf" -> +-inf, numbers as they are; anything else is an error (nullopt).
std::optional<double> to_double(const nlohmann::json& v) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> TsfreshReference::feature_index(std::string_view name) const {
  for (std::size_t i = 0; i < feature_names.size(); ++i) {
    if (feature_names[i] == name) return i;
  }
  return std::nullopt;
}

const TsfreshSeries* TsfreshReference::find_series(std::string_view id) const {
  for (const auto& s : series) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

Expected<TsfreshReference> load_tsfresh_reference(const std::string& dir) {
  const std::string series_path = dir + "series.json";
  const std::string ref_path = dir + "reference.json";
  LC_TRY(sj, read_json(series_path));
  LC_TRY(rj, read_json(ref_path));

  TsfreshReference ref;
  if (!sj.contains("series") || !sj["series"].is_array()) {
    return Error::bad_input(series_path + ": field 'series' missing or not an array");
  }
  for (const auto& s : sj["series"]) {
    if (!s.contains("id") || !s["id"].is_string() || !s.contains("values") || !s["values"].is_array()) {
      return Error::bad_input(series_path + ": a series lacks 'id' or 'values'");
    }
    TsfreshSeries out{s["id"].get<std::string>(), {}};
    for (const auto& v : s["values"]) {
      auto d = to_double(v);
      if (!d) return Error::bad_input(series_path + ": series '" + out.id + "': value is not a number");
      out.values.push_back(*d);
    }
    ref.series.push_back(std::move(out));
  }

  if (!rj.contains("feature_names") || !rj["feature_names"].is_array()) {
    return Error::bad_input(ref_path + ": field 'feature_names' missing or not an array");
  }
  for (const auto& n : rj["feature_names"]) ref.feature_names.push_back(n.get<std::string>());
  if (!rj.contains("values") || !rj["values"].is_object()) {
    return Error::bad_input(ref_path + ": field 'values' missing or not an object");
  }
  const auto& values = rj["values"];
  for (const auto& s : ref.series) {
    if (!values.contains(s.id)) return Error::bad_input(ref_path + ": values['" + s.id + "'] missing");
    const auto& row_json = values[s.id];
    std::vector<double> row;
    row.reserve(ref.feature_names.size());
    for (const auto& name : ref.feature_names) {
      if (!row_json.contains(name)) {
        return Error::bad_input(ref_path + ": values['" + s.id + "']['" + name + "'] missing");
      }
      auto d = to_double(row_json[name]);
      if (!d) return Error::bad_input(ref_path + ": values['" + s.id + "']['" + name + "'] is not a number");
      row.push_back(*d);
    }
    ref.values.push_back(std::move(row));
  }
  return ref;
}

const TsfreshReference* shared_tsfresh_reference(std::string* error) {
  static const Expected<TsfreshReference> kRef = load_tsfresh_reference(LC_SHARED_DIR "/data/tsfresh/");
  if (!kRef) {
    if (error) *error = kRef.error().message;
    return nullptr;
  }
  return &kRef.value();
}

}  // namespace lc::features::test
