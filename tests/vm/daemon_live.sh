#!/bin/sh
# loadercountd on a live SocketCAN bus: run INSIDE the CAN VM by tools/vm_test.sh (tools/daemon_tests.sh does):
#
#   tools/vm_test.sh [--arch aarch64] -- 'sh tests/vm/daemon_live.sh DAEMON LOG MODEL OUT'
#
# Starts `candump -L vcan0` (the capture: frames with the kernel timestamps the daemon also sees) and DAEMON on
# vcan0 (outbox only, in the VM's /tmp), plays LOG onto vcan0 with canplayer at recorded speed, waits 36 s of
# silence (> the model's 30 s segment gap, so the daemon commits every undecided window), stops the daemon with
# SIGTERM and writes to OUT (a folder shared back to the host, e.g. build-vm/out/daemon-x86_64):
#   captured.log   what was on the bus           events.jsonl   the daemon's outbox (--print-events)
#   daemon.err     the daemon's log (stdout+err)  print.err      --print-events' summary
#   rc             "daemon=N print=N"
# The host then replays captured.log with `loadercount replay` and compares (tools/daemon_tests.sh).
# POSIX sh: on aarch64 this runs under busybox sh.
set -eu
daemon=$1 log=$2 model=$3 out=$4
mkdir -p "$out"
rm -f "$out/captured.log" "$out/events.jsonl" "$out/daemon.err" "$out/rc"
cfg=/tmp/daemon_live.toml
cat >"$cfg" <<CONF
[machine]
id = "m1"
site = "vm"
[can]
interface = "vcan0"
[model]
dir = "$model"
[outbox]
path = "/tmp/daemon_live_outbox.db"
[health]
interval_s = 10
[log]
level = "info"
CONF
# The capture goes to the VM's tmpfs with a 16 MiB socket buffer: written straight into the 9p share, candump
# fell behind and lost a fifth of the frames on a busy host (the daemon, reading its own socket, lost none).
capture_file=/tmp/daemon_live_captured.log
candump -r 16777216 -L vcan0 >"$capture_file" &
capture=$!
"$daemon" --config "$cfg" >"$out/daemon.err" 2>&1 &  # spdlog writes to stdout
pid=$!
# On any failure, stop both children: the VM ends only when they are gone.
trap 'kill "$pid" "$capture" 2>/dev/null || true' EXIT
# Wait (at most 60 s) until the daemon has loaded the model and reads the bus.
i=0
while ! grep -q "reading vcan0" "$out/daemon.err" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "daemon_live.sh: the daemon did not start reading vcan0" >&2
    cat "$out/daemon.err" >&2
    exit 1
  fi
  sleep 0.1
done
echo "daemon_live.sh: playing $log onto vcan0"
canplayer -I "$log" vcan0=can0
echo "daemon_live.sh: log played; 36 s of silence"
sleep 36
kill -TERM "$pid"
set +e
wait "$pid"
drc=$?
kill "$capture"
wait "$capture" 2>/dev/null
cp "$capture_file" "$out/captured.log"
"$daemon" --config "$cfg" --print-events >"$out/events.jsonl" 2>"$out/print.err"
prc=$?
set -e
echo "daemon=$drc print=$prc" >"$out/rc"
echo "daemon_live.sh: daemon exit $drc, $(wc -l <"$out/events.jsonl") events, $(wc -l <"$out/captured.log") of $(wc -l <"$log") frames captured"
[ "$drc" -eq 0 ] && [ "$prc" -eq 0 ]
