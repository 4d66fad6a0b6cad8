#!/usr/bin/env bash
# Prepares this (amd64 Debian 12) machine for the aarch64 cross build: cross compiler, qemu-user, the arm64
# multiarch -dev packages that co-install with their amd64 twins, and a small sysroot folder for the XGBoost
# and dmlc libraries, which cannot be installed as :arm64 (PLATFORM.md: they have no Multi-Arch field, so apt
# would remove the amd64 ones the host build needs).
#
# Idempotent: apt runs only for what is missing; the sysroot is unpacked again only when a .deb changed.
# Called by `tools/setup.sh --cross`; can be run on its own.
#
# Where things go:
#   /usr/aarch64-linux-gnu            cross libc, libstdc++, libgomp (from g++-aarch64-linux-gnu)
#   /usr/lib/aarch64-linux-gnu        arm64 multiarch libraries (gtest, sqlite, mosquitto, systemd, fmt, ...)
#   $LC_ARM64_SYSROOT                 xgboost + dmlc unpacked with dpkg-deb -x; default
#                                     <repo>/build-aarch64-sysroot (ignored by git via /build*/, about 6 MB).
#                                     toolchains/aarch64-linux-gnu.cmake looks in the same place.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
sysroot=${LC_ARM64_SYSROOT:-$repo/build-aarch64-sysroot}

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# Co-installable as :arm64 (Multi-Arch: same). Eigen, nlohmann-json, RapidJSON and CLI11 are architecture-independent
# and come from the host install. libgomp for the target comes with the cross compiler.
arm64_pkgs=(
  libgtest-dev:arm64 libgmock-dev:arm64 libboost-dev:arm64
  libmosquitto-dev:arm64 libsqlite3-dev:arm64 libsystemd-dev:arm64
  libspdlog-dev:arm64 libfmt-dev:arm64 libtomlplusplus-dev:arm64
)
tool_pkgs=(g++-aarch64-linux-gnu qemu-user)
# Unpacked into the sysroot instead of installed.
sysroot_debs=(libxgboost0:arm64 libxgboost-dev:arm64 libdmlc0:arm64)

missing() {
  local out=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
  done
  echo "${out[@]:-}"
}

updated=0
apt_update() {
  if ((updated)); then return; fi
  # Non-Debian sources configured on some machines cannot be reached; Debian's own indexes are what we need,
  # so a failing third-party source must not stop the setup. `apt-get install` below fails loudly if a
  # package really is missing.
  $SUDO apt-get update -qq || echo "setup_arm64_sysroot.sh: apt-get update reported errors (continuing)" >&2
  updated=1
}

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "setup_arm64_sysroot.sh: adding the arm64 architecture"
  $SUDO dpkg --add-architecture arm64
  apt_update
fi

todo=$(missing "${tool_pkgs[@]}" "${arm64_pkgs[@]}")
if [[ -n "$todo" ]]; then
  echo "setup_arm64_sysroot.sh: installing: $todo"
  apt_update
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $todo
fi

# The sysroot: download the .debs into a cache folder beside it, unpack each one whose file is new.
debs_dir=$sysroot/.debs
mkdir -p "$debs_dir"
have_all=1
for p in "${sysroot_debs[@]}"; do
  name=${p%%:*}
  compgen -G "$debs_dir/${name}_*_arm64.deb" >/dev/null || have_all=0
done
if ((!have_all)); then
  echo "setup_arm64_sysroot.sh: downloading ${sysroot_debs[*]}"
  if ! (cd "$debs_dir" && apt-get download -qq "${sysroot_debs[@]}"); then
    apt_update
    (cd "$debs_dir" && apt-get download -qq "${sysroot_debs[@]}")
  fi
fi
for deb in "$debs_dir"/*.deb; do
  stamp="$debs_dir/.$(basename "$deb").unpacked"
  if [[ ! -e "$stamp" || "$deb" -nt "$stamp" ]]; then
    dpkg-deb -x "$deb" "$sysroot"
    touch "$stamp"
  fi
done

lib=$sysroot/usr/lib/aarch64-linux-gnu
# libxgboost-dev ships the unversioned link name as a symlink to the runtime file; check both resolve.
for f in "$sysroot/usr/include/xgboost/c_api.h" "$lib/libxgboost.so" "$lib/libdmlc.so.0"; do
  if [[ ! -e "$f" ]]; then
    echo "setup_arm64_sysroot.sh: expected $f after unpacking" >&2
    exit 1
  fi
done
echo "setup_arm64_sysroot.sh: cross toolchain, qemu-aarch64, arm64 libraries and sysroot at $sysroot ready"
