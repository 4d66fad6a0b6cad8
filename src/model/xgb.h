// The XGBoost boundary: the only file that includes <xgboost/c_api.h> (STYLE.md principle 6). The library is
// loaded on first use (dlopen of its soname), not linked: processes that only score with model/forest.h never
// load it. Without it installed, from_json() and train_softprob() return an Error saying so.
//
// Every C API call returns -1 on failure with the reason in XGBGetLastError(); here that becomes an Error
// naming what was being done. Handles are owned by move-only RAII types (XGBoosterFree / XGDMatrixFree).
// Prediction follows XGBoost's inference demo: in-place prediction from a dense row whose address is fixed at
// start-up (the array-interface JSON that describes it, and a proxy DMatrix over it, are made once), one
// thread, and the output copied out before the next call. XGBoost 1.7.4 needs "cache_id" and "missing" in the predict config (PLATFORM.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "util/expected.h"

namespace lc::model {

// XGBoost's version as "major.minor.patch".
std::string xgboost_version();

class Booster {
 public:
  Booster(Booster&&) noexcept;
  Booster& operator=(Booster&&) noexcept;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
  ~Booster();

  // Loads a model from XGBoost JSON text. `name` (the file) is used in errors. Prediction uses one thread.
  static Expected<Booster> from_json(const std::string& json, const std::string& name);

  // Serialises the model as XGBoost JSON (loadable by Python's xgboost.Booster(model_file=...)).
  Expected<std::string> to_json() const;

  std::size_t num_features() const { return m_num_features; }
  std::size_t num_classes() const { return m_num_classes; }
  int boosted_rounds() const;

  // Fixes the input row: `n` floats at `row` (NaN = missing). The address must stay valid while predicting.
  void bind_input(const float* row, std::size_t n);
  // Predicts the bound row; writes num_classes() probabilities to `out`. No allocation after the first call.
  Status predict_bound(std::span<float> out);

  // Predicts many rows (rows x num_features(), row-major) - for evaluation and tests. Returns rows x classes.
  Expected<std::vector<float>> predict_rows(std::span<const float> x, std::size_t rows) const;

 private:
  struct Handle;
  explicit Booster(std::unique_ptr<Handle> h);
  std::unique_ptr<Handle> m_h;
  std::size_t m_num_features = 0;
  std::size_t m_num_classes = 0;
  std::string m_input_interface;  // __array_interface__ JSON of the bound row
  std::size_t m_bound_n = 0;
};

struct TrainParams {
  int max_depth = 6;
  double eta = 0.1;
  int max_rounds = 400;
  int early_stopping_rounds = 25;  // stop when the validation mlogloss has not improved for this many rounds
  double min_child_weight = 1.0;
  double subsample = 1.0;           // 1.0 keeps training deterministic regardless of threads
  double colsample_bytree = 1.0;
  double lambda = 1.0;
  int nthread = 1;  // one thread: deterministic, and no OpenMP spin-waiting on a busy 2-core machine
  std::uint64_t seed = 0;
};

struct TrainResult {
  Booster booster;
  int best_rounds = 0;               // rounds kept (best validation iteration + 1)
  double best_valid_mlogloss = 0.0;  // NaN when there was no validation set
};

// Trains a multi:softprob model with `classes` classes on x (rows x cols, row-major, NaN = missing) and
// integer labels y in [0, classes). With a validation set, training stops early on its mlogloss and keeps the
// best rounds; without one, max_rounds are trained. Deterministic for the same inputs and params.
Expected<TrainResult> train_softprob(std::span<const float> x, std::span<const float> y, std::span<const float> weights,
                                     std::size_t cols, std::size_t classes, std::span<const float> valid_x,
                                     std::span<const float> valid_y, const TrainParams& params);

}  // namespace lc::model
