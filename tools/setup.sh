#!/usr/bin/env bash
# Installs every build, test and run dependency of loadercount from Debian's archive.
# Idempotent: packages already present are not fetched again; `apt-get update` runs only when something
# is missing. Usage: tools/setup.sh [--cross]   (--cross adds the aarch64 cross toolchain and arm64 libraries)
set -euo pipefail

cross=0
for arg in "$@"; do
  case "$arg" in
    --cross) cross=1 ;;
    *) echo "setup.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

host_pkgs=(
  # build
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  # libraries (what each is for: README "Dependencies")
  libxgboost-dev libdmlc-dev libeigen3-dev libboost-dev
  nlohmann-json3-dev rapidjson-dev libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  libsqlite3-dev libmosquitto-dev libsystemd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # test peers and tools
  mosquitto mosquitto-clients can-utils
  # benchmarks (tools/bench.sh): profiles and peak RSS
  valgrind time
  python3-xgboost python3-numpy python3-scipy python3-matplotlib python3-can
)
cross_pkgs=(g++-aarch64-linux-gnu qemu-user)

missing() {
  local out=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
  done
  echo "${out[@]:-}"
}

want=("${host_pkgs[@]}")
if ((cross)); then want+=("${cross_pkgs[@]}"); fi
todo=$(missing "${want[@]}")
if [[ -n "$todo" ]]; then
  echo "setup.sh: installing: $todo"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $todo
fi

if ((cross)); then
  "$(dirname "$0")/setup_arm64_sysroot.sh"
fi
echo "setup.sh: all dependencies present"
