#include "model/ensemble.h"

#include <charconv>
#include <vector>

#include <nlohmann/json.hpp>

namespace lc::model {

namespace {

// v / count as XGBoost keeps it (a float), written as XGBoost writes a float: the shortest decimal that reads back
// as that float (stored as the double nearest that decimal, which nlohmann prints as the same digits). A double's
// 17 digits would make the file 2.6x longer, and a bundle's start-up reads and fingerprints every byte of it.
double divided(const nlohmann::json& v, float count) {
  const float q = v.get<float>() / count;
  char text[32];
  const auto r = std::to_chars(text, text + sizeof text, q);
  double d = 0;
  std::from_chars(text, r.ptr, d);
  return d;
}

}  // namespace

Expected<std::string> mean_margin_model(std::span<const std::string> members, const std::string& name) {
  auto bad = [&](const std::string& msg) { return Error::bad_input(name + ": " + msg); };
  if (members.empty()) return bad("no ensemble member to fold");
  if (members.size() == 1) return members[0];
  // Dividing a float by a power of two is exact; by another count the quotient is rounded once, in float, as
  // XGBoost keeps it.
  const float count = static_cast<float>(members.size());
  std::vector<nlohmann::json> parsed;
  nlohmann::json trees = nlohmann::json::array(), tree_info = nlohmann::json::array(), indptr;
  for (std::size_t e = 0; e < members.size(); ++e) {
    const std::string member = "ensemble member " + std::to_string(e);
    parsed.push_back(nlohmann::json::parse(members[e], nullptr, false));
    nlohmann::json& j = parsed.back();
    if (j.is_discarded()) return bad(member + " is not valid JSON");
    try {
      const auto& learner = j.at("learner");
      if (learner.at("objective").at("name") != "multi:softprob" || learner.at("gradient_booster").at("name") != "gbtree")
        return bad(member + " is not a multi:softprob gbtree model");
      // Same classes, features and base score: the mean of the margins is then the margin of all the trees.
      if (e > 0 && learner.at("learner_model_param") != parsed[0].at("learner").at("learner_model_param"))
        return bad(member + "'s learner_model_param (classes, features, base_score) differs from member 0's");
      auto& model = j.at("learner").at("gradient_booster").at("model");
      if (model.at("gbtree_model_param").value("num_parallel_tree", "1") != "1")
        return bad(member + " has parallel trees (a random forest), which this fold does not handle");
      for (auto& t : model.at("trees")) {
        const auto& left = t.at("left_children");
        auto& cond = t.at("split_conditions");
        auto& weights = t.at("base_weights");
        if (weights.size() != left.size() || cond.size() != left.size())
          return bad(member + ": tree " + std::to_string(t.at("id").get<long long>()) + "'s node arrays differ in length");
        for (std::size_t n = 0; n < left.size(); ++n) {
          weights[n] = divided(weights[n], count);
          if (left[n].get<long long>() == -1) cond[n] = divided(cond[n], count);  // a leaf's value
        }
        t["id"] = trees.size();
        trees.push_back(std::move(t));
      }
      for (const auto& c : model.at("tree_info")) tree_info.push_back(c);
      // Later XGBoost versions also list where each boosting round's trees start: the members' rounds in turn.
      if (model.contains("iteration_indptr")) {
        const auto& ip = model.at("iteration_indptr");
        if (e == 0) indptr = ip;
        const long long base = e == 0 ? 0 : indptr.back().get<long long>();
        for (std::size_t i = 1; e > 0 && i < ip.size(); ++i) indptr.push_back(base + ip[i].get<long long>());
      }
    } catch (const nlohmann::json::exception& ex) {
      return bad(member + " lacks a field of an XGBoost model, or holds one of another type: " + ex.what());
    }
  }
  nlohmann::json& out = parsed[0];
  auto& model = out["learner"]["gradient_booster"]["model"];
  model["gbtree_model_param"]["num_trees"] = std::to_string(trees.size());
  model["trees"] = std::move(trees);
  model["tree_info"] = std::move(tree_info);
  if (!indptr.is_null()) model["iteration_indptr"] = std::move(indptr);
  return out.dump();
}

}  // namespace lc::model
