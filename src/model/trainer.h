// Training a model bundle from labelled candump logs (`loadercount train`).
//
// The same front end as inference (FramePipeline: decode, grid, windows) and the same extractor compute every
// feature of every window; labels become per-window classes and change positions (targets.h). Then:
//   1. split: validation = whole files when there are at least `min_files_for_file_split` files (the last
//      ceil(valid_fraction * files) files), otherwise the last valid_fraction of each file's windows as one
//      time block (never random windows: neighbouring windows leak);
//   2. FRESH selection on the training rows only (one-vs-rest per class, Benjamini-Yekutieli at fdr), then the
//      `max_features` selected features with the smallest p-value (over classes) are kept, so inference stays
//      cheap; ties and order are deterministic (FeatureSpace order);
//   3. one multi:softprob XGBoost model per change-position bucket: a window without a change trains every
//      model, a window whose first change falls in bucket i trains model i; early stopping on the validation
//      rows of the same kind;
//   4. the bundle: manifest (with training summary) + models.
// Deterministic: the same inputs and config give byte-identical model files.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/bundle.h"
#include "model/xgb.h"
#include "util/expected.h"

namespace lc::model {

inline constexpr int kMaxEnsembleMembers = 8;

struct TrainConfig {
  FrontEndConfig front_end;
  std::uint8_t source_address = 0;
  int position_buckets = 3;
  int max_changes_per_window = 2;
  double fdr_level = 0.05;
  std::size_t max_features = 150;
  // Sample weights 1 / frequency(class)^power: 0 leaves the classes as they come (transition windows are rare,
  // so the models then under-predict them), 1 balances them fully.
  double class_weight_power = 0.5;
  // Prior correction for the decoders: each class's probability is divided by (its training frequency x the
  // class count)^power before decoding (the manifest's "decoder_class_weights"). The class weights above
  // leave the models' rare transition classes under-predicted; a path needs every transition of a cycle, so
  // a missed one loses the cycle. 0 = none.
  double decoder_prior_power = 0.0;
  // The decoders' probability floor stored in the manifest (decode/score.h); absent: the decoders' default.
  // (The segment-end prior is always learned: the states the labels show at each stop, i.e. each gap that
  // ends a segment, add-one smoothed.)
  std::optional<double> decoder_prob_floor;
  // The decoders' shortest load-to-trip time stored in the manifest (count/path_counter.h); absent: none. The
  // manifest's training summary records the shortest in the training labels ("shortest_load_to_trip_s").
  std::optional<double> decoder_min_load_to_trip_s;
  // K > 0: the models also see the K previous windows' selected features (NaN where a segment has none),
  // i.e. 5 (K + 1) s of signal for a 5 s decision. 0: the window alone. At most kMaxContextWindows.
  int context_windows = 0;
  // Each training row gets, with this probability, a copy in which the signals of one J1939 message (drawn
  // uniformly) are missing in the window and its context windows: a message lost for minutes on the bus
  // (model/signal_loss.h). 0: none. Validation rows are never copied.
  double signal_loss_fraction = 0.0;
  // Models trained per position bucket, each with its own seed (XGBoost's and the copies' draws) and, with
  // bus_gap_fraction per member, its own copies; each bucket's members are folded into its one model, whose
  // margin is their mean (model/ensemble.h). Models that learn from other copies err on different windows, and a
  // path decoder adds up errors. 1: one model per bucket, as trained. At most kMaxEnsembleMembers.
  int ensemble_members = 1;
  // Each training row gets, with this probability, a copy in which one block (the window or one of its context
  // windows, drawn uniformly) has every feature missing: a bus gap of 3-6 s, longer than the staleness that
  // bridges shorter ones (model/signal_loss.h). 0: none. Validation rows are never copied. One value for every
  // ensemble member, or one per member (members that learn from different copies err on different windows).
  std::vector<double> bus_gap_fraction = {0.0};
  double bus_gap_for(int member) const {
    return bus_gap_fraction.size() == 1 ? bus_gap_fraction[0] : bus_gap_fraction.at(static_cast<std::size_t>(member));
  }
  double valid_fraction = 0.2;
  std::size_t min_files_for_file_split = 3;
  TrainParams xgb;
};

// Reads a TOML training config (every key optional; unknown keys are errors naming the key), e.g.
//   [window]  points = 5   hop = 5
//   [grid]    rate_hz = 1.0   staleness_s = 3.0   segment_gap_s = 30.0
//   [model]   position_buckets = 3   max_changes_per_window = 2   max_features = 150   fdr_level = 0.05
//             class_weight_power = 0.5   decoder_prior_power = 0.25   decoder_prob_floor = 0.001
//             decoder_min_load_to_trip_s = 4.75
//             context_windows = 3   signal_loss_fraction = 0.25   ensemble_members = 2
//             bus_gap_fraction = [0.0, 0.25]   (or one number for every member)
//   [xgboost] max_depth = 6   eta = 0.1   max_rounds = 400   early_stopping_rounds = 25   nthread = 2   seed = 0
//   [split]   valid_fraction = 0.2   min_files_for_file_split = 3
Expected<TrainConfig> read_train_config(const std::string& path);

struct LabelledLog {
  std::string log;
  std::string labels;
};

struct TrainReport {
  std::size_t windows = 0;
  std::size_t train_windows = 0;
  std::size_t valid_windows = 0;
  std::size_t skipped_windows = 0;  // unlabelled or not representable
  std::size_t selected_features = 0;
  std::vector<int> best_rounds;  // per position model
  Manifest manifest;
};

using ProgressFn = std::function<void(const std::string& what)>;

Expected<TrainReport> train_bundle(const std::vector<LabelledLog>& data, const TrainConfig& cfg,
                                   const std::string& out_dir, const ProgressFn& progress = {});

}  // namespace lc::model
