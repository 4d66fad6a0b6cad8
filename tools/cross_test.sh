#!/usr/bin/env bash
# Cross-compiles the whole tree for aarch64 and runs the unit tests under qemu-aarch64 (user mode, no binfmt
# needed: CMAKE_CROSSCOMPILING_EMULATOR in toolchains/aarch64-linux-gnu.cmake).
#
# Usage: tools/cross_test.sh [--setup] [--jobs N] [-- extra ctest args]
#   --setup    run tools/setup_arm64_sysroot.sh first (needed once per machine)
#   --jobs N   parallel compile and test jobs (default 2: the machine is shared)
# Exits non-zero if setup, configure, build or any test fails. Prints how long each step took.
#
# Which tests run: every ctest test of the aarch64 build except those labelled `slow_emulated`; a test that
# is too slow under TCG emulation gets that label (with the reason beside it in its CMakeLists.txt) and runs
# natively in tools/test.sh instead. Today no test carries it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

setup=0
jobs=2
extra=()
while (($#)); do
  case "$1" in
    --setup) setup=1 ;;
    --jobs) jobs=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "cross_test.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

declare -A took
step() {  # step NAME command...: runs it, records seconds, stops the script on failure
  local name=$1; shift
  local t0=$SECONDS
  echo "cross_test.sh: == $name: $*"
  if ! "$@"; then
    echo "cross_test.sh: $name FAILED after $((SECONDS - t0)) s" >&2
    exit 1
  fi
  took[$name]=$((SECONDS - t0))
}

if ((setup)); then step setup tools/setup_arm64_sysroot.sh; fi
step configure cmake --preset aarch64
step build cmake --build --preset aarch64 -j "$jobs"
step test ctest --preset aarch64 -j "$jobs" -LE slow_emulated "${extra[@]}"

summary="cross_test.sh: aarch64 OK;"
for name in setup configure build test; do
  if [[ -n "${took[$name]:-}" ]]; then summary+=" $name ${took[$name]} s"; fi
done
echo "$summary"
