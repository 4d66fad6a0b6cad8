// Model bundles: a folder with manifest.json and one XGBoost JSON model per change position.
//
// manifest.json (format_version 1), for example:
//   {
//     "format_version": 1,
//     "sample_rate_hz": 1.0, "staleness_s": 3.0, "segment_gap_s": 30.0,
//     "window_points": 5, "window_hop": 5,
//     "source_address": 0,
//     "signals": ["engine_speed_rpm", ...],                  // the ten, in window order
//     "features": ["engine_speed_rpm__maximum", ...],        // model input order
//     "classes": ["EMPTY_NO_TRANSITION", "EMPTY_TO_LOADING", ...],
//     "transitions": [["EMPTY_NO_TRANSITION", "EMPTY_NO_TRANSITION"], ...],  // which class may follow which
//     "position_buckets": 3,
//     "models": ["position_0.json", "position_1.json", "position_2.json"],
//     "max_changes_per_window": 2,
//     "context_windows": 2,                                 // optional: the models also take the features of
//                                                           // the 2 previous windows, newest first (absent = 0)
//     "decoder_class_weights": [1.3, 0.8, ...],             // optional: per class, multiplies its probability
//                                                           // before decoding (prior correction; absent = 1)
//     "decoder_prob_floor": 0.001,                          // optional: the decoders' probability floor
//                                                           // (decode/score.h; absent = its default, 0.01)
//     "decoder_min_load_to_trip_s": 4.75,                   // optional: no path with a trip sooner than this
//                                                           // after a load in the window before (count/
//                                                           // path_counter.h; absent = no such rule)
//     "decoder_segment_end_log_prior": {"EMPTY": 0, "LOADING": -4.6, "LOADED": -4.6, "UNLOADING": -4.6},
//                                                           // optional: log-prior of the state the machine is
//                                                           // in when it stops (a gap ends the segment), each
//                                                           // <= 0; absent = no preference
//     "training": {...},   // data summary (files, windows per class, seeds, xgboost params)
//     "metrics": {...}     // evaluation on held-out data, if any
//   }
// Loading checks everything against everything and fails with an Error naming the bundle file and field: an
// unsupported format version, signals other than the ten, an unknown feature or class name, a transition naming
// an unknown class, a model count different from position_buckets, a model that does not load, or one whose
// feature or class count differs from the manifest.
//
// Two engines score the same models: `Engine::forest` (default; model/forest.h, the trees compiled into flat
// arrays, no XGBoost at run time) and `Engine::xgboost` (XGBoost's C API, the reference: `--scorer xgboost`).
// They agree bit for bit (tests/unit/model/forest_test.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "features/plan.h"
#include "model/forest.h"
#include "model/xgb.h"
#include "util/expected.h"
#include "window/frame_pipeline.h"
#include "window/states.h"

namespace lc::model {

inline constexpr int kBundleFormatVersion = 1;
inline constexpr int kMaxContextWindows = 3;

struct Manifest {
  int format_version = kBundleFormatVersion;
  double sample_rate_hz = 1.0;
  double staleness_s = 3.0;
  double segment_gap_s = 30.0;
  std::size_t window_points = 5;
  std::size_t window_hop = 5;
  std::uint8_t source_address = 0;
  std::vector<std::string> signals;
  std::vector<std::string> features;
  std::vector<std::string> classes;
  std::vector<std::pair<std::string, std::string>> transitions;
  int position_buckets = 3;
  int max_changes_per_window = 2;
  std::vector<std::string> models;
  std::vector<double> decoder_class_weights;  // empty = all 1
  std::optional<double> decoder_prob_floor;    // absent = decode::kDefaultProbFloor
  std::optional<double> decoder_min_load_to_trip_s;  // absent = no such rule; in [0, 60]
  // Indexed by State (kStateCount values, each finite and <= 0), or empty: no segment-end prior.
  std::vector<double> decoder_segment_end_log_prior;
  int context_windows = 0;  // K: model input = features of this window, then of the K previous ones (newest first)
  nlohmann::json training = nlohmann::json::object();
  nlohmann::json metrics = nlohmann::json::object();

