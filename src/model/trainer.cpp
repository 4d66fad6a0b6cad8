#include "model/trainer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>

#include <toml++/toml.h>

#include "can/candump.h"
#include "features/plan.h"
#include "features/select.h"
#include "model/ensemble.h"
#include "model/signal_loss.h"
#include "model/targets.h"
#include "signals/engine_signals.h"
#include "window/labels.h"

namespace lc::model {
namespace {

// A file's windows: every window's features once (with context, also the unlabelled ones, since they are
// still the context of the next), and per labelled row the windows its model input is made of.
struct FileRows {
  std::vector<double> feat;    // stored windows x all features
  std::vector<std::int64_t> row_window;  // per row: its window in `feat`
  std::vector<std::int64_t> ctx;         // per row, K entries: the previous windows, newest first (-1: missing)
  std::vector<int> cls;        // index into the canonical class list
  std::vector<int> position;   // -1 without change
  std::size_t skipped = 0;
  // Stops: the labelled state at the end of the last window before each gap that ends a segment (the end of
  // the file is where the recording stopped, not a stop, and is not counted).
  std::array<std::size_t, kStateCount> stops{};
};

std::vector<std::string> engine_signal_names() {
  std::vector<std::string> s;
  for (const auto& w : kEngineSignals) s.emplace_back(w.name);
  return s;
}

Expected<FileRows> collect(const LabelledLog& d, const TrainConfig& cfg, const std::vector<WindowClass>& canon,
                           features::Extractor& all) {
  LC_TRY(labels, read_labels_csv(d.labels));
  LC_TRY(plan, default_decode_plan(cfg.source_address));
  FileRows rows;
  const std::size_t nf = all.plan().full_size();
  const auto k = static_cast<std::size_t>(cfg.context_windows);
  const bool ctx = k > 0;
  std::vector<double> buf(nf);
  std::vector<std::int64_t> hist(k, -1);  // the previous K windows in `feat`, newest first (-1: missing)
  std::int64_t last_end = -1;  // end of the newest window in `hist`, -1: none
  std::int64_t prev_window_end = -1;  // end of the previous window of the file, -1: none yet
  FramePipeline pipe(std::move(plan), cfg.front_end, [&](const Window& w) {
    if (w.segment_start && prev_window_end >= 0)
      if (const auto st = state_at(labels, static_cast<double>(prev_window_end - 1) * 1e-9))
        ++rows.stops[static_cast<std::size_t>(*st)];
    prev_window_end = w.end_ns;
    // The chain of previous windows holds only while each window follows the last one in the same segment.
    const bool chain_broken = w.segment_start || last_end != w.start_ns;
    if (ctx && chain_broken) std::fill(hist.begin(), hist.end(), -1);
    const WindowTarget t = window_target(labels, w.start_ns, w.end_ns, cfg.position_buckets, cfg.max_changes_per_window);
    const auto it = t.kind == WindowTarget::Kind::Ok ? std::find(canon.begin(), canon.end(), t.cls) : canon.end();
    const bool labelled = it != canon.end();
    if (!labelled) ++rows.skipped;
    // With context every window is stored: a skipped window is still the next ones' previous window.
    std::int64_t id = -1;
    if (labelled || ctx) {
      all.extract_all(std::span<const std::span<const double>>(w.series.data(), w.series.size()), buf);
      id = static_cast<std::int64_t>(rows.feat.size() / nf);
      rows.feat.insert(rows.feat.end(), buf.begin(), buf.end());
    }
    if (labelled) {
      rows.row_window.push_back(id);
      rows.ctx.insert(rows.ctx.end(), hist.begin(), hist.end());
      rows.cls.push_back(static_cast<int>(it - canon.begin()));
      rows.position.push_back(t.position);
    }
    if (ctx) {
      std::copy_backward(hist.begin(), hist.end() - 1, hist.end());
      hist[0] = id;
      last_end = w.end_ns;
    }
  });
  auto st = can::read_candump_file(d.log, [&](const can::Frame& f) { pipe.push(f); });
  if (!st) return st.error();
  pipe.finish();
  return rows;
}

template <class T>
Status read_key(const toml::table& t, const std::string& section, const std::string& key, T& out) {
  const toml::node* n = t.at_path(section + "." + key).node();
  if (n == nullptr) return ok();
  if constexpr (std::is_same_v<T, double>) {
    auto v = n->value<double>();
    if (!v) return Error::bad_input("key '" + section + "." + key + "' must be a number");
    out = *v;
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    // A number (the same for every ensemble member) or an array of numbers (one per member).
    std::vector<double> values;
    if (const auto* a = n->as_array()) {
      for (const auto& e : *a) {
        auto v = e.value<double>();
        if (!v) return Error::bad_input("key '" + section + "." + key + "' must be a number or an array of numbers");
        values.push_back(*v);
      }
    } else if (auto v = n->value<double>()) {
      values.push_back(*v);
    }
    if (values.empty()) return Error::bad_input("key '" + section + "." + key + "' must be a number or an array of numbers");
    out = std::move(values);
  } else {
    auto v = n->value<std::int64_t>();
    if (!v || *v < 0) return Error::bad_input("key '" + section + "." + key + "' must be a non-negative integer");
    out = static_cast<T>(*v);
  }
  return ok();
}

}  // namespace

Expected<TrainConfig> read_train_config(const std::string& path) {
  TrainConfig c;
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Error::at(path, static_cast<long>(e.source().begin.line), std::string(e.description()));
  }
  static const std::map<std::string, std::vector<std::string>> kKnown = {
      {"window", {"points", "hop"}},
      {"grid", {"rate_hz", "staleness_s", "segment_gap_s"}},
      {"model", {"position_buckets", "max_changes_per_window", "max_features", "fdr_level", "source_address", "class_weight_power",
                 "decoder_prior_power", "decoder_prob_floor", "decoder_min_load_to_trip_s", "context_windows",
                 "signal_loss_fraction", "bus_gap_fraction", "ensemble_members"}},
      {"xgboost", {"max_depth", "eta", "max_rounds", "early_stopping_rounds", "min_child_weight", "subsample",
                   "colsample_bytree", "lambda", "nthread", "seed"}},
      {"split", {"valid_fraction", "min_files_for_file_split"}}};
  for (const auto& [section, node] : t) {
    const std::string s(section.str());
    const auto known = kKnown.find(s);
    if (known == kKnown.end() || !node.is_table())
      return Error::bad_input(path + ": unknown section '" + s + "'");
    for (const auto& [key, v] : *node.as_table()) {
      (void)v;
      if (std::find(known->second.begin(), known->second.end(), std::string(key.str())) == known->second.end())
        return Error::at(path, static_cast<long>(key.source().begin.line), "unknown key '" + s + "." + std::string(key.str()) + "'");
    }
  }
  auto wrap = [&](Status st) -> Status {
    if (!st) return Error::bad_input(path + ": " + st.error().message);
    return ok();
  };
  LC_TRY_STATUS(wrap(read_key(t, "window", "points", c.front_end.window.points)));
  LC_TRY_STATUS(wrap(read_key(t, "window", "hop", c.front_end.window.hop)));
  LC_TRY_STATUS(wrap(read_key(t, "grid", "rate_hz", c.front_end.grid.rate_hz)));
  LC_TRY_STATUS(wrap(read_key(t, "grid", "staleness_s", c.front_end.grid.staleness_s)));
  LC_TRY_STATUS(wrap(read_key(t, "grid", "segment_gap_s", c.front_end.grid.segment_gap_s)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "position_buckets", c.position_buckets)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "max_changes_per_window", c.max_changes_per_window)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "max_features", c.max_features)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "fdr_level", c.fdr_level)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "source_address", c.source_address)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "class_weight_power", c.class_weight_power)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "decoder_prior_power", c.decoder_prior_power)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "context_windows", c.context_windows)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "signal_loss_fraction", c.signal_loss_fraction)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "ensemble_members", c.ensemble_members)));
  LC_TRY_STATUS(wrap(read_key(t, "model", "bus_gap_fraction", c.bus_gap_fraction)));
  if (t.at_path("model.decoder_prob_floor").node() != nullptr) {
    double floor = 0.0;
    LC_TRY_STATUS(wrap(read_key(t, "model", "decoder_prob_floor", floor)));
    if (!(floor > 0 && floor <= 1)) return Error::bad_input(path + ": model.decoder_prob_floor must be in (0, 1]");
    c.decoder_prob_floor = floor;
  }
  if (t.at_path("model.decoder_min_load_to_trip_s").node() != nullptr) {
    double gap = 0.0;
    LC_TRY_STATUS(wrap(read_key(t, "model", "decoder_min_load_to_trip_s", gap)));
    if (!(gap >= 0 && gap <= 60)) return Error::bad_input(path + ": model.decoder_min_load_to_trip_s must be seconds in [0, 60]");
    c.decoder_min_load_to_trip_s = gap;
  }
  LC_TRY_STATUS(wrap(read_key(t, "xgboost", "max_depth", c.xgb.max_depth)));
  LC_TRY_STATUS(wrap(read_key(t, "xgboost", "eta", c.xgb.eta)));
  LC_TRY_STATUS(wrap(read_key(t, "xgboost", "max_rounds", c.xgb.max_rounds)));
  LC_TRY_STATUS(wrap(read_key(t, "xgboost", "early_stopping_rounds", c.xgb.early_stopping_rounds)));
  LC_TRY_STATUS(wrap(read_key(t, "xgboost", "min_child_weight", c.xgb.min_child_weight)));
  LC_TRY_STATUS(wrap(read_key(t, "xgboost", "subsample", c.xgb.subsample)));
  LC_TRY_STATUS(wrap(read_key(t, "xgboost", "colsample_bytree", c.xgb.colsample_bytree)));
  LC_TRY_STATUS(wrap(read_key(t, "xgboost", "lambda", c.xgb.lambda)));
  LC_TRY_STATUS(wrap(read_key(t, "xgboost", "nthread", c.xgb.nthread)));
  LC_TRY_STATUS(wrap(read_key(t, "xgboost", "seed", c.xgb.seed)));
  LC_TRY_STATUS(wrap(read_key(t, "split", "valid_fraction", c.valid_fraction)));
  LC_TRY_STATUS(wrap(read_key(t, "split", "min_files_for_file_split", c.min_files_for_file_split)));
  if (c.front_end.window.points < 3) return Error::bad_input(path + ": window.points must be >= 3");
  if (c.front_end.window.hop < 1 || c.front_end.window.hop > c.front_end.window.points)
    return Error::bad_input(path + ": window.hop must be 1..window.points");
  if (!(c.front_end.grid.rate_hz > 0 && c.front_end.grid.rate_hz <= 100)) return Error::bad_input(path + ": grid.rate_hz must be in (0, 100]");
  if (c.position_buckets < 1 || c.position_buckets > 64) return Error::bad_input(path + ": model.position_buckets must be 1..64");
  if (c.max_changes_per_window < 1 || c.max_changes_per_window > 3)
    return Error::bad_input(path + ": model.max_changes_per_window must be 1..3");
  if (!(c.valid_fraction > 0 && c.valid_fraction < 1)) return Error::bad_input(path + ": split.valid_fraction must be in (0, 1)");
  if (c.context_windows < 0 || c.context_windows > kMaxContextWindows)
    return Error::bad_input(path + ": model.context_windows must be 0.." + std::to_string(kMaxContextWindows));
  if (!(c.decoder_prior_power >= 0 && c.decoder_prior_power <= 1))
    return Error::bad_input(path + ": model.decoder_prior_power must be in [0, 1]");
  if (!(c.signal_loss_fraction >= 0 && c.signal_loss_fraction <= 1))
    return Error::bad_input(path + ": model.signal_loss_fraction must be in [0, 1]");
  if (c.ensemble_members < 1 || c.ensemble_members > kMaxEnsembleMembers)
    return Error::bad_input(path + ": model.ensemble_members must be 1.." + std::to_string(kMaxEnsembleMembers));
  for (const double f : c.bus_gap_fraction)
    if (!(f >= 0 && f <= 1)) return Error::bad_input(path + ": model.bus_gap_fraction must be in [0, 1]");
  if (c.bus_gap_fraction.size() != 1 && c.bus_gap_fraction.size() != static_cast<std::size_t>(c.ensemble_members))
    return Error::bad_input(path + ": model.bus_gap_fraction has " + std::to_string(c.bus_gap_fraction.size()) +
                            " values for " + std::to_string(c.ensemble_members) +
                            " ensemble members (one value for all, or one per member)");
  if (c.xgb.nthread < 1) return Error::bad_input(path + ": xgboost.nthread must be >= 1");
  return c;
}

