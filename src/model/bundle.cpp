#include "model/bundle.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "signals/engine_signals.h"
#include "util/file.h"
#include "util/fingerprint.h"
#include "util/mapped_file.h"

namespace lc::model {

FrontEndConfig Manifest::front_end() const {
  FrontEndConfig c;
  c.grid.rate_hz = sample_rate_hz;
  c.grid.staleness_s = staleness_s;
  c.grid.segment_gap_s = segment_gap_s;
  c.window.points = window_points;
  c.window.hop = window_hop;
  return c;
}

Expected<Manifest> parse_manifest(const std::string& text, const std::string& name) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Error::bad_input(name + ": not valid JSON: " + e.what());
  }
  Manifest m;
  std::string field;
  try {
    field = "format_version";
    m.format_version = j.at(field).get<int>();
    if (m.format_version != kBundleFormatVersion)
      return Error::bad_input(name + ": format_version " + std::to_string(m.format_version) + " is not supported (this build reads " +
                              std::to_string(kBundleFormatVersion) + ")");
    field = "sample_rate_hz";
    m.sample_rate_hz = j.at(field).get<double>();
    field = "staleness_s";
    m.staleness_s = j.at(field).get<double>();
    field = "segment_gap_s";
    m.segment_gap_s = j.at(field).get<double>();
    field = "window_points";
    m.window_points = j.at(field).get<std::size_t>();
    field = "window_hop";
    m.window_hop = j.at(field).get<std::size_t>();
    field = "source_address";
    m.source_address = static_cast<std::uint8_t>(j.at(field).get<unsigned>());
    field = "signals";
    m.signals = j.at(field).get<std::vector<std::string>>();
    field = "features";
    m.features = j.at(field).get<std::vector<std::string>>();
    field = "classes";
    m.classes = j.at(field).get<std::vector<std::string>>();
    field = "transitions";
    m.transitions = j.at(field).get<std::vector<std::pair<std::string, std::string>>>();
    field = "position_buckets";
    m.position_buckets = j.at(field).get<int>();
    field = "max_changes_per_window";
    m.max_changes_per_window = j.value(field, 1);
    field = "models";
    m.models = j.at(field).get<std::vector<std::string>>();
    field = "context_windows";
    m.context_windows = j.value(field, 0);
    field = "decoder_class_weights";
    if (j.contains(field)) m.decoder_class_weights = j.at(field).get<std::vector<double>>();
    field = "decoder_prob_floor";
    if (j.contains(field)) m.decoder_prob_floor = j.at(field).get<double>();
    field = "decoder_min_load_to_trip_s";
    if (j.contains(field)) m.decoder_min_load_to_trip_s = j.at(field).get<double>();
    field = "decoder_segment_end_log_prior";
    if (j.contains(field)) {
      const auto& o = j.at(field);
      if (!o.is_object()) return Error::bad_input(name + ": field '" + field + "': must be an object of state: log-prior");
      m.decoder_segment_end_log_prior.assign(kStateCount, 0.0);
      std::array<bool, kStateCount> seen{};
      for (const auto& [state, v] : o.items()) {
        const auto st = parse_state(state);
        if (!st) return Error::bad_input(name + ": field '" + field + "': '" + state + "' is not a state");
        const double lp = v.get<double>();
        if (!(std::isfinite(lp) && lp <= 0))
          return Error::bad_input(name + ": field '" + field + "': " + state + " must be a finite value <= 0");
        m.decoder_segment_end_log_prior[static_cast<std::size_t>(*st)] = lp;
        seen[static_cast<std::size_t>(*st)] = true;
      }
      for (int s = 0; s < kStateCount; ++s)
        if (!seen[static_cast<std::size_t>(s)])
          return Error::bad_input(name + ": field '" + field + "': no value for " + std::string(kStateNames[s]));
    }
    if (j.contains("training")) m.training = std::move(j["training"]);  // moved: the document is dropped next
    if (j.contains("metrics")) m.metrics = std::move(j["metrics"]);
  } catch (const nlohmann::json::exception& e) {
    return Error::bad_input(name + ": field '" + field + "': " + e.what());
  }
  auto bad = [&](const std::string& f, const std::string& msg) { return Error::bad_input(name + ": field '" + f + "': " + msg); };
  if (!(m.sample_rate_hz > 0 && m.sample_rate_hz <= 100)) return bad("sample_rate_hz", "must be in (0, 100]");
  if (!(m.staleness_s >= 0)) return bad("staleness_s", "must be >= 0");
  if (!(m.segment_gap_s > 0)) return bad("segment_gap_s", "must be > 0");
  if (m.window_points < 2 || m.window_points > 1000) return bad("window_points", "must be 2..1000");
  if (m.window_hop < 1 || m.window_hop > m.window_points) return bad("window_hop", "must be 1..window_points");
  if (m.signals.size() != kSignalCount) return bad("signals", "must list the ten engine signals");
  for (std::size_t i = 0; i < kSignalCount; ++i)
    if (m.signals[i] != kEngineSignals[i].name)
      return bad("signals", "entry " + std::to_string(i) + " is '" + m.signals[i] + "', expected '" +
                                std::string(kEngineSignals[i].name) + "'");
  if (m.features.empty()) return bad("features", "is empty");
  if (m.classes.size() < 2) return bad("classes", "needs at least two classes");
  for (const auto& c : m.classes)
    if (!parse_window_class(c)) return bad("classes", "'" + c + "' is not a window class");
  for (const auto& [a, b] : m.transitions)
    if (std::find(m.classes.begin(), m.classes.end(), a) == m.classes.end() ||
        std::find(m.classes.begin(), m.classes.end(), b) == m.classes.end())
      return bad("transitions", "[" + a + ", " + b + "] names a class not in 'classes'");
  if (m.position_buckets < 1) return bad("position_buckets", "must be >= 1");
  if (m.context_windows < 0 || m.context_windows > kMaxContextWindows)
    return bad("context_windows", "must be 0.." + std::to_string(kMaxContextWindows));
  if (!m.decoder_class_weights.empty()) {
    if (m.decoder_class_weights.size() != m.classes.size())
      return bad("decoder_class_weights", "has " + std::to_string(m.decoder_class_weights.size()) + " entries for " +
                                              std::to_string(m.classes.size()) + " classes");
    for (double w : m.decoder_class_weights)
      if (!(w > 0 && std::isfinite(w))) return bad("decoder_class_weights", "entries must be positive and finite");
  }
  if (m.decoder_prob_floor && !(*m.decoder_prob_floor > 0 && *m.decoder_prob_floor <= 1))
    return bad("decoder_prob_floor", "must be in (0, 1]");
  if (m.decoder_min_load_to_trip_s && !(*m.decoder_min_load_to_trip_s >= 0 && *m.decoder_min_load_to_trip_s <= 60))
    return bad("decoder_min_load_to_trip_s", "must be seconds in [0, 60]");
  if (static_cast<int>(m.models.size()) != m.position_buckets)
    return bad("models", "lists " + std::to_string(m.models.size()) + " models for " + std::to_string(m.position_buckets) +
                             " position buckets");
  for (const auto& f : m.models)
    if (f.empty() || f.find('/') != std::string::npos || f.find("..") != std::string::npos)
      return bad("models", "'" + f + "' must be a plain file name inside the bundle");
  return m;
}

