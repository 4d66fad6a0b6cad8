#!/usr/bin/env bash
# Cross-compiles the whole tree for aarch64 and runs the unit tests under qemu-aarch64 (user mode, no binfmt
# needed: CMAKE_CROSSCOMPILING_EMULATOR in toolchains/aarch64-linux-gnu.cmake).
#
# Usage: tools/cross_test.sh [--setup] [--jobs N] [--keep-going] [-- extra ctest args]
#   --setup       run tools/setup_arm64_sysroot.sh first (needed once per machine)
#   --jobs N      parallel compile and test jobs (default 2: the machine is shared)
#   --keep-going  build what compiles (ninja -k 0) and run the tests that were built, still failing at the end
#                 if anything did not build (for a tree that other people are in the middle of changing)
# Exits non-zero if setup, configure, build or any test fails. Prints how long each step took.
#
# Which tests run under qemu: all of them except
#   - tests labelled `slow_emulated` (too slow under TCG emulation; none today: the slowest, the simulator's
#     long-run test, needs 33 s of CPU under qemu against 1.1 s natively);
#   - tests that start a target program themselves (std::system("…/bin/loadercount …")) put the emulator in
#     front of it (LC_RUN_PREFIX, tests/CMakeLists.txt): under user-mode qemu the child is handed to the host
#     kernel, which cannot run an aarch64 ELF without binfmt_misc.
# Every test has a time limit (kTestTimeout) so a hang fails the run instead of blocking it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

readonly kTestTimeout=600  # seconds per test; the slowest (Simulator.LongRuns...) takes 30-200 s under qemu

setup=0
keep_going=0
jobs=2
extra=()
while (($#)); do
  case "$1" in
    --setup) setup=1 ;;
    --jobs) jobs=$2; shift ;;
    --keep-going) keep_going=1 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "cross_test.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

declare -A took
summary() {
  local line="cross_test.sh: aarch64 $1;"
  for name in setup configure build test; do
    if [[ -n "${took[$name]:-}" ]]; then line+=" $name ${took[$name]} s"; fi
  done
  echo "$line"
}
step() {  # step NAME command...: runs it and records its seconds; stops the script on failure
  local name=$1; shift
  local t0=$SECONDS
  echo "cross_test.sh: == $name: $*"
  if "$@"; then
    took[$name]=$((SECONDS - t0))
  else
    took[$name]=$((SECONDS - t0))
    summary "FAILED in $name" >&2
    exit 1
  fi
}

if ((setup)); then step setup tools/setup_arm64_sysroot.sh; fi
step configure cmake --preset aarch64

build_failed=0
if ((keep_going)); then
  t0=$SECONDS
  echo "cross_test.sh: == build (keep going): cmake --build --preset aarch64 -j $jobs -- -k 0"
  cmake --build --preset aarch64 -j "$jobs" -- -k 0 || build_failed=1
  took[build]=$((SECONDS - t0))
  if ((build_failed)); then
    echo "cross_test.sh: the build had failures; running the tests that were built" >&2
    extra+=(--no-tests=ignore)
  fi
else
  step build cmake --build --preset aarch64 -j "$jobs"
fi

step test ctest --preset aarch64 -j "$jobs" --timeout "$kTestTimeout" -LE slow_emulated \
  "${extra[@]}"
if ((build_failed)); then
  summary "tests passed but the BUILD FAILED" >&2
  exit 1
fi
summary OK
