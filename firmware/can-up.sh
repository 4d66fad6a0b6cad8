#!/bin/sh
# Brings a CAN interface up at the loader's bit rate. Run as root by loadercount-can@IFACE.service before
# loadercountd starts; an electrician can run it by hand too.
#
#   can-up.sh [IFACE] [BITRATE]      defaults: can0, and the bit rate from the config file (else 250000)
#
# The bit rate comes from, first to last: the BITRATE argument, $LC_CAN_BITRATE, `bitrate = N` in the [can]
# section of $LC_CONFIG (default /etc/loadercount/loadercountd.toml), and 250000 (J1939-11/-14 default;
# some newer machines use 500000: check the machine's documentation or measure with `candump -e`).
#
# restart-ms 100: after a bus-off (wiring fault, wrong bit rate on one node) the controller restarts by itself
# after 100 ms instead of staying off until someone reboots the loader.
# Listen-only mode is off although the counter only reads: on a bus with just the engine ECU and this adapter,
# ours is the only node that acknowledges the ECU's frames, and without ACKs the ECU logs errors and resends.
# Set LC_CAN_LISTEN_ONLY=1 on a bus with other nodes if the site insists on a passive tap.
# Exit codes: 0 up, 2 bad argument or config value, 1 the interface could not be configured.
set -eu

iface=${1:-can0}
config=${LC_CONFIG:-/etc/loadercount/loadercountd.toml}

# [can] bitrate from the TOML file: the first `bitrate = N` line after a `[can]` header and before the next
# header; comments and spaces allowed. Prints nothing if there is none.
config_bitrate() {
  [ -r "$1" ] || return 0
  awk '
    /^[ \t]*\[/ { in_can = ($0 ~ /^[ \t]*\[can\][ \t]*(#.*)?$/); next }
    in_can && /^[ \t]*bitrate[ \t]*=/ {
      v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]*(#.*)?$/, "", v); gsub(/_/, "", v); print v; exit
    }' "$1"
}

bitrate=${2:-${LC_CAN_BITRATE:-$(config_bitrate "$config")}}
bitrate=${bitrate:-250000}
case $bitrate in
  ''|*[!0-9]*) echo "can-up.sh: bit rate '$bitrate' is not a number (argument, LC_CAN_BITRATE or [can] bitrate in $config)" >&2; exit 2 ;;
esac
if [ "$bitrate" -lt 10000 ] || [ "$bitrate" -gt 1000000 ]; then
  echo "can-up.sh: bit rate $bitrate is outside 10000..1000000" >&2
  exit 2
fi

if ! ip link show "$iface" >/dev/null 2>&1; then
  echo "can-up.sh: no interface '$iface' (is the CAN adapter connected and its driver loaded? see 'ip -details link')" >&2
  exit 1
fi

listen_only=off
[ "${LC_CAN_LISTEN_ONLY:-0}" = 1 ] && listen_only=on

# The bit rate can only be changed while the interface is down. vcan (virtual, for tests) has no bit rate.
ip link set "$iface" down
if ip -details link show "$iface" | grep -q 'vcan'; then
  echo "can-up.sh: $iface is a virtual CAN interface: no bit rate to set"
else
  ip link set "$iface" type can bitrate "$bitrate" restart-ms 100 listen-only "$listen_only"
fi
ip link set "$iface" up
echo "can-up.sh: $iface up at $bitrate bit/s (restart-ms 100, listen-only $listen_only)"