std::string manifest_to_json(const Manifest& m) {
  nlohmann::ordered_json j;
  j["format_version"] = m.format_version;
  j["sample_rate_hz"] = m.sample_rate_hz;
  j["staleness_s"] = m.staleness_s;
  j["segment_gap_s"] = m.segment_gap_s;
  j["window_points"] = m.window_points;
  j["window_hop"] = m.window_hop;
  j["source_address"] = m.source_address;
  j["signals"] = m.signals;
  j["classes"] = m.classes;
  j["transitions"] = m.transitions;
  j["position_buckets"] = m.position_buckets;
  j["max_changes_per_window"] = m.max_changes_per_window;
  j["models"] = m.models;
  if (m.context_windows > 0) j["context_windows"] = m.context_windows;
  if (!m.decoder_class_weights.empty()) j["decoder_class_weights"] = m.decoder_class_weights;
  if (m.decoder_prob_floor) j["decoder_prob_floor"] = *m.decoder_prob_floor;
  if (m.decoder_min_load_to_trip_s) j["decoder_min_load_to_trip_s"] = *m.decoder_min_load_to_trip_s;
  if (!m.decoder_segment_end_log_prior.empty()) {
    nlohmann::ordered_json o;
    for (int s = 0; s < kStateCount; ++s)
      o[std::string(kStateNames[s])] = m.decoder_segment_end_log_prior[static_cast<std::size_t>(s)];
    j["decoder_segment_end_log_prior"] = o;
  }
  j["features"] = m.features;
  j["training"] = m.training;
  j["metrics"] = m.metrics;
  return j.dump(2) + "\n";
}

std::optional<Engine> parse_engine(std::string_view name) {
  if (name == "forest") return Engine::forest;
  if (name == "xgboost") return Engine::xgboost;
  return std::nullopt;
}

