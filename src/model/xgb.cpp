#include "model/xgb.h"

#include <dlfcn.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

namespace lc::model {
namespace {

// The C API is resolved at run time, on first use, not linked. Replay and the daemon score with
// model/forest.h and never call XGBoost; linking it made every start of loadercount and loadercountd load
// libxgboost, libdmlc and libgomp and run their static initialisers: ~6 ms and ~4.6 MB of RSS per process on
// the development VM (a hello-world with and without -lxgboost). Training, `--scorer xgboost` and the tests
// that check the forest against XGBoost load it here. The header still gives every function's type, so a
// pointer of the wrong type does not compile.
struct Api {
#define LC_XGB_FUNCTIONS(X)                                                                                      \
  X(XGBGetLastError) X(XGBoostVersion) X(XGDMatrixCreateFromMat) X(XGDMatrixSetFloatInfo) X(XGDMatrixFree)       \
  X(XGProxyDMatrixCreate) X(XGProxyDMatrixSetDataDense) X(XGBoosterCreate) X(XGBoosterFree)                       \
  X(XGBoosterLoadModelFromBuffer) X(XGBoosterSaveModelToBuffer) X(XGBoosterSaveJsonConfig) X(XGBoosterSetParam)   \
  X(XGBoosterGetNumFeature) X(XGBoosterBoostedRounds) X(XGBoosterPredictFromDense) X(XGBoosterUpdateOneIter)      \
  X(XGBoosterEvalOneIter) X(XGBoosterSlice)
#define LC_XGB_MEMBER(name) decltype(&::name) name = nullptr;
  LC_XGB_FUNCTIONS(LC_XGB_MEMBER)
#undef LC_XGB_MEMBER
};

Expected<Api> open_api() {
  // RTLD_LOCAL: nothing else in the process sees XGBoost's symbols. The handle is never closed (XGBoost's
  // static objects may outlive any point at which closing it would be safe).
  void* lib = ::dlopen(LC_XGBOOST_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = ::dlerror();
    return Error::bad_input(std::string("cannot load XGBoost's library " LC_XGBOOST_SONAME " (") + (why ? why : "?") +
                            "); training and the XGBoost scorer need it: install Debian's libxgboost0");
  }
  Api api;
  std::string missing;
#define LC_XGB_RESOLVE(name)                                                          \
  api.name = reinterpret_cast<decltype(&::name)>(::dlsym(lib, #name));                \
  if (api.name == nullptr) missing += std::string(missing.empty() ? "" : ", ") + #name;
  LC_XGB_FUNCTIONS(LC_XGB_RESOLVE)
#undef LC_XGB_RESOLVE
  if (!missing.empty())
    return Error::bad_input(std::string(LC_XGBOOST_SONAME " lacks ") + missing + " (XGBoost 1.7 or later is needed)");
  return api;
}

// The library, loaded once per process (thread-safe: a function-local static).
Expected<const Api*> xgb() {
  static const Expected<Api> api = open_api();
  if (!api) return api.error();
  return &*api;
}
// For objects that exist only because a call through xgb() succeeded.
const Api& loaded() { return **xgb(); }

Error xgb_error(const std::string& what) { return Error::internal(what + ": " + loaded().XGBGetLastError()); }

struct DMatrix {
  DMatrixHandle h = nullptr;
  DMatrix() = default;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  ~DMatrix() {
    if (h != nullptr) loaded().XGDMatrixFree(h);
  }
};

Expected<std::unique_ptr<DMatrix>> make_dmatrix(std::span<const float> x, std::span<const float> y,
                                                std::span<const float> w, std::size_t cols) {
  auto m = std::make_unique<DMatrix>();
  const std::size_t rows = cols ? x.size() / cols : 0;
  if (loaded().XGDMatrixCreateFromMat(x.data(), rows, cols, std::numeric_limits<float>::quiet_NaN(), &m->h) != 0)
    return xgb_error("XGDMatrixCreateFromMat");
  if (!y.empty() && loaded().XGDMatrixSetFloatInfo(m->h, "label", y.data(), y.size()) != 0)
    return xgb_error("XGDMatrixSetFloatInfo(label)");
  if (!w.empty() && loaded().XGDMatrixSetFloatInfo(m->h, "weight", w.data(), w.size()) != 0)
    return xgb_error("XGDMatrixSetFloatInfo(weight)");
  return m;
}

std::string array_interface(const void* data, std::size_t rows, std::size_t cols) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"data\": [%llu, true], \"shape\": [%zu, %zu], \"typestr\": \"<f4\", \"version\": 3}",
                static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(data)), rows, cols);
  return buf;
}

constexpr const char* kPredictConfig =
    "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": true, "
    "\"cache_id\": 0, \"missing\": NaN}";

}  // namespace

struct Booster::Handle {
  BoosterHandle h = nullptr;
  DMatrixHandle proxy = nullptr;  // the bound input row, described once (XGBoost's inference demo)
  ~Handle() {
    if (proxy != nullptr) loaded().XGDMatrixFree(proxy);
    if (h != nullptr) loaded().XGBoosterFree(h);
  }
};

