// tsfresh reference values for the feature parity tests (test support, not part of the library).
//
// Reads /work/shared/data/tsfresh/{series.json,reference.json} (format: that folder's README.md):
//   series.json     {"series": [{"id": "constant_n5", "values": [2.5, ...]}, ...]}
//   reference.json  {"feature_names": ["value__sum_values", ...],
//                    "values": {"constant_n5": {"value__sum_values": 12.5, ...}, ...}}
// In reference.json a NaN is `null` and infinities are the strings "inf" / "-inf".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace lc::features::test {

struct TsfreshSeries {
  std::string id;              // "<kind>_n<length>", e.g. "random_walk_n300"
  std::vector<double> values;  // exact doubles as tsfresh saw them
};

struct TsfreshReference {
  std::vector<TsfreshSeries> series;       // in series.json order
  std::vector<std::string> feature_names;  // tsfresh column order, all 777, each "value__..."
  // values[s][f]: tsfresh's value of feature_names[f] on series[s]; NaN where tsfresh gave NaN.
  std::vector<std::vector<double>> values;

  // Index into feature_names, or nullopt if tsfresh has no such feature.
  std::optional<std::size_t> feature_index(std::string_view name) const;
  // The series with this id, or nullptr.
  const TsfreshSeries* find_series(std::string_view id) const;
};

// Loads both files from `dir` (with trailing '/'). Returns a BadInput error naming the file and the field
// when a file is missing, is not JSON, or lacks a series/feature the other file names.
Expected<TsfreshReference> load_tsfresh_reference(const std::string& dir);

// The reference from LC_SHARED_DIR "/data/tsfresh/", loaded once per test binary. Returns nullptr (and
// keeps the error in `*error` if given) when loading failed, so a test can FAIL with the message.
const TsfreshReference* shared_tsfresh_reference(std::string* error = nullptr);

}  // namespace lc::features::test
