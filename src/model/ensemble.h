// Ensemble members folded into one XGBoost model (model.ensemble_members, model/trainer.h).
//
// Members trained on different copies of the data err on different windows, and the path decoder adds up errors,
// so the mean of several members counts better than any one of them. A bundle keeps one XGBoost JSON model per
// change position (ARCHITECTURE.md), so the members are not stored side by side: their trees go into one model
// whose margin is the members' mean margin. For multi:softprob XGBoost's margin of a class is base_score plus the
// leaf values of the class's trees, so the model with every member's trees, each leaf value divided by the
// member count, and the members' common base_score has exactly that margin (up to the float rounding of the
// sums), and its probabilities are the softmax of the mean margin. XGBoost, Python's xgboost and model/forest.h
// load it like any other model.
#pragma once

#include <span>
#include <string>

#include "util/expected.h"

namespace lc::model {

// The XGBoost JSON model whose margin is the mean of the members' margins. The members (XGBoost JSON of
// multi:softprob gbtree models) must agree in objective, classes, features and base_score. `name` (the file the
// result goes to) is used in errors. One member is returned unchanged.
Expected<std::string> mean_margin_model(std::span<const std::string> members, const std::string& name);

}  // namespace lc::model
