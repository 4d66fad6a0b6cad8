#!/usr/bin/env bash
# Builds the benchmark programs and runs every benchmark; prints BENCHMARKS.md-ready tables and updates the
# generated part of BENCHMARKS.md (between the bench:begin/bench:end markers; text outside them is kept).
#
#   tools/bench.sh [--quick] [--model DIR] [--build DIR] [--work DIR] [--no-build] [--reps N]
#                  [--skip-24h] [--skip-train] [--no-profile] [--out FILE]
#
#   --quick       1 h log only: no 24 h log, no training, no profiles, fewer repetitions (about 30 s here)
#   --model DIR   model bundle to measure (default: models/default; without one the full run uses the model it
#                 trains from 10 simulated hours, --quick trains a small one from 3 x 30 min)
#   --build DIR   build directory (default: build-bench, configured like the `bench` preset)
#   --work DIR    scratch directory for simulated logs, models and callgrind files (default: /tmp/lc-bench)
#   --reps N      rounds of the throughput commands, which take turns (default 11; --quick 5)
# Needs: cmake, ninja, a C++20 compiler, libbenchmark-dev, valgrind, GNU time (/usr/bin/time), /usr/bin/python3
# with python3-can (tools/setup.sh installs them).
# The full run takes about 3 minutes here once the 1 h and 24 h logs exist (the first run simulates them too).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
build_it=1
orig_args="$*"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build=$(realpath -m "$2"); shift 2 ;;
    --no-build) build_it=0; shift ;;
    --model|--work|--reps|--out) args+=("$1" "$2"); shift 2 ;;
    --quick|--skip-24h|--skip-train|--no-profile) args+=("$1"); shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

for tool in cmake ninja valgrind callgrind_annotate /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench.sh: '$tool' not found (tools/setup.sh installs it)" >&2; exit 2; }
done

if [[ $build_it == 1 ]]; then
  cfg=(-S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLC_WERROR=ON -DLC_BUILD_BENCHMARKS=ON
       -DLC_BUILD_TESTS=OFF)
  cmake "${cfg[@]}" >/dev/null
  cmake --build "$build" --target loadercount bench_window bench_window_cost bench_log -j2
fi

exec /usr/bin/python3 "$root/tools/bench_run.py" --build "$build" --command-line "tools/bench.sh $orig_args" "${args[@]}"