  FrontEndConfig front_end() const;
};

Expected<Manifest> parse_manifest(const std::string& text, const std::string& name);
std::string manifest_to_json(const Manifest& m);

// Which code computes the models' probabilities.
enum class Engine : std::uint8_t { forest, xgboost };
// "forest" / "xgboost" -> Engine; nullopt for anything else.
std::optional<Engine> parse_engine(std::string_view name);
const char* engine_name(Engine e);

class ModelBundle {
 public:
  static Expected<ModelBundle> load(const std::string& dir, Engine engine = Engine::forest);
  // The same with the manifest already read (read_manifest): replay reads it first to start reading the log
  // (the front end needs only the manifest) while the models load.
  static Expected<ModelBundle> load(const std::string& dir, Manifest manifest, Engine engine = Engine::forest);
  // dir/manifest.json, parsed and checked on its own (errors name the file).
  static Expected<Manifest> read_manifest(const std::string& dir);
  // Writes manifest.json and the models (named as in m.models) into dir (created if needed), and beside each
  // model its compiled forest (compiled_name): what load() reads instead of the JSON while it still matches.
  static Status save(const std::string& dir, const Manifest& m, const std::vector<std::string>& model_json);
  // Writes (or rewrites) the compiled forest of every model of the bundle in `dir` from its JSON.
  static Status compile(const std::string& dir);
  // "position_0.json" -> "position_0.forest" (the compiled form; the JSON stays the model of record).
  static std::string compiled_name(const std::string& model_file);

  const Manifest& manifest() const { return m_manifest; }
  const std::string& dir() const { return m_dir; }
  Engine engine() const { return m_engine; }
  std::size_t model_count() const { return m_engine == Engine::forest ? m_forests.size() : m_boosters.size(); }
  const std::vector<Forest>& forests() const { return m_forests; }  // Engine::forest
  std::vector<Booster>& boosters() { return m_boosters; }           // Engine::xgboost
  const std::vector<WindowClass>& classes() const { return m_classes; }
  // Engine::forest: per model, whether it came from its compiled form (else from the JSON: no compiled file,
  // or one made from another JSON, or a damaged one).
  const std::vector<bool>& loaded_compiled() const { return m_loaded_compiled; }
  // The manifest's features compiled against the catalogue (load() checks every name this way; the scorer
  // runs it, so it is compiled once per bundle).
  const features::FeaturePlan& feature_plan() const { return *m_plan; }

 private:
  std::string m_dir;
  Manifest m_manifest;
  std::optional<features::FeaturePlan> m_plan;
  std::vector<bool> m_loaded_compiled;
  std::vector<WindowClass> m_classes;
  Engine m_engine = Engine::forest;
  std::vector<Forest> m_forests;
  std::vector<Booster> m_boosters;
};

// Scores windows with every position model: for each class the highest probability across the models, and
// the model (position bucket) that gave it. Owns the extractor, the model input row and the outputs, all sized
// at construction: no allocation per window.
class WindowScorer {
 public:
  static Expected<std::unique_ptr<WindowScorer>> create(ModelBundle bundle);

  // Scores one window. On an XGBoost failure (Engine::xgboost) the probabilities are left uniform and the
  // error is returned; the forest engine cannot fail.
  Status score(const Window& w);
  // A window that is not scored (replay resuming after a checkpoint) but may be the next window's context:
  // with context_windows, its features become the previous window's; otherwise nothing happens.
  void observe(const Window& w);
  std::span<const double> probabilities() const { return m_probs; }
  std::span<const std::uint8_t> positions() const { return m_positions; }
  std::span<const float> features() const { return m_input; }  // the model input row

  const ModelBundle& bundle() const { return m_bundle; }
  std::size_t class_count() const { return m_probs.size(); }

 private:
  WindowScorer(ModelBundle bundle, features::Extractor extractor);
  ModelBundle m_bundle;
  features::Extractor m_extractor;
  std::vector<float> m_input;    // model input: features (then, with context, the previous window's)
  std::vector<float> m_prev;     // with context: the last K windows' features, newest first
  void push_context(const Window& w);
  std::int64_t m_prev_end_ns = -1;
  std::vector<float> m_out;
  std::vector<double> m_probs;
  std::vector<std::uint8_t> m_positions;
};

}  // namespace lc::model
