#!/usr/bin/env bash
# Builds loadercount and runs every test: the README's second set-up command, and all that .ci/run does.
#
#   tools/test.sh            everything: host build + unit/golden/integration tests, aarch64 cross build with
#                            its unit tests under qemu-aarch64, live SocketCAN tests in qemu VMs (x86_64 and
#                            aarch64; the source alone, then the daemon), the .deb installed and run, and a
#                            short libFuzzer run of each fuzz target
#   tools/test.sh --quick    host build and host tests only (for the edit-compile-test loop)
#
# Installs what it needs from Debian's archive first (tools/setup.sh), so it works on a bare Debian 12 machine.
# Servers the tests need (mosquitto) are started by the tests themselves on loopback and stopped after.
# Prints the seconds each stage took, and ends with a "N passed, N failed" line; exits non-zero on any failure.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "test.sh: unknown option '$arg' (use --quick or nothing)" >&2; exit 2 ;;
  esac
done
jobs=$(nproc 2>/dev/null || echo 2)

passed=0
failed=0
declare -a summary
stage() {  # stage NAME command...: runs it, times it, counts it; goes on after a failure so all stages report
  local name=$1; shift
  local t0=$SECONDS
  echo
  echo "test.sh: ===== $name"
  if "$@"; then
    passed=$((passed + 1)); summary+=("ok     $(printf '%5d' $((SECONDS - t0))) s  $name")
  else
    failed=$((failed + 1)); summary+=("FAILED $(printf '%5d' $((SECONDS - t0))) s  $name")
  fi
}

# side_by_side NAME1 FUNC1 NAME2 FUNC2: two stages at once, for those that keep one core busy each (the VMs:
# qemu runs a guest on one thread). Their output is held and printed after both end, one stage after the other.
side_by_side() {
  local dir i rc t0=$SECONDS
  dir=$(mktemp -d)
  local -a names=("$1" "$3") funcs=("$2" "$4") pids=()
  echo
  echo "test.sh: ===== $1  +  $3 (side by side; their output follows when both have ended)"
  for i in 0 1; do
    ( rc=0; "${funcs[i]}" || rc=$?; echo $((SECONDS - t0)) >"$dir/$i.took"; exit "$rc" ) >"$dir/$i.out" 2>&1 &
    pids+=($!)
  done
  for i in 0 1; do
    rc=0
    wait "${pids[i]}" || rc=$?
    echo
    echo "test.sh: ===== ${names[i]}"
    cat "$dir/$i.out"
    local took; took=$(cat "$dir/$i.took" 2>/dev/null || echo $((SECONDS - t0)))
    if ((rc == 0)); then
      passed=$((passed + 1)); summary+=("ok     $(printf '%5d' "$took") s  ${names[i]} (side by side)")
    else
      failed=$((failed + 1)); summary+=("FAILED $(printf '%5d' "$took") s  ${names[i]} (side by side)")
    fi
  done
  rm -rf "$dir"
}

if ((quick)); then
  stage "setup (apt-get)" tools/setup.sh
else
  stage "setup (apt-get, incl. aarch64 cross toolchain)" tools/setup.sh --cross
fi

host_build() {
  cmake --preset release >/dev/null && cmake --build --preset release -j "$jobs"
}
host_tests() {
  ctest --preset release -j "$jobs" --timeout 900
}
package_test() {  # exit 77: skipped (not root, or loadercount already installed here: never clobbered)
  local rc=0
  tests/package/package_test.sh --build-dir "$repo/build" --jobs "$jobs" || rc=$?
  ((rc == 0 || rc == 77))
}
stage "host build (release, warnings as errors)" host_build
stage "host tests (ctest)" host_tests

if ((!quick)); then
  stage "aarch64 cross build + unit tests under qemu" tools/cross_test.sh --jobs "$jobs"
  vm_x86_64() { tools/vm_test.sh; }
  vm_aarch64() { tools/vm_test.sh --arch aarch64; }
  side_by_side "live SocketCAN in a VM (Debian kernel, x86_64)" vm_x86_64 \
               "live SocketCAN in a VM (Debian kernel, aarch64 build)" vm_aarch64
  # Its two VMs (x86_64, aarch64) run side by side too.
  stage "daemon on live SocketCAN in VMs (counts == replay of the captured bus)" \
    tools/daemon_tests.sh --no-integration --build "$repo/build" --aarch64-build "$repo/build-aarch64"
  # The packages reuse the builds above (package.sh only reconfigures them without tests and runs CPack).
  stage "arm64 .deb (cross, CPack, contents and Depends checked)" \
    tools/package.sh --arch arm64 --build-dir "$repo/build-aarch64" --jobs "$jobs"
  stage "amd64 .deb: install, run the installed daemon (counts == replay), purge" package_test
  stage "libFuzzer short runs" tools/fuzz.sh 20
fi

echo
echo "test.sh: stages"
for line in "${summary[@]}"; do echo "  $line"; done
echo "stages: $passed passed, $failed failed"
((failed == 0))
