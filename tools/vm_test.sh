#!/usr/bin/env bash
# Runs a command on a Linux kernel with CAN: boots Debian's own kernel under qemu (software emulation; this
# machine's kernel has no CAN, PLATFORM.md) with a minimal busybox initramfs that loads can, can-raw, can-dev
# and vcan, creates vcan0 (up), and runs the command in the repo folder.
#
#   tools/vm_test.sh                       build test_socketcan_live and run it against vcan0 (the default)
#   tools/vm_test.sh -- CMD [ARG...]       run CMD with its arguments in the repo folder inside the VM instead
#   tools/vm_test.sh -- 'A=1 cmd | x'      one argument: a shell command line
#   options: --arch x86_64|aarch64 (default x86_64)  --timeout SECONDS (the VM run, default 170)
#            --no-build (use the test binary as built)  --keep (keep the initramfs tree in build-vm/)
#            --log FILE (candump log the default test replays; default: a 2-minute `loadercount simulate` log
#            if build/bin/loadercount exists, else a real recorded log from /work/shared/data/real)
#
# x86_64: the command runs chrooted into the host's root, shared read-only over 9p, so it sees the same paths,
#   binaries and can-utils as here (bash, iproute2's ip); writes go to a tmpfs overlay, lost at the end.
# aarch64 (qemu -M virt, cortex-a53): arm64 busybox and can-utils from Debian in the initramfs, the host's
#   /work and the cross toolchain's /usr/aarch64-linux-gnu (libc, libstdc++) mounted read-only at the same
#   paths, so the cross-built binaries run as they are; the shell is busybox sh, `ip` is busybox's.
# Either way build-vm/out/ is shared back writable (results go there) and stdout is the VM console, also saved
# in build-vm/console-ARCH.log. Installs what it needs with apt-get (qemu, can-utils, cmake, gtest, the cross
# compiler for aarch64) and caches the downloaded Debian packages, unpacked, in build-vm/cache (not committed).
# An x86_64 and an aarch64 run can go side by side (tools/test.sh does): every file but the shared cache and
# out/ is per architecture, and the preparation (apt-get, downloads, builds) takes build-vm/.prepare.lock.
# Exits with the command's status; 124 if the VM did not finish in time, 125 if it could not set up CAN or 9p.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
vm_dir=$repo/build-vm
cache=$vm_dir/cache
arch=x86_64
timeout_s=170
build=1
keep=0
log=""
cmd=()
while (($#)); do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    --log) log=$2; shift 2 ;;
    --) shift; cmd=("$@"); break ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "vm_test.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$arch" in
  x86_64)
    deb_arch=amd64; qemu="qemu-system-x86_64"; qemu_pkg="qemu-system-x86"; console=ttyS0; mode=chroot
    qemu_machine=(-accel tcg) ;;
  aarch64)
    deb_arch=arm64; qemu="qemu-system-aarch64"; qemu_pkg="qemu-system-arm"; console=ttyAMA0; mode=local
    qemu_machine=(-M virt -cpu cortex-a53) ;;
  *) echo "vm_test.sh: --arch must be x86_64 or aarch64" >&2; exit 2 ;;
esac
mkdir -p "$cache" "$vm_dir/out"
t0=$SECONDS
say() { echo "vm_test.sh: [$((SECONDS - t0)) s] $*"; }
# One preparation at a time (apt-get and dpkg have their own lock and fail on it; the cache and the simulated
# log are shared); released before the boot, so two VMs of different architectures run at the same time.
exec {prepare_lock}>"$vm_dir/.prepare.lock"
flock "$prepare_lock"