Booster::Booster(std::unique_ptr<Handle> h) : m_h(std::move(h)) {}
Booster::~Booster() = default;
Booster::Booster(Booster&&) noexcept = default;
Booster& Booster::operator=(Booster&&) noexcept = default;

std::string xgboost_version() {
  auto api = xgb();
  if (!api) return "unavailable";
  int major = 0, minor = 0, patch = 0;
  (*api)->XGBoostVersion(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

Expected<Booster> Booster::from_json(const std::string& json, const std::string& name) {
  if (auto api = xgb(); !api) return Error::bad_input(name + ": " + api.error().message);
  auto h = std::make_unique<Handle>();
  if (loaded().XGBoosterCreate(nullptr, 0, &h->h) != 0) return xgb_error(name + ": XGBoosterCreate");
  if (loaded().XGBoosterLoadModelFromBuffer(h->h, json.data(), json.size()) != 0)
    return Error::bad_input(name + ": not a valid XGBoost model: " + loaded().XGBGetLastError());
  if (loaded().XGBoosterSetParam(h->h, "nthread", "1") != 0) return xgb_error(name + ": set nthread");
  Booster b(std::move(h));
  bst_ulong nf = 0;
  if (loaded().XGBoosterGetNumFeature(b.m_h->h, &nf) != 0) return xgb_error(name + ": XGBoosterGetNumFeature");
  b.m_num_features = nf;
  // The class count is in the model's learner parameters.
  bst_ulong len = 0;
  const char* cfg = nullptr;
  if (loaded().XGBoosterSaveJsonConfig(b.m_h->h, &len, &cfg) != 0) return xgb_error(name + ": XGBoosterSaveJsonConfig");
  try {
    const auto j = nlohmann::json::parse(std::string(cfg, len));
    const std::string nc = j.at("learner").at("learner_model_param").at("num_class").get<std::string>();
    b.m_num_classes = static_cast<std::size_t>(std::stoul(nc));
    const std::string obj = j.at("learner").at("objective").at("name").get<std::string>();
    if (obj != "multi:softprob")
      return Error::bad_input(name + ": objective is '" + obj + "', expected 'multi:softprob'");
  } catch (const std::exception& e) {
    return Error::bad_input(name + ": cannot read the model's configuration: " + e.what());
  }
  if (b.m_num_classes < 2) return Error::bad_input(name + ": model has fewer than 2 classes");
  return b;
}

Expected<std::string> Booster::to_json() const {
  bst_ulong len = 0;
  const char* data = nullptr;
  if (loaded().XGBoosterSaveModelToBuffer(m_h->h, "{\"format\": \"json\"}", &len, &data) != 0)
    return xgb_error("XGBoosterSaveModelToBuffer");
  return std::string(data, len);
}

int Booster::boosted_rounds() const {
  int n = 0;
  loaded().XGBoosterBoostedRounds(m_h->h, &n);
  return n;
}

void Booster::bind_input(const float* row, std::size_t n) {
  m_input_interface = array_interface(row, 1, n);
  m_bound_n = n;
  // A proxy DMatrix over the same fixed row, reused for every window. If XGBoost cannot make one, prediction
  // still works without it (the proxy only carries meta information for in-place prediction).
  if (m_h->proxy == nullptr && loaded().XGProxyDMatrixCreate(&m_h->proxy) != 0) m_h->proxy = nullptr;
  if (m_h->proxy != nullptr && loaded().XGProxyDMatrixSetDataDense(m_h->proxy, m_input_interface.c_str()) != 0) {
    loaded().XGDMatrixFree(m_h->proxy);
    m_h->proxy = nullptr;
  }
}

Status Booster::predict_bound(std::span<float> out) {
  if (m_bound_n != m_num_features) return Error::internal("predict: input has " + std::to_string(m_bound_n) +
                                                          " features, model expects " + std::to_string(m_num_features));
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  if (loaded().XGBoosterPredictFromDense(m_h->h, m_input_interface.c_str(), kPredictConfig, m_h->proxy, &shape, &dim,
                                         &result) != 0)
    return xgb_error("XGBoosterPredictFromDense");
  if (out.size() != m_num_classes) return Error::internal("predict: output size mismatch");
  std::memcpy(out.data(), result, m_num_classes * sizeof(float));  // copy before the next XGBoost call
  return ok();
}

Expected<std::vector<float>> Booster::predict_rows(std::span<const float> x, std::size_t rows) const {
  if (rows == 0) return std::vector<float>{};
  if (x.size() != rows * m_num_features) return Error::internal("predict_rows: size mismatch");
  const std::string iface = array_interface(x.data(), rows, m_num_features);
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  if (loaded().XGBoosterPredictFromDense(m_h->h, iface.c_str(), kPredictConfig, nullptr, &shape, &dim, &result) != 0)
    return xgb_error("XGBoosterPredictFromDense");
  return std::vector<float>(result, result + rows * m_num_classes);
}

Expected<TrainResult> train_softprob(std::span<const float> x, std::span<const float> y, std::span<const float> weights,
                                     std::size_t cols, std::size_t classes, std::span<const float> valid_x,
                                     std::span<const float> valid_y, const TrainParams& p) {
  if (cols == 0 || x.size() % cols != 0 || x.size() / cols != y.size())
    return Error::internal("train: feature matrix and labels do not match");
  if (auto api = xgb(); !api) return api.error();
  LC_TRY(dtrain, make_dmatrix(x, y, weights, cols));
  const bool has_valid = !valid_y.empty();
  std::unique_ptr<DMatrix> dvalid;
  if (has_valid) {
    LC_TRY(dv, make_dmatrix(valid_x, valid_y, {}, cols));
    dvalid = std::move(dv);
  }
  DMatrixHandle both[2] = {dtrain->h, has_valid ? dvalid->h : nullptr};
  struct TrainHandle {
    BoosterHandle h = nullptr;
    ~TrainHandle() {
      if (h != nullptr) loaded().XGBoosterFree(h);
    }
  };
  auto h = std::make_unique<TrainHandle>();
  if (loaded().XGBoosterCreate(both, has_valid ? 2 : 1, &h->h) != 0) return xgb_error("XGBoosterCreate");
  auto set = [&](const char* k, const std::string& v) -> Status {
    if (loaded().XGBoosterSetParam(h->h, k, v.c_str()) != 0) return xgb_error(std::string("XGBoosterSetParam ") + k);
    return ok();
  };
  auto num = [](double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.17g", v);
    return std::string(b);
  };
  LC_TRY_STATUS(set("objective", "multi:softprob"));
  LC_TRY_STATUS(set("num_class", std::to_string(classes)));
  LC_TRY_STATUS(set("eval_metric", "mlogloss"));
  LC_TRY_STATUS(set("tree_method", "hist"));
  LC_TRY_STATUS(set("max_depth", std::to_string(p.max_depth)));
  LC_TRY_STATUS(set("eta", num(p.eta)));
  LC_TRY_STATUS(set("min_child_weight", num(p.min_child_weight)));
  LC_TRY_STATUS(set("subsample", num(p.subsample)));
  LC_TRY_STATUS(set("colsample_bytree", num(p.colsample_bytree)));
  LC_TRY_STATUS(set("lambda", num(p.lambda)));
  LC_TRY_STATUS(set("nthread", std::to_string(p.nthread)));
  LC_TRY_STATUS(set("seed", std::to_string(p.seed)));
  LC_TRY_STATUS(set("verbosity", "0"));

  int best_iter = -1;
  double best = std::numeric_limits<double>::infinity();
  const char* names[2] = {"train", "valid"};
  for (int it = 0; it < p.max_rounds; ++it) {
    if (loaded().XGBoosterUpdateOneIter(h->h, it, dtrain->h) != 0) return xgb_error("XGBoosterUpdateOneIter");
    if (!has_valid) {
      best_iter = it;
      continue;
    }
    const char* out = nullptr;
    DMatrixHandle ev[1] = {dvalid->h};
    if (loaded().XGBoosterEvalOneIter(h->h, it, ev, names + 1, 1, &out) != 0) return xgb_error("XGBoosterEvalOneIter");
    // "[3]\tvalid-mlogloss:0.123456"
    const char* colon = std::strrchr(out, ':');
    const double loss = colon ? std::strtod(colon + 1, nullptr) : std::numeric_limits<double>::quiet_NaN();
    if (loss < best) {
      best = loss;
      best_iter = it;
    } else if (it - best_iter >= p.early_stopping_rounds) {
      break;
    }
  }
  // Keep only the best rounds.
  BoosterHandle sliced = nullptr;
  int rounds = 0;
  loaded().XGBoosterBoostedRounds(h->h, &rounds);
  if (rounds > best_iter + 1) {
    if (loaded().XGBoosterSlice(h->h, 0, best_iter + 1, 1, &sliced) != 0) return xgb_error("XGBoosterSlice");
  }
  // Round-trip through JSON so the trained booster is exactly what a loaded bundle will be.
  bst_ulong len = 0;
  const char* data = nullptr;
  if (loaded().XGBoosterSaveModelToBuffer(sliced ? sliced : h->h, "{\"format\": \"json\"}", &len, &data) != 0) {
    if (sliced) loaded().XGBoosterFree(sliced);
    return xgb_error("XGBoosterSaveModelToBuffer");
  }
  std::string json(data, len);
  if (sliced) loaded().XGBoosterFree(sliced);
  LC_TRY(b, Booster::from_json(json, "trained model"));
  return TrainResult{std::move(b), best_iter + 1, has_valid ? best : std::numeric_limits<double>::quiet_NaN()};
}

}  // namespace lc::model
