#!/usr/bin/env bash
# Builds the loadercount .deb packages (CPack DEB generator, rules in firmware/CMakeLists.txt): one for amd64
# (this machine, desktops, test rigs) and one for arm64 (the loader's onboard computer, cross-compiled with
# toolchains/aarch64-linux-gnu.cmake).
#
# Usage: tools/package.sh [--arch amd64|arm64|all] [--jobs N] [--out DIR] [--model DIR] [--build-dir DIR]
#   --arch       which package(s) (default all)
#   --jobs N     parallel compile jobs (default 2: the machine is shared)
#   --out DIR    where the .deb files go (default <repo>/build-package)
#   --model DIR  the model bundle to ship (default <repo>/models/default; without one the package holds no
#                model and the daemon needs [model] dir pointed at one)
#   --build-dir  the CMake build folder (default <repo>/build-package/<arch>; only with a single --arch)
#
# Output: DIR/loadercount_<version>-1_<arch>.deb. Each package is checked after it is made: it holds the
# binaries, units, config (marked as a conffile) and maintainer scripts; amd64 dependencies come from
# dpkg-shlibdeps, arm64 ones are a hand list that is checked here against the binaries' NEEDED libraries.
# Needs for arm64: tools/setup_arm64_sysroot.sh once. Exit 0 when every requested package was built and
# checked, 1 otherwise, 2 bad usage.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
arch=all
jobs=2
out=$repo/build-package
model=$repo/models/default
build_dir=""
while (($#)); do
  case "$1" in
    --arch) arch=${2:?}; shift ;;
    --jobs) jobs=${2:?}; shift ;;
    --out) out=${2:?}; shift ;;
    --model) model=${2:?}; shift ;;
    --build-dir) build_dir=${2:?}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case $arch in
  amd64|arm64) archs=("$arch") ;;
  all) archs=(amd64 arm64) ;;
  *) echo "package.sh: --arch must be amd64, arm64 or all, not '$arch'" >&2; exit 2 ;;
esac
if [[ -n $build_dir && ${#archs[@]} -ne 1 ]]; then
  echo "package.sh: --build-dir needs a single --arch" >&2; exit 2
fi
if [[ ! -f $model/manifest.json ]]; then
  echo "package.sh: WARNING: no model bundle at $model (no manifest.json): the package will hold no model" >&2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
model=$(cd "$model" 2>/dev/null && pwd || echo "$model")

version=$(sed -n 's/^project(loadercount VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")

# check_deb FILE ARCH BINDIR: the package has what an installation needs.
check_deb() {
  local deb=$1 deb_arch=$2 bindir=$3 ok=1 listing control
  listing=$(dpkg-deb -c "$deb" | awk '{print $6}')
  for path in ./usr/bin/loadercount ./usr/bin/loadercountd ./etc/loadercount/loadercountd.toml \
              ./lib/systemd/system/loadercountd.service ./lib/systemd/system/loadercount-can@.service \
              ./usr/lib/loadercount/can-up.sh ./usr/share/doc/loadercount/README.md; do
    grep -qxF "$path" <<<"$listing" || { echo "package.sh: $deb lacks $path" >&2; ok=0; }
  done
  grep -qxF ./usr/share/loadercount/models/default/manifest.json <<<"$listing" ||
    echo "package.sh: note: $deb holds no model bundle" >&2
  [[ $(dpkg-deb -f "$deb" Architecture) == "$deb_arch" ]] || { echo "package.sh: $deb is not $deb_arch" >&2; ok=0; }
  control=$(mktemp -d)
  dpkg-deb -e "$deb" "$control"
  grep -qxF /etc/loadercount/loadercountd.toml "$control/conffiles" || { echo "package.sh: config is not a conffile" >&2; ok=0; }
  for s in postinst prerm postrm; do [[ -x $control/$s ]] || { echo "package.sh: no executable $s" >&2; ok=0; }; done
  rm -rf "$control"
  # Every library the binaries load must come from a package named in Depends, or from one of the virtual
  # packages it provides (spdlog's shlibs name libspdlog1.10-fmt9): this catches a stale arm64 hand list.
  local soname pkg triplet=x86_64-linux-gnu
  local -a depends
  [[ $deb_arch == arm64 ]] && triplet=aarch64-linux-gnu
  mapfile -t depends < <(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' | sed 's/(.*)//; s/^ *//; s/ *$//')
  for soname in $(readelf -d "$bindir/loadercount" "$bindir/loadercountd" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
    case $soname in
      libxgboost.so.*) pkg=libxgboost0 ;;  # arm64: unpacked in the cross sysroot, unknown to dpkg
      *) pkg=$(dpkg -S "/usr/lib/$triplet/$soname" "/lib/$triplet/$soname" 2>/dev/null | head -1 | cut -d: -f1 || true) ;;
    esac
    if [[ -z $pkg ]]; then
      echo "package.sh: cannot tell which package provides $soname ($deb_arch)" >&2; ok=0; continue
    fi
    local names found=0
    names=$(printf '%s\n' "$pkg" $(dpkg-query -W -f='${Provides}' "$pkg:$deb_arch" 2>/dev/null | tr ',' ' ' | sed 's/([^)]*)//g'))
    for d in "${depends[@]}"; do grep -qxF -- "$d" <<<"$names" && found=1; done
    ((found)) || { echo "package.sh: $soname ($pkg) is not in Depends: $(dpkg-deb -f "$deb" Depends)" >&2; ok=0; }
  done
  # XGBoost is loaded at run time (dlopen: training, --scorer xgboost), so no NEEDED entry names it.
  printf '%s\n' "${depends[@]}" | grep -qxF libxgboost0 ||
    { echo "package.sh: libxgboost0 (loaded at run time) is not in Depends: $(dpkg-deb -f "$deb" Depends)" >&2; ok=0; }
  ((ok))
}

status=0
for a in "${archs[@]}"; do
  t0=$SECONDS
  bdir=${build_dir:-$out/$a}
  args=(-S "$repo" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLC_WERROR=ON -DLC_BUILD_TESTS=OFF
        -DLC_BUILD_BENCHMARKS=OFF "-DLC_PACKAGE_MODEL_DIR=$model")
  [[ $a == arm64 ]] && args+=("-DCMAKE_TOOLCHAIN_FILE=$repo/toolchains/aarch64-linux-gnu.cmake")
  echo "package.sh: == $a: configure, build, cpack in $bdir"
  if cmake "${args[@]}" >"$out/configure-$a.log" 2>&1 &&
     cmake --build "$bdir" --target loadercount loadercountd -j "$jobs" &&
     (cd "$bdir" && cpack -G DEB -C Release -B "$out" >"$out/cpack-$a.log" 2>&1); then
    deb=$out/loadercount_${version}-1_$a.deb
    if [[ -f $deb ]] && check_deb "$deb" "$a" "$bdir/bin"; then
      echo "package.sh: $a OK in $((SECONDS - t0)) s: $deb ($(du -h "$deb" | cut -f1))"
      echo "package.sh: Depends: $(dpkg-deb -f "$deb" Depends)"
    else
      echo "package.sh: $a: package missing or incomplete ($deb)" >&2; status=1
    fi
  else
    echo "package.sh: $a FAILED after $((SECONDS - t0)) s; logs: $out/configure-$a.log, $out/cpack-$a.log" >&2
    status=1
  fi
  rm -rf "$out/_CPack_Packages"
done
exit $status
