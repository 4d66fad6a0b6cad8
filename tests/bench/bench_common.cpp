#include "bench_common.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "can/candump.h"
#include "window/frame_pipeline.h"

namespace lc::bench {

OwnedWindow& OwnedWindow::operator=(const OwnedWindow& o) {
  if (this == &o) return *this;
  samples = o.samples;
  points = o.points;
  window = o.window;
  rebind();
  return *this;
}

void OwnedWindow::rebind() {
  for (std::size_t s = 0; s < kSignalCount; ++s)
    window.series[s] = std::span<const double>(samples.data() + s * points, points);
}

namespace {

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "bench: %s\n", msg.c_str());
  std::exit(2);
}

}  // namespace

Options take_options(int& argc, char** argv) {
  Options o;
#ifdef LC_SOURCE_DIR
  if (is_dir(std::string(LC_SOURCE_DIR) + "/models/default"))
    o.model_dir = std::string(LC_SOURCE_DIR) + "/models/default";
#endif
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--model=", 0) == 0) {
      o.model_dir = a.substr(8);
    } else if (a.rfind("--log=", 0) == 0) {
      o.log = a.substr(6);
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  return o;
}

std::optional<model::ModelBundle> load_bundle_or_exit(const std::string& dir, model::Engine engine) {
  if (dir.empty()) return std::nullopt;
  auto b = model::ModelBundle::load(dir, engine);
  if (!b) die(b.error().message);
  return std::move(*b);
}

std::vector<OwnedWindow> windows_from_log(const std::string& path, const model::Manifest* manifest) {
  FrontEndConfig fe;
  std::uint8_t sa = kEngineSourceAddress;
  if (manifest) {
    fe = manifest->front_end();
    sa = manifest->source_address;
  }
  auto plan = default_decode_plan(sa);
  if (!plan) die(plan.error().message);
  std::vector<OwnedWindow> out;
  const std::size_t points = fe.window.points;
  FramePipeline pipe(std::move(*plan), fe, [&](const Window& w) {
    OwnedWindow o;
    o.points = points;
    o.samples.resize(kSignalCount * points);
    for (std::size_t s = 0; s < kSignalCount; ++s)
      std::memcpy(o.samples.data() + s * points, w.series[s].data(), points * sizeof(double));
    o.window = w;
    o.rebind();
    out.push_back(std::move(o));
  });
  auto st = can::read_candump_file(path, [&](const can::Frame& f) { pipe.push(f); });
  if (!st) die(st.error().message);
  pipe.finish();
  if (out.empty()) die(path + ": no windows");
  return out;
}

std::vector<OwnedWindow> random_windows(std::size_t count, std::size_t points, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<OwnedWindow> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    OwnedWindow& o = out[i];
    o.points = points;
    o.samples.resize(kSignalCount * points);
    for (double& v : o.samples) v = normal(rng);
    o.window.index = i;
    o.rebind();
  }
  return out;
}

std::vector<std::string> signal_names() {
  std::vector<std::string> names;
  for (const auto& s : kEngineSignals) names.emplace_back(s.name);
  return names;
}

}  // namespace lc::bench