# --- host packages ---------------------------------------------------------------------------------------
need=()
command -v "$qemu" >/dev/null || need+=("$qemu_pkg")
command -v canplayer >/dev/null || need+=(can-utils)
if ((build)) && [[ ${#cmd[@]} -eq 0 ]]; then
  command -v cmake >/dev/null || need+=(cmake)
  command -v ninja >/dev/null || need+=(ninja-build)
  if [[ $arch == x86_64 ]]; then
    command -v g++ >/dev/null || need+=(g++)
    [[ -e /usr/include/gtest/gtest.h ]] || need+=(libgtest-dev)
  else
    command -v aarch64-linux-gnu-g++ >/dev/null || need+=(g++-aarch64-linux-gnu)
    [[ -e /usr/lib/aarch64-linux-gnu/libgtest.a ]] || need+=(libgtest-dev:arm64)
  fi
fi
if ((${#need[@]})); then
  say "apt-get install ${need[*]}"
  if [[ $arch == aarch64 ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    DEBIAN_FRONTEND=noninteractive apt-get update >"$vm_dir/apt.log" 2>&1 || true
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >>"$vm_dir/apt.log" 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update >>"$vm_dir/apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >>"$vm_dir/apt.log" 2>&1; } ||
    { echo "vm_test.sh: apt-get install failed, see $vm_dir/apt.log" >&2; exit 1; }
fi

# --- Debian kernel, busybox (and for aarch64 can-utils), downloaded once --------------------------------------
kernel_pkg_file=$cache/kernel_package.$deb_arch  # resolving the metapackage costs seconds: remember it
if [[ ! -s $kernel_pkg_file ]]; then
  apt-cache depends "linux-image-$deb_arch:$deb_arch" 2>/dev/null |
    awk '/Depends: linux-image-[0-9]/ {sub(/:.*/, "", $2); print $2; exit}' >"$kernel_pkg_file"
fi
kernel_pkg=$(cat "$kernel_pkg_file")
[[ -n $kernel_pkg ]] || { rm -f "$kernel_pkg_file"; echo "vm_test.sh: cannot resolve linux-image-$deb_arch" >&2; exit 1; }
fetch() {  # fetch PACKAGE: the $deb_arch .deb unpacked into $cache/$deb_arch/PACKAGE/ (once)
  local pkg=$1 dir=$cache/$deb_arch/$1
  [[ -e $dir/.done ]] && return 0
  say "apt-get download $pkg:$deb_arch"
  mkdir -p "$cache/$deb_arch"
  (cd "$cache/$deb_arch" && rm -f "${pkg}"_*.deb && apt-get download "$pkg:$deb_arch" >/dev/null 2>&1) ||
    { echo "vm_test.sh: apt-get download $pkg:$deb_arch failed" >&2; exit 1; }
  rm -rf "$dir" && mkdir -p "$dir"
  dpkg-deb -x "$cache/$deb_arch/${pkg}"_*.deb "$dir"
  rm -f "$cache/$deb_arch/${pkg}"_*.deb  # the unpacked tree is the cache
  touch "$dir/.done"
}
fetch "$kernel_pkg"
fetch busybox-static
[[ $mode == local ]] && fetch can-utils
kdir=$cache/$deb_arch/$kernel_pkg
vmlinuz=$(ls "$kdir"/boot/vmlinuz-*)
moddir=$(ls -d "$kdir"/lib/modules/*)
busybox=$cache/$deb_arch/busybox-static/bin/busybox
host_busybox=$cache/amd64/busybox-static/bin/busybox  # runs the cpio below on this machine
[[ $deb_arch == amd64 ]] || { saved=$deb_arch; deb_arch=amd64; fetch busybox-static; deb_arch=$saved; }

# --- the test program -------------------------------------------------------------------------------------
if [[ ${#cmd[@]} -eq 0 ]]; then
  bdir=$vm_dir/build-$arch
  if ((build)); then
    say "building test_socketcan_live (${bdir#"$repo"/})"
    cross=()
    if [[ $arch == aarch64 ]]; then
      [[ -e $repo/build-aarch64-sysroot/usr/include/xgboost/c_api.h ]] || "$repo/tools/setup.sh" --cross >"$vm_dir/setup.log" 2>&1
      cross=(-DCMAKE_TOOLCHAIN_FILE="$repo/toolchains/aarch64-linux-gnu.cmake")
    fi
    if ! { cmake -S "$repo/tests/vm" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=Release "${cross[@]}" &&
           cmake --build "$bdir" -j 2; } >"$vm_dir/cmake-$arch.log" 2>&1; then
      tail -30 "$vm_dir/cmake-$arch.log" >&2; echo "vm_test.sh: build failed, see $vm_dir/cmake-$arch.log" >&2; exit 1
    fi
  fi
  # A candump log to replay: --log, else a 2-minute simulation if the CLI is built, else a real recorded log.
  # (For aarch64 it must lie under $(dirname "$repo"), the part of the host mounted in the VM.)
  cli=$repo/build/bin/loadercount
  if [[ -n $log ]]; then
    log=$(realpath "$log")
  else
    log=/work/shared/data/real/jd5055e_rev_up_down.candump.log
    if [[ -x $cli ]] && { [[ $vm_dir/out/sim.log -nt $cli ]] ||
                          "$cli" simulate --minutes 2 --seed 1 --out "$vm_dir/out/sim" >"$vm_dir/simulate.log" 2>&1; }; then
      log=$vm_dir/out/sim.log  # regenerated only when the CLI changed (about 8 s)
    fi
  fi
  say "replay log: $log"
  cmd=(env "LC_VM_LOG=$log" "$bdir/test_socketcan_live" --gtest_color=no)
fi
if [[ ${#cmd[@]} -eq 1 ]]; then
  cmd_line=${cmd[0]}  # one argument: a shell command line as typed ("A=1 x | y")
else
  printf -v cmd_line '%q ' "${cmd[@]}"  # several: a command and its arguments, quoted as given
fi

# --- initramfs ----------------------------------------------------------------------------------------------
# Modules with their dependencies, dependencies first; each .ko names its own in a "depends=" string.
declare -A ko_path=() seen=()
while IFS= read -r f; do
  n=${f##*/}; n=${n%.ko}; ko_path[${n//-/_}]=$f
done < <(find "$moddir/kernel" -name '*.ko')
order=()
add_module() {
  local n=${1//-/_} f deps d
  [[ -n ${seen[$n]:-} ]] && return 0
  seen[$n]=1
  f=${ko_path[$n]:-}
  [[ -n $f ]] || return 0  # built into this kernel
  deps=$(grep -a -o 'depends=[A-Za-z0-9_,-]*' "$f" | head -1 | cut -d= -f2)
  for d in ${deps//,/ }; do add_module "$d"; done
  order+=("${f#"$moddir"/}")
}
for m in can can-raw can-dev vcan virtio_pci 9pnet_virtio 9p overlay; do add_module "$m"; done

root=$vm_dir/initramfs-$arch
rm -rf "$root" && mkdir -p "$root"/{bin,dev,proc,sys,host,modules,tmp}
cp "$busybox" "$root/bin/busybox"
cp "$repo/tests/vm/init" "$root/init" && chmod +x "$root/init"
for m in "${order[@]}"; do mkdir -p "$root/modules/$(dirname "$m")" && cp "$moddir/$m" "$root/modules/$m"; done
printf '%s\n' "${order[@]}" >"$root/modules.order"
binds=""
if [[ $mode == local ]]; then
  mkdir -p "$root/usr/bin" "$root/lib"
  cp -a "$cache/$deb_arch/can-utils/usr/bin/." "$root/usr/bin/"
  # The cross toolchain's loader and libraries, mounted from the host at the same path by /init.
  ln -s /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 "$root/lib/ld-linux-aarch64.so.1"
  binds="/usr/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu $(dirname "$repo")"
fi
{
  printf 'VM_MODE=%q\n' "$mode"
  printf 'VM_CWD=%q\n' "$repo"
  printf 'VM_OUT=%q\n' "$vm_dir/out"
  printf 'VM_BINDS=%q\n' "$binds"
  printf 'VM_LD_PATH=%q\n' "/usr/aarch64-linux-gnu/lib:/usr/lib/aarch64-linux-gnu"
  printf 'VM_CMD=%q\n' "$cmd_line"
} >"$root/vm.env"
mknod "$root/dev/console" c 5 1 2>/dev/null || true
(cd "$root" && find . | "$host_busybox" cpio -o -H newc 2>/dev/null | gzip -1 >"$vm_dir/initrd-$arch.gz")
((keep)) || rm -rf "$root"
flock -u "$prepare_lock"; exec {prepare_lock}>&-

# --- boot ---------------------------------------------------------------------------------------------------
say "booting $(basename "$vmlinuz") under $qemu (TCG), timeout ${timeout_s} s"
set +e
timeout --foreground -k 5 "$timeout_s" "$qemu" "${qemu_machine[@]}" -m 1024M -smp 1 -nographic -no-reboot \
  -kernel "$vmlinuz" -initrd "$vm_dir/initrd-$arch.gz" -append "console=$console panic=-1 quiet loglevel=3" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs "local,path=$vm_dir/out,mount_tag=outdir,security_model=none,multidevs=remap" \
  </dev/null 2>&1 | tr -d '\r' | tee "$vm_dir/console-$arch.log"
qemu_rc=${PIPESTATUS[0]}
set -e
status=$(grep -a -o 'VM_TEST_EXIT=[0-9]*' "$vm_dir/console-$arch.log" | tail -1 | cut -d= -f2 || true)
if [[ -z $status ]]; then
  if ((qemu_rc == 124)); then
    say "the VM did not finish within ${timeout_s} s"; exit 124
  fi
  say "the VM stopped without reporting a status (qemu exit $qemu_rc); see $vm_dir/console-$arch.log"; exit 125
fi
say "command exited with $status"
exit "$status"
