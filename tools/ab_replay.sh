#!/usr/bin/env bash
# Interleaved A/B of `loadercount replay` binaries: each round runs every binary once on the same log, so a
# slow minute of a shared machine falls on all of them alike. Prints min, p25 and median wall ms per binary
# (wall time from the shell's clock around each run: fork and exec included, so compare binaries with each
# other, not with tools/bench.sh's figures). The A/B figures in BENCHMARKS.md (session 7) come from this.
#
#   tools/ab_replay.sh [--model DIR] [--rounds N] LOG BINARY...
#   e.g. git worktree add /tmp/old 8d135a9 && (cd /tmp/old && cmake --preset release && cmake --build --preset
#        release) && tools/ab_replay.sh --rounds 40 /tmp/lc-bench/h1.log /tmp/old/build/bin/loadercount build/bin/loadercount
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model="$root/models/default"
rounds=30
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
if [[ $# -lt 2 ]]; then
  echo "usage: tools/ab_replay.sh [--model DIR] [--rounds N] LOG BINARY..." >&2
  exit 2
fi
log="$1"; shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((r = 0; r < rounds; r++)); do
  for i in $(seq 0 $(($# - 1))); do
    bin="${@:$((i + 1)):1}"
    s=$(date +%s%N)
    "$bin" replay "$log" --model "$model" > /dev/null
    e=$(date +%s%N)
    echo $(((e - s) / 1000)) >> "$tmp/$i"
  done
done
for i in $(seq 0 $(($# - 1))); do
  bin="${@:$((i + 1)):1}"
  sort -n "$tmp/$i" | awk -v name="$bin" '{a[NR] = $1} END {
    printf "%s: min %.1f  p25 %.1f  median %.1f ms (%d runs)\n", name, a[1] / 1000, a[int(NR / 4) + 1] / 1000, a[int(NR / 2) + 1] / 1000, NR }'
done
