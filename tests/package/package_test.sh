#!/usr/bin/env bash
# Package test: builds the amd64 .deb (tools/package.sh), installs it on THIS machine with dpkg -i, checks what
# the installation did (user, state folder, conffile, enabled units, `systemd-analyze verify`, the shipped
# config), runs the INSTALLED daemon as the service user in replay mode on a simulated log with an outbox in a
# temp folder, and checks that its counts equal `loadercount replay --json` on the same log and model bundle.
# Removes everything afterwards (dpkg --purge, the user if this test created it, the temp folder). Starts no
# systemd service.
#
# Usage (as root): tests/package/package_test.sh [--build-dir DIR] [--jobs N] [--keep]
#   --build-dir DIR  CMake build folder for the package (default <repo>/build-package/amd64; reusing one saves
#                    the full build)
#   --keep           leave the temp folder (logs, config, outbox) for a look; the package is removed anyway
# Model: models/default if it exists, else a quick bundle trained here (30 simulated minutes).
# Exit 0 pass, 1 fail, 77 skipped (not root, no dpkg, or loadercount already installed: never clobbered).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$repo/build-package/amd64
jobs=2
keep=0
while (($#)); do
  case "$1" in
    --build-dir) build_dir=${2:?}; shift ;;
    --jobs) jobs=${2:?}; shift ;;
    --keep) keep=1 ;;
    *) echo "package_test.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "package_test.sh: $*"; }
fail() { echo "package_test.sh: FAIL: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || { say "SKIP: needs root (dpkg -i)"; exit 77; }
command -v dpkg >/dev/null || { say "SKIP: no dpkg"; exit 77; }
if dpkg-query -W -f='${Status}' loadercount 2>/dev/null | grep -q 'installed\|config-files'; then
  say "SKIP: a loadercount package is already on this machine; not touching it"; exit 77
fi

tmp=$(mktemp -d /tmp/lc-package-test.XXXXXX)
user_existed=0
getent passwd loadercount >/dev/null && user_existed=1
installed=0
cleanup() {
  local rc=$?
  if ((installed)); then
    dpkg --purge loadercount >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log" >&2; rc=1; }
    # What purge must leave behind: nothing of ours but the system user.
    for p in /usr/bin/loadercountd /etc/loadercount /var/lib/loadercount /lib/systemd/system/loadercountd.service \
             /etc/systemd/system/multi-user.target.wants/loadercountd.service /etc/systemd/system/loadercountd.service \
             /etc/systemd/system/sys-subsystem-net-devices-can0.device.wants/loadercount-can@can0.service \
             /etc/systemd/system/loadercount-can@can0.service \
             /var/lib/systemd/deb-systemd-helper-enabled/loadercountd.service.dsh-also; do
      if [[ -e $p || -L $p ]]; then echo "package_test.sh: FAIL: '$p' is left after dpkg --purge" >&2; rc=1; fi
    done
  fi
  if ((!user_existed)) && getent passwd loadercount >/dev/null; then
    deluser --system --quiet loadercount >/dev/null 2>&1 || userdel loadercount || true
    getent group loadercount >/dev/null && { delgroup --system --quiet loadercount >/dev/null 2>&1 || groupdel loadercount || true; }
  fi
  if ((keep)); then say "kept $tmp"; else rm -rf "$tmp"; fi
  if ((rc == 0)); then say "PASS"; else say "FAILED (exit $rc)"; fi
  exit $rc
}
trap cleanup EXIT

# 1. A model bundle to package.
model=$repo/models/default
if [[ ! -f $model/manifest.json ]]; then
  cli=$build_dir/bin/loadercount
  [[ -x $cli ]] || cli=$repo/build/bin/loadercount
  [[ -x $cli ]] || fail "no models/default and no loadercount binary to train one (build first)"
  say "no models/default: training a quick bundle with $cli"
  "$cli" simulate --minutes 30 --seed 11 --out "$tmp/train" >/dev/null
  "$cli" train --data "$tmp/train.log:$tmp/train.labels.csv" --out "$tmp/model" --quiet
  model=$tmp/model
fi

# 2. Build and install the package.
"$repo/tools/package.sh" --arch amd64 --jobs "$jobs" --out "$tmp/deb" --build-dir "$build_dir" --model "$model" \
  || fail "tools/package.sh failed"
deb=$(ls "$tmp"/deb/loadercount_*_amd64.deb)
say "installing $deb"
installed=1
dpkg -i "$deb" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "dpkg -i failed"; }

# 3. What the installation must have done.
getent passwd loadercount >/dev/null || fail "postinst did not create user loadercount"
[[ $(getent passwd loadercount | cut -d: -f7) == */nologin || $(getent passwd loadercount | cut -d: -f7) == /bin/false ]] \
  || fail "user loadercount has a login shell"