Expected<TrainReport> train_bundle(const std::vector<LabelledLog>& data, const TrainConfig& cfg, const std::string& out_dir,
                                   const ProgressFn& progress) {
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  if (data.empty()) return Error::bad_input("train: no --data LOG:LABELS given");
  if (cfg.bus_gap_fraction.size() != 1 && cfg.bus_gap_fraction.size() != static_cast<std::size_t>(cfg.ensemble_members))
    return Error::bad_input("train: bus_gap_fraction needs one value, or one per ensemble member");
  const std::vector<WindowClass> canon = classes_up_to(cfg.max_changes_per_window);
  const std::vector<std::string> signals = engine_signal_names();
  const features::FeatureSpace space(signals);
  std::vector<std::string> all_names(space.names().begin(), space.names().end());
  LC_TRY(all_plan, features::FeaturePlan::compile(space, all_names));
  features::Extractor all(std::move(all_plan), cfg.front_end.window.points);
  const std::size_t nf = space.size();

  // 1. Windows of every file, and the split.
  std::vector<FileRows> files;
  TrainReport rep;
  std::array<std::size_t, kStateCount> stops{};
  for (const auto& d : data) {
    say("reading " + d.log);
    LC_TRY(rows, collect(d, cfg, canon, all));
    rep.skipped_windows += rows.skipped;
    for (std::size_t i = 0; i < stops.size(); ++i) stops[i] += rows.stops[i];
    files.push_back(std::move(rows));
  }
  // Rows by reference (file, row); FRESH gets the training rows' own features as one matrix, `xt`.
  struct RowRef {
    std::uint32_t file;
    std::uint32_t row;
  };
  std::vector<RowRef> train_rows, valid_rows;
  std::vector<double> xt;
  std::vector<int> yt, pt, yv, pv;
  const bool by_file = files.size() >= cfg.min_files_for_file_split;
  const std::size_t n_valid_files =
      by_file ? std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(cfg.valid_fraction * static_cast<double>(files.size())))) : 0;
  for (std::size_t fi = 0; fi < files.size(); ++fi) {
    const FileRows& r = files[fi];
    const std::size_t n = r.cls.size();
    std::size_t cut = n;  // rows [0, cut) train, [cut, n) valid
    if (by_file) cut = fi + n_valid_files >= files.size() ? 0 : n;
    else cut = n - static_cast<std::size_t>(std::floor(cfg.valid_fraction * static_cast<double>(n)));
    for (std::size_t i = 0; i < n; ++i) {
      const bool train = i < cut;
      (train ? train_rows : valid_rows).push_back({static_cast<std::uint32_t>(fi), static_cast<std::uint32_t>(i)});
      if (train) {
        const auto at = r.feat.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(r.row_window[i]) * nf);
        xt.insert(xt.end(), at, at + static_cast<std::ptrdiff_t>(nf));
      }
      (train ? yt : yv).push_back(r.cls[i]);
      (train ? pt : pv).push_back(r.position[i]);
    }
  }
  rep.train_windows = yt.size();
  rep.valid_windows = yv.size();
  rep.windows = rep.train_windows + rep.valid_windows;
  if (rep.train_windows < 10) return Error::bad_input("train: only " + std::to_string(rep.train_windows) + " labelled training windows");

  // Every class the work cycle allows, seen in training or not. A class the models never saw still gets a
  // (small) probability, and the decoder can pass through it when the windows around it leave no other
  // path: with only the classes seen in training, a held-out UNLOADING -> EMPTY -> LOADING inside one window
  // (a quick turn at the face, rare in 18 training hours) had no class at all and its trip was lost.
  std::vector<int> canon_to_k(canon.size(), -1);
  std::vector<std::string> class_names;
  std::map<std::string, std::size_t> per_class;
  for (std::size_t c = 0; c < canon.size(); ++c) {
    canon_to_k[c] = static_cast<int>(class_names.size());
    class_names.push_back(canon[c].name());
  }
  for (int c : yt) ++per_class[canon[static_cast<std::size_t>(c)].name()];
  if (per_class.size() < 2) return Error::bad_input("train: the labels hold fewer than two window classes");

  // 2. FRESH selection on the training rows.
  say("selecting features (FRESH) on " + std::to_string(yt.size()) + " windows x " + std::to_string(nf) + " features");
  features::SelectOptions so;
  so.fdr_level = cfg.fdr_level;
  LC_TRY(table, features::calculate_relevance_table(xt, yt.size(), nf, yt, so));
  std::size_t relevant = 0;
  for (auto r : table.relevant) relevant += r;
  // Most relevant first: by p-value, then by effect size, which still ranks the many features whose
  // p-values underflow to 0 (1,456 of 3,844 relevant on 72 training hours). Ranked by p alone, those ties
  // fell to column order and the model saw little but engine speed (186 of 200 features).
  std::vector<std::size_t> selected = features::rank_relevant(table, cfg.max_features);
  std::sort(selected.begin(), selected.end());
  if (selected.empty()) return Error::bad_input("train: FRESH found no relevant feature");
  rep.selected_features = selected.size();
  xt = std::vector<double>();  // the model rows are gathered from the files' windows

  // 3. One model per position bucket.
  const std::size_t ns = selected.size();
  // Class weights from the training rows' class frequencies.
  std::vector<double> class_weight(class_names.size(), 1.0);
  if (cfg.class_weight_power > 0) {
    std::vector<double> freq(class_names.size(), 0.0);
    for (int c : yt) freq[static_cast<std::size_t>(canon_to_k[static_cast<std::size_t>(c)])] += 1.0;
    // Weights of the classes present average 1; an absent class has no rows to weigh.
    double mean_w = 0;
    std::size_t present = 0;
    for (std::size_t k = 0; k < freq.size(); ++k)
      if (freq[k] > 0) {
        mean_w += class_weight[k] = std::pow(freq[k] / static_cast<double>(yt.size()), -cfg.class_weight_power);
        ++present;
      }
    mean_w /= static_cast<double>(present);
    for (std::size_t k = 0; k < freq.size(); ++k)
      if (freq[k] > 0) class_weight[k] /= mean_w;
  }
  // Model input row: the selected features, then (with context) the same features of each previous window
  // (NaN for a missing one).
  const auto kctx = static_cast<std::size_t>(cfg.context_windows);
  const std::size_t width = ns * (1 + kctx);
  // Training rows (not validation: early stopping judges real windows) may get a copy with one message lost.
  LC_TRY(decode_plan, default_decode_plan(cfg.source_address));
  std::vector<std::size_t> feature_signal;
  for (std::size_t f : selected) feature_signal.push_back(space.slot(f).signal);
  const SignalLoss loss(decode_plan.slot_pgns(), feature_signal, 1 + kctx);
  std::size_t loss_copies = 0, gap_copies = 0;
  std::uint64_t draw_seed = cfg.xgb.seed;  // the copies' draws: each ensemble member its own
  double gap_fraction = cfg.bus_gap_for(0);
  auto gather = [&](const std::vector<RowRef>& refs, const std::vector<int>& y, const std::vector<int>& p, int bucket,
                    std::vector<float>& gx, std::vector<float>& gy, std::vector<float>* gw) {
    auto block = [&](const FileRows& r, std::int64_t window) {
      for (std::size_t f : selected)
        gx.push_back(window < 0 ? std::numeric_limits<float>::quiet_NaN()
                                : static_cast<float>(r.feat[static_cast<std::size_t>(window) * nf + f]));
    };
    for (std::size_t i = 0; i < y.size(); ++i) {
      const int k = canon_to_k[static_cast<std::size_t>(y[i])];
      if (k < 0 || (p[i] >= 0 && p[i] != bucket)) continue;
      const FileRows& r = files[refs[i].file];
      const std::size_t row = refs[i].row;
      block(r, r.row_window[row]);
      for (std::size_t j = 0; j < kctx; ++j) block(r, r.ctx[row * kctx + j]);
      gy.push_back(static_cast<float>(k));
      if (gw) gw->push_back(static_cast<float>(class_weight[static_cast<std::size_t>(k)]));
      const int lost = gw ? loss.draw(draw_seed, refs[i].file, refs[i].row,
                                      cfg.signal_loss_fraction)
                          : -1;
      const int gap = gw ? loss.draw_gap(draw_seed, refs[i].file, refs[i].row, gap_fraction) : -1;
      // Each copy starts from the row as gathered (the last `width` values before any copy: `original`).
      const std::size_t original = gx.size() - width;
      auto copy_row = [&] {
        const std::size_t at = gx.size();
        gx.resize(at + width);
        std::copy_n(gx.begin() + static_cast<std::ptrdiff_t>(original), width, gx.begin() + static_cast<std::ptrdiff_t>(at));
        gy.push_back(static_cast<float>(k));
        gw->push_back(static_cast<float>(class_weight[static_cast<std::size_t>(k)]));
        return std::span<float>(gx).last(width);
      };
      if (lost >= 0) {
        loss.apply(static_cast<std::size_t>(lost), copy_row());
        ++loss_copies;
      }
      if (gap >= 0) {
        loss.blank_block(static_cast<std::size_t>(gap), copy_row());
        ++gap_copies;
      }
    }
  };
  Manifest m;
  const FrontEndConfig& fe = cfg.front_end;
  m.sample_rate_hz = fe.grid.rate_hz;
  m.staleness_s = fe.grid.staleness_s;
  m.segment_gap_s = fe.grid.segment_gap_s;
  m.window_points = fe.window.points;
  m.window_hop = fe.window.hop;
  m.source_address = cfg.source_address;
  m.signals = signals;
  for (std::size_t f : selected) m.features.push_back(space.name(f));
  m.classes = class_names;
  if (cfg.decoder_prior_power > 0) {
    // Add-one smoothed training frequencies, so a class unseen in training gets a large but finite weight.
    const double k = static_cast<double>(class_names.size());
    for (const auto& c : class_names) {
      const auto it = per_class.find(c);
      const double count = it == per_class.end() ? 0.0 : static_cast<double>(it->second);
      const double prior = (count + 1.0) / (static_cast<double>(yt.size()) + k);
      m.decoder_class_weights.push_back(std::pow(prior * k, -cfg.decoder_prior_power));
    }
  }
  m.decoder_prob_floor = cfg.decoder_prob_floor;
  m.decoder_min_load_to_trip_s = cfg.decoder_min_load_to_trip_s;
  // The segment-end prior: add-one smoothed frequencies of the states the machine stopped in, as logs relative
  // to the most frequent (so each is <= 0). None without a stop in the data.
  std::size_t n_stops = 0;
  for (auto n : stops) n_stops += n;
  if (n_stops > 0) {
    const std::size_t most = *std::max_element(stops.begin(), stops.end());
    for (auto n : stops)
      m.decoder_segment_end_log_prior.push_back(std::log((static_cast<double>(n) + 1.0) / (static_cast<double>(most) + 1.0)));
  }
  for (const auto& a : class_names)
    for (const auto& b : class_names)
      if (parse_window_class(b)->first() == parse_window_class(a)->last()) m.transitions.emplace_back(a, b);
  m.position_buckets = cfg.position_buckets;
  m.context_windows = cfg.context_windows;
  m.max_changes_per_window = cfg.max_changes_per_window;
  std::vector<std::string> model_json;
  nlohmann::json rounds = nlohmann::json::array();
  // Ensemble members differ in their seed: XGBoost's, and the draws of the copies, so each member learns from
  // other copies; and, where model.bus_gap_fraction gives one value per member, in their share of bus-gap copies.
  // Member 0 is the model a single-member run with member 0's settings trains. Each position's members are then
  // folded into one model, the mean of their margins (model/ensemble.h): a bundle keeps one model per position.
  std::vector<std::vector<std::string>> member_json(static_cast<std::size_t>(cfg.position_buckets));
  for (int e = 0; e < cfg.ensemble_members; ++e) {
    TrainParams params = cfg.xgb;
    params.seed = cfg.xgb.seed + static_cast<std::uint64_t>(e);
    draw_seed = params.seed;
    gap_fraction = cfg.bus_gap_for(e);
    for (int b = 0; b < cfg.position_buckets; ++b) {
      std::vector<float> gx, gy, gw, vx, vy;
      const std::size_t copies_before = loss_copies, gap_copies_before = gap_copies;
      gather(train_rows, yt, pt, b, gx, gy, &gw);
      gather(valid_rows, yv, pv, b, vx, vy, nullptr);
      if (e > 0) loss_copies = copies_before;  // the manifest counts member 0's copies (the others draw about as many)
      const std::string name = "position_" + std::to_string(b) + (e > 0 ? " member " + std::to_string(e) : std::string());
      say("training " + name + " on " + std::to_string(gy.size()) + " windows (" + std::to_string(vy.size()) + " validation)");
      LC_TRY(res, train_softprob(gx, gy, gw, width, class_names.size(), vx, vy, params));
      rep.best_rounds.push_back(res.best_rounds);
      nlohmann::json r = {{"position", b}, {"rounds", res.best_rounds}, {"train_windows", gy.size()},
                          {"valid_windows", vy.size()},
                          {"valid_mlogloss", std::isnan(res.best_valid_mlogloss) ? nlohmann::json(nullptr) : nlohmann::json(res.best_valid_mlogloss)}};
      if (cfg.ensemble_members > 1) r["member"] = e;
      if (gap_fraction > 0) r["bus_gap_copies"] = gap_copies - gap_copies_before;
      rounds.push_back(std::move(r));
      LC_TRY(json, res.booster.to_json());
      member_json[static_cast<std::size_t>(b)].push_back(std::move(json));
    }
  }
  for (int b = 0; b < cfg.position_buckets; ++b) {
    const std::string file = "position_" + std::to_string(b) + ".json";
    LC_TRY(json, mean_margin_model(member_json[static_cast<std::size_t>(b)], out_dir + "/" + file));
    model_json.push_back(std::move(json));
    m.models.push_back(file);
  }
  // The shortest time from a load to the trip after it in the labels: what decoder_min_load_to_trip_s is
  // chosen against (tools/train_default.toml).
  double shortest = std::numeric_limits<double>::infinity();
  for (const auto& d : data) {
    LC_TRY(labels, read_labels_csv(d.labels));
    double load = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 1; i < labels.size(); ++i) {
      const State a = labels[i - 1].state, b = labels[i].state;
      if (is_load(a, b)) load = labels[i].start_s;
      if (is_trip(a, b) && !std::isnan(load)) {
        shortest = std::min(shortest, labels[i].start_s - load);
        load = std::numeric_limits<double>::quiet_NaN();
      }
    }
  }
  nlohmann::json stops_json = nlohmann::json::object();
  for (int st = 0; st < kStateCount; ++st) stops_json[std::string(kStateNames[st])] = stops[static_cast<std::size_t>(st)];
  nlohmann::json files_j = nlohmann::json::array();
  for (const auto& d : data) files_j.push_back({{"log", d.log}, {"labels", d.labels}});
  m.training = {{"files", files_j},
                {"windows", rep.windows},
                {"train_windows", rep.train_windows},
                {"valid_windows", rep.valid_windows},
                {"skipped_windows", rep.skipped_windows},
                {"split", by_file ? "whole files" : "last time block of each file"},
                {"windows_per_class", per_class},
                {"relevant_features", relevant},
                {"selected_features", ns},
                {"fdr_level", cfg.fdr_level},
                {"class_weight_power", cfg.class_weight_power},
                {"decoder_prior_power", cfg.decoder_prior_power},
                {"context_windows", cfg.context_windows},
                {"signal_loss_fraction", cfg.signal_loss_fraction},
                {"signal_loss_copies", loss_copies},
                {"segment_end_states", stops_json},
                {"shortest_load_to_trip_s", std::isfinite(shortest) ? nlohmann::json(std::round(shortest * 1000) / 1000) : nlohmann::json(nullptr)},
                {"models", rounds},
                {"xgboost", {{"version", xgboost_version()}, {"max_depth", cfg.xgb.max_depth}, {"eta", cfg.xgb.eta},
                             {"max_rounds", cfg.xgb.max_rounds}, {"early_stopping_rounds", cfg.xgb.early_stopping_rounds},
                             {"seed", cfg.xgb.seed}, {"nthread", cfg.xgb.nthread}}}};
  // Only for an ensemble, so a single-member bundle's manifest stays what earlier trainers wrote (train_default.sh
  // rebuilds models/default byte for byte).
  if (cfg.ensemble_members > 1) m.training["ensemble_members"] = cfg.ensemble_members;
  // Likewise only with bus-gap copies (each model's entry in "models" then counts its own).
  if (gap_copies > 0)
    m.training["bus_gap_fraction"] =
        cfg.bus_gap_fraction.size() == 1 ? nlohmann::json(cfg.bus_gap_fraction[0]) : nlohmann::json(cfg.bus_gap_fraction);
  say("writing " + out_dir);
  LC_TRY_STATUS(ModelBundle::save(out_dir, m, model_json));
  rep.manifest = std::move(m);
  return rep;
}

}  // namespace lc::model