const char* engine_name(Engine e) { return e == Engine::forest ? "forest" : "xgboost"; }

Expected<Manifest> ModelBundle::read_manifest(const std::string& dir) {
  const std::string mpath = dir + "/manifest.json";
  LC_TRY(text, read_file(mpath));
  return parse_manifest(text, mpath);
}

Expected<ModelBundle> ModelBundle::load(const std::string& dir, Engine engine) {
  LC_TRY(m, read_manifest(dir));
  return load(dir, std::move(m), engine);
}

Expected<ModelBundle> ModelBundle::load(const std::string& dir, Manifest manifest, Engine engine) {
  ModelBundle b;
  b.m_dir = dir;
  b.m_engine = engine;
  b.m_manifest = std::move(manifest);
  for (const auto& c : b.m_manifest.classes) b.m_classes.push_back(*parse_window_class(c));
  const std::size_t n_models = b.m_manifest.models.size();
  std::vector<std::string> paths;
  for (const auto& f : b.m_manifest.models) paths.push_back(dir + "/" + f);
  // Each forest comes from its compiled form when that was made from this very JSON (fingerprint), else from
  // the JSON. One after the other on this thread: replay's reader thread is cutting windows meanwhile (its
  // queue holds them until the models are ready), and on two cores a thread per model only took CPU from it
  // (the 1 h replay: 63.6 -> 61.2 ms, and a 100-line one no slower; BENCHMARKS.md, session 7).
  std::vector<std::optional<Expected<Forest>>> forests(engine == Engine::forest ? n_models : 0);
  std::vector<char> compiled(forests.size(), 0);
  // The files are mapped, not read: the JSON is only fingerprinted when its compiled form is current.
  auto build = [&](std::size_t i) {
    auto json = MappedFile::open(paths[i]);
    if (!json) {
      forests[i].emplace(json.error());
      return;
    }
    const std::string cpath = dir + "/" + compiled_name(b.m_manifest.models[i]);
    if (auto bytes = MappedFile::open(cpath)) {
      auto f = Forest::from_binary(bytes->bytes(), fingerprint64(json->bytes()), cpath);
      if (f) {
        compiled[i] = 1;
        forests[i].emplace(std::move(f));
        return;
      }
    }
    forests[i].emplace(Forest::from_xgboost_json(json->bytes(), paths[i]));
  };
  for (std::size_t i = 0; i < forests.size(); ++i) build(i);
  // Every feature name must be computable.
  std::vector<std::string> signals(b.m_manifest.signals);
  auto plan = features::FeaturePlan::compile(signals, b.m_manifest.features);
  b.m_loaded_compiled.assign(compiled.begin(), compiled.end());
  if (!plan) return plan.error();
  b.m_plan = std::move(*plan);
  for (std::size_t i = 0; i < n_models; ++i) {
    const std::string& path = paths[i];
    std::size_t features = 0, classes = 0;
    if (engine == Engine::forest) {
      if (!*forests[i]) return forests[i]->error();
      Forest& forest = **forests[i];
      features = forest.num_features();
      classes = forest.num_classes();
      b.m_forests.push_back(std::move(forest));
    } else {
      LC_TRY(json, read_file(path));
      LC_TRY(booster, Booster::from_json(json, path));
      features = booster.num_features();
      classes = booster.num_classes();
      b.m_boosters.push_back(std::move(booster));
    }
    const std::size_t inputs = b.m_manifest.features.size() * static_cast<std::size_t>(1 + b.m_manifest.context_windows);
    if (features != inputs)
      return Error::bad_input(path + ": model has " + std::to_string(features) + " inputs, the manifest's features" +
                              (b.m_manifest.context_windows ? " (this window's and the previous ones')" : "") + " are " +
                              std::to_string(inputs));
    if (classes != b.m_manifest.classes.size())
      return Error::bad_input(path + ": model has " + std::to_string(classes) + " classes, manifest lists " +
                              std::to_string(b.m_manifest.classes.size()));
  }
  return b;
}

Status ModelBundle::save(const std::string& dir, const Manifest& m, const std::vector<std::string>& model_json) {
  if (model_json.size() != m.models.size()) return Error::internal("bundle save: model count mismatch");
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Error::bad_input(dir + ": cannot create directory: " + std::strerror(errno));
  for (std::size_t i = 0; i < model_json.size(); ++i) {
    const std::string path = dir + "/" + m.models[i];
    LC_TRY_STATUS(write_file_atomic(path, model_json[i]));
    LC_TRY(forest, Forest::from_xgboost_json(model_json[i], path));
    LC_TRY_STATUS(write_file_atomic(dir + "/" + compiled_name(m.models[i]), forest.to_binary(fingerprint64(model_json[i]))));
  }
  return write_file_atomic(dir + "/manifest.json", manifest_to_json(m));
}