[[ $(stat -c %U:%a /var/lib/loadercount) == loadercount:750 ]] || fail "/var/lib/loadercount is $(stat -c %U:%a /var/lib/loadercount), want loadercount:750"
dpkg-query -W -f='${Conffiles}\n' loadercount | grep -q '/etc/loadercount/loadercountd.toml' || fail "config is not a conffile"
[[ -f /usr/share/loadercount/models/default/manifest.json ]] || fail "no model bundle installed"
[[ -L /etc/systemd/system/multi-user.target.wants/loadercountd.service ]] || fail "loadercountd.service is not enabled"
ls /etc/systemd/system/sys-subsystem-net-devices-can0.device.wants/loadercount-can@can0.service >/dev/null 2>&1 \
  || fail "loadercount-can@can0.service is not enabled"
if command -v systemd-analyze >/dev/null; then
  # Verifies syntax, every directive and that the programs exist; it prints nothing when all is well.
  out=$(systemd-analyze verify /lib/systemd/system/loadercountd.service /lib/systemd/system/loadercount-can@can0.service 2>&1) \
    || fail "systemd-analyze verify: $out"
  [[ -z $out ]] || fail "systemd-analyze verify complains: $out"
  say "systemd-analyze verify: clean"
else
  say "note: no systemd-analyze, units not verified"
fi

# The shipped config must be valid in everything but the machine id, which the electrician must set.
set +e
msg=$(/usr/bin/loadercountd --config /etc/loadercount/loadercountd.toml --check-config 2>&1); rc=$?
set -e
[[ $rc -eq 2 && $msg == *machine.id* ]] || fail "shipped config without an id should exit 2 naming machine.id; got $rc: $msg"

# 4. A test config: the shipped one with an id, no brokers, no shift boundary inside the log, outbox in $tmp.
chown loadercount: "$tmp"
sed -e 's/^id = ""/id = "package-test"/' -e 's/^boundaries = .*/boundaries = []/' \
    -e "s|^path = \"/var/lib/loadercount/outbox.db\"|path = \"$tmp/outbox.db\"|" \
    /etc/loadercount/loadercountd.toml >"$tmp/test.toml"
grep -q "path = \"$tmp/outbox.db\"" "$tmp/test.toml" || fail "could not point the test config's outbox at $tmp"
/usr/bin/loadercountd --config "$tmp/test.toml" --check-config || fail "test config rejected"

seed=7
say "simulating 20 minutes, seed $seed"
/usr/bin/loadercount simulate --minutes 20 --seed $seed --out "$tmp/sim" >/dev/null
chown loadercount: "$tmp"/sim.*

# 5. The installed daemon, as the service user, replays the log; then what its outbox holds.
runuser -u loadercount -- /usr/bin/loadercountd --config "$tmp/test.toml" --replay "$tmp/sim.log" >"$tmp/daemon.log" 2>&1 \
  || { tail -20 "$tmp/daemon.log" >&2; fail "loadercountd --replay failed"; }
runuser -u loadercount -- /usr/bin/loadercountd --config "$tmp/test.toml" --print-events >"$tmp/events.jsonl" 2>"$tmp/print.log" \
  || { cat "$tmp/print.log" >&2; fail "loadercountd --print-events failed"; }

# 6. The reference: the CLI built from the same tree, same log, same (installed) bundle, online decoder.
ref_cli=${LC_REFERENCE_CLI:-$build_dir/bin/loadercount}
"$ref_cli" replay "$tmp/sim.log" --model /usr/share/loadercount/models/default --decoder online --max-lag 6 \
  --json "$tmp/replay.json" >/dev/null || fail "$ref_cli replay failed"

/usr/bin/python3 - "$tmp/events.jsonl" "$tmp/replay.json" <<'PY' || fail "daemon and replay counts differ"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ref = json.load(open(sys.argv[2]))
want = {k: ref[k] for k in ("loads", "trips", "failed_loads")}
by_type = {"loads": 0, "trips": 0, "failed_loads": 0}
for e in events:
    by_type[{"load": "loads", "trip": "trips", "failed_load": "failed_loads"}[e["type"]]] += 1
last = events[-1]["counters"] if events else {"loads": 0, "trips": 0, "failed_loads": 0}
got = {k: last[k] for k in want}
print(f"package_test.sh: replay --json {want}; daemon's last event counters {got}; daemon events by type {by_type}")
if sum(want.values()) == 0:
    sys.exit("the log produced no events: the comparison would prove nothing")
sys.exit(0 if got == want and by_type == want else 1)
PY
