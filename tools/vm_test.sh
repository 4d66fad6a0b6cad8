#!/usr/bin/env bash
# Runs a command on a Linux kernel with CAN: boots Debian's own kernel under qemu (software emulation; this
# machine's kernel has no CAN, PLATFORM.md) with a minimal busybox initramfs that loads can, can-raw, can-dev
# and vcan, creates vcan0, and runs the command chrooted into the host's root (shared read-only over 9p), so it
# sees the same paths, binaries and can-utils as here.
#
#   tools/vm_test.sh                       build test_socketcan_live and run it against vcan0 (the default)
#   tools/vm_test.sh -- CMD [ARG...]       run CMD with its arguments in the repo folder inside the VM instead
#   tools/vm_test.sh -- 'A=1 cmd | x'      one argument: a shell command line (run by bash -c)
#   options: --timeout SECONDS (whole VM run, default 170)  --no-build  --keep (keep the initramfs tree)
#
# Writable inside the VM: /tmp (a tmpfs) and build-vm/out/ (shared back to the host; results go there).
# Installs what it needs with apt-get (qemu-system-x86, can-utils, cmake/ninja/gtest if missing) and caches the
# downloaded Debian packages under build-vm/ (not committed). Exits with the command's status; 124 if the VM
# did not finish in time, 125 if the VM could not set up CAN or 9p. The console goes to build-vm/console.log.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
vm_dir=$repo/build-vm
cache=$vm_dir/cache
timeout_s=170
build=1
keep=0
cmd=()
while (($#)); do
  case "$1" in
    --timeout) timeout_s=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    --) shift; cmd=("$@"); break ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "vm_test.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$cache" "$vm_dir/out"
t0=$SECONDS
say() { echo "vm_test.sh: [$((SECONDS - t0)) s] $*"; }

