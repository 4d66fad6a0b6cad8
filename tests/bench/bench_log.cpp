// The front half of replay on its own, to split `loadercount replay`'s time into reading, J1939 decoding and
// the grid/windows, and the model part (the rest).
//
//   bench_log MODE LOG      MODE: read | decode | frontend
//     read      read_candump_file: block reads and line parsing only
//     decode    read + DecodePlan::decode of every frame (the built-in DBC, engine source address)
//     frontend  read + FramePipeline (decode, 1 Hz sample grid, 5 s windows): everything but features/models
// Prints one JSON object: {"mode", "frames", "bytes", "seconds", "windows"}; seconds are steady_clock time of
// the work alone (process start-up excluded; tools/bench_run.py also measures whole-process wall time).
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_common.h"
#include "can/candump.h"
#include "window/frame_pipeline.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_log read|decode|frontend LOG\n");
    return 2;
  }
  const std::string mode = argv[1], path = argv[2];
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) {
    std::fprintf(stderr, "bench_log: %s: cannot stat\n", path.c_str());
    return 2;
  }
  auto plan = lc::default_decode_plan();
  if (!plan) {
    std::fprintf(stderr, "bench_log: %s\n", plan.error().message.c_str());
    return 1;
  }
  std::uint64_t frames = 0, values = 0, windows = 0;
  const auto t0 = std::chrono::steady_clock::now();
  lc::Expected<lc::can::ReadStats> st = lc::Error::internal("no mode");
  if (mode == "read") {
    st = lc::can::read_candump_file(path, [&](const lc::can::Frame& f) { frames += f.dlc; });
  } else if (mode == "decode") {
    std::vector<lc::dbc::DecodedValue> out(plan->max_values_per_frame());
    st =
        lc::can::read_candump_file(path, [&](const lc::can::Frame& f) { values += plan->decode(f, out.data()).count; });
  } else if (mode == "frontend") {
    lc::FramePipeline pipe(std::move(*plan), lc::FrontEndConfig{}, [&](const lc::Window&) { ++windows; });
    st = lc::can::read_candump_file(path, [&](const lc::can::Frame& f) { pipe.push(f); });
    pipe.finish();
  } else {
    std::fprintf(stderr, "bench_log: unknown mode '%s'\n", mode.c_str());
    return 2;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!st) {
    std::fprintf(stderr, "bench_log: %s\n", st.error().message.c_str());
    return st.error().exit_code();
  }
  std::printf(
      "{\"mode\": \"%s\", \"frames\": %llu, \"bytes\": %lld, \"seconds\": %.6f, \"windows\": %llu, \"values\": %llu}\n",
      mode.c_str(), static_cast<unsigned long long>(st->frames), static_cast<long long>(sb.st_size), secs,
      static_cast<unsigned long long>(windows), static_cast<unsigned long long>(values));
  return 0;
}