Status ModelBundle::compile(const std::string& dir) {
  LC_TRY(m, read_manifest(dir));
  for (const auto& f : m.models) {
    const std::string path = dir + "/" + f;
    LC_TRY(json, read_file(path));
    LC_TRY(forest, Forest::from_xgboost_json(json, path));
    LC_TRY_STATUS(write_file_atomic(dir + "/" + compiled_name(f), forest.to_binary(fingerprint64(json))));
  }
  return ok();
}

std::string ModelBundle::compiled_name(const std::string& model_file) {
  constexpr std::string_view kJson = ".json";
  if (model_file.size() > kJson.size() && model_file.compare(model_file.size() - kJson.size(), kJson.size(), kJson) == 0)
    return model_file.substr(0, model_file.size() - kJson.size()) + ".forest";
  return model_file + ".forest";
}

WindowScorer::WindowScorer(ModelBundle bundle, features::Extractor extractor)
    : m_bundle(std::move(bundle)), m_extractor(std::move(extractor)) {
  const std::size_t k = m_bundle.manifest().classes.size();
  const std::size_t nf = m_bundle.manifest().features.size();
  m_input.assign(nf * static_cast<std::size_t>(1 + m_bundle.manifest().context_windows), 0.0f);
  m_prev.assign(nf * static_cast<std::size_t>(m_bundle.manifest().context_windows), std::numeric_limits<float>::quiet_NaN());
  m_out.assign(k, 0.0f);
  m_probs.assign(k, 1.0 / static_cast<double>(k));
  m_positions.assign(k, 0);
  for (auto& b : m_bundle.boosters()) b.bind_input(m_input.data(), m_input.size());
}

Expected<std::unique_ptr<WindowScorer>> WindowScorer::create(ModelBundle bundle) {
  features::Extractor ex(bundle.feature_plan(), bundle.manifest().window_points);
  return std::unique_ptr<WindowScorer>(new WindowScorer(std::move(bundle), std::move(ex)));
}

// Context bookkeeping for window w whose features are in m_input[0, nf): the previous windows' features go
// after them in m_input, then w joins the history. The chain of previous windows holds only while each
// window follows the last one in the same segment; a break makes them all missing (NaN).
void WindowScorer::push_context(const Window& w) {
  if (m_prev.empty()) return;
  const std::size_t nf = m_bundle.manifest().features.size();
  if (w.segment_start || m_prev_end_ns != w.start_ns) std::fill(m_prev.begin(), m_prev.end(), std::numeric_limits<float>::quiet_NaN());
  std::copy(m_prev.begin(), m_prev.end(), m_input.begin() + static_cast<std::ptrdiff_t>(nf));
  std::copy_backward(m_prev.begin(), m_prev.end() - static_cast<std::ptrdiff_t>(nf), m_prev.end());
  std::copy_n(m_input.begin(), nf, m_prev.begin());
  m_prev_end_ns = w.end_ns;
}

void WindowScorer::observe(const Window& w) {
  if (m_prev.empty()) return;
  const std::size_t nf = m_bundle.manifest().features.size();
  m_extractor.extract(std::span<const std::span<const double>>(w.series.data(), w.series.size()), std::span<float>(m_input.data(), nf));
  push_context(w);
}

Status WindowScorer::score(const Window& w) {
  const std::size_t nf = m_bundle.manifest().features.size();
  m_extractor.extract(std::span<const std::span<const double>>(w.series.data(), w.series.size()), std::span<float>(m_input.data(), nf));
  push_context(w);
  std::fill(m_probs.begin(), m_probs.end(), -1.0);
  const std::size_t models = m_bundle.model_count();
  for (std::size_t p = 0; p < models; ++p) {
    if (m_bundle.engine() == Engine::forest) {
      m_bundle.forests()[p].predict(m_input.data(), m_out);
    } else {
      const Status st = m_bundle.boosters()[p].predict_bound(m_out);
      if (!st) {
        std::fill(m_probs.begin(), m_probs.end(), 1.0 / static_cast<double>(m_probs.size()));
        return st;
      }
    }
    for (std::size_t c = 0; c < m_out.size(); ++c)
      if (m_out[c] > m_probs[c]) {
        m_probs[c] = m_out[c];
        m_positions[c] = static_cast<std::uint8_t>(p);
      }
  }
  return ok();
}

}  // namespace lc::model