# --- host packages ---------------------------------------------------------------------------------------
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v canplayer >/dev/null || need+=(can-utils)
command -v ip >/dev/null || need+=(iproute2)
if ((build)) && [[ ${#cmd[@]} -eq 0 ]]; then
  command -v cmake >/dev/null || need+=(cmake)
  command -v ninja >/dev/null || need+=(ninja-build)
  command -v g++ >/dev/null || need+=(g++)
  [[ -e /usr/include/gtest/gtest.h ]] || need+=(libgtest-dev)
fi
if ((${#need[@]})); then
  say "apt-get install ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >"$vm_dir/apt.log" 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update >>"$vm_dir/apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >>"$vm_dir/apt.log" 2>&1; } ||
    { echo "vm_test.sh: apt-get install failed, see $vm_dir/apt.log" >&2; exit 1; }
fi

# --- Debian kernel and busybox, downloaded once -------------------------------------------------------------
kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[[ -n $kernel_pkg ]] || { echo "vm_test.sh: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
fetch() {  # fetch PACKAGE: the .deb unpacked into $cache/PACKAGE/ (download skipped when already there)
  local pkg=$1
  [[ -e $cache/$pkg/.done ]] && return 0
  say "apt-get download $pkg"
  (cd "$cache" && rm -f "${pkg}"_*.deb && apt-get download "$pkg" >/dev/null 2>&1) ||
    { echo "vm_test.sh: apt-get download $pkg failed" >&2; exit 1; }
  rm -rf "${cache:?}/$pkg" && mkdir -p "$cache/$pkg"
  dpkg-deb -x "$cache/${pkg}"_*.deb "$cache/$pkg"
  rm -f "$cache/${pkg}"_*.deb  # the unpacked tree is the cache
  touch "$cache/$pkg/.done"
}
fetch "$kernel_pkg"
fetch busybox-static
kdir=$cache/$kernel_pkg
vmlinuz=$(ls "$kdir"/boot/vmlinuz-*)
moddir=$(ls -d "$kdir"/lib/modules/*)
busybox=$cache/busybox-static/bin/busybox

# --- the test program -------------------------------------------------------------------------------------
if [[ ${#cmd[@]} -eq 0 ]]; then
  if ((build)); then
    say "building test_socketcan_live (build-vm/build)"
    cmake -S "$repo/tests/vm" -B "$vm_dir/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$vm_dir/cmake.log" 2>&1 &&
      cmake --build "$vm_dir/build" -j 2 >>"$vm_dir/cmake.log" 2>&1 ||
      { tail -30 "$vm_dir/cmake.log" >&2; echo "vm_test.sh: build failed, see $vm_dir/cmake.log" >&2; exit 1; }
  fi
  # A candump log to replay: a fresh 2-minute simulation if the CLI is built, else a real recorded log.
  log=/work/shared/data/real/jd5055e_rev_up_down.candump.log
  if [[ -x $repo/build/bin/loadercount ]] &&
     "$repo/build/bin/loadercount" simulate --minutes 2 --seed 1 --out "$vm_dir/out/sim" >"$vm_dir/simulate.log" 2>&1; then
    log=$vm_dir/out/sim.log
  fi
  say "replay log: $log"
  cmd=(env "LC_VM_LOG=$log" "$vm_dir/build/test_socketcan_live" --gtest_color=no)
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
  n=$(basename "$f" .ko); ko_path[${n//-/_}]=$f
done < <(find "$moddir/kernel" -name '*.ko')
order=()
add_module() {
  local n=${1//-/_} f deps d
  [[ -n ${seen[$n]:-} ]] && return 0
  seen[$n]=1
  f=${ko_path[$n]:-}
  [[ -n $f ]] || { echo "vm_test.sh: module $1 not in $kernel_pkg (built in?)" >&2; return 0; }
  deps=$(grep -a -o 'depends=[A-Za-z0-9_,-]*' "$f" | head -1 | cut -d= -f2)
  for d in ${deps//,/ }; do add_module "$d"; done
  order+=("${f#"$moddir"/}")
}
for m in can can-raw can-dev vcan virtio_pci 9pnet_virtio 9p; do add_module "$m"; done

root=$vm_dir/initramfs
rm -rf "$root" && mkdir -p "$root"/{bin,dev,proc,sys,host,modules}
cp "$busybox" "$root/bin/busybox"
cp "$repo/tests/vm/init" "$root/init" && chmod +x "$root/init"
for m in "${order[@]}"; do mkdir -p "$root/modules/$(dirname "$m")" && cp "$moddir/$m" "$root/modules/$m"; done
printf '%s\n' "${order[@]}" >"$root/modules.order"
{
  printf 'VM_CWD=%q\n' "$repo"
  printf 'VM_OUT=%q\n' "$vm_dir/out"
  printf 'VM_CMD=%q\n' "$cmd_line"
} >"$root/vm.env"
mknod "$root/dev/console" c 5 1 2>/dev/null || true
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1 >"$vm_dir/initrd.gz")
((keep)) || rm -rf "$root"

# --- boot ---------------------------------------------------------------------------------------------------
say "booting $(basename "$vmlinuz") under qemu (TCG), timeout ${timeout_s} s"
set +e
timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 -accel tcg -m 1024M -smp 1 -nographic -no-reboot \
  -kernel "$vmlinuz" -initrd "$vm_dir/initrd.gz" -append 'console=ttyS0 panic=-1 quiet loglevel=3' \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs "local,path=$vm_dir/out,mount_tag=outdir,security_model=none,multidevs=remap" \
  </dev/null 2>&1 | tr -d '\r' | tee "$vm_dir/console.log"
qemu_rc=${PIPESTATUS[0]}
set -e
status=$(grep -a -o 'VM_TEST_EXIT=[0-9]*' "$vm_dir/console.log" | tail -1 | cut -d= -f2)
if [[ -z $status ]]; then
  if ((qemu_rc == 124)); then
    say "the VM did not finish within ${timeout_s} s"; exit 124
  fi
  say "the VM stopped without reporting a status (qemu exit $qemu_rc); see $vm_dir/console.log"; exit 125
fi
say "command exited with $status"
exit "$status"
