#!/usr/bin/env bash
# Regenerates the golden end-to-end fixture tests/data/golden/: a short simulated shift with only the engine's
# frames kept (so it stays small enough to commit), its labels, and what the shipped model counts in it with
# each decoder. Run it deliberately after a change of models/default or of the data path, and review the diff.
# Usage: tools/make_golden.sh [--minutes M] [--seed S]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
minutes=5
seed=777001
while (($#)); do
  case "$1" in
    --minutes) minutes=$2; shift ;;
    --seed) seed=$2; shift ;;
    *) echo "make_golden.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
bin=build/bin/loadercount
dir=tests/data/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"
$bin simulate --minutes "$minutes" --seed "$seed" --profile midsize --out "$tmp/shift" >/dev/null
# Keep the engine's frames (source address 0x00, 29-bit ids): EEC1/2/3, ET1, IC1, EFL/P1, VEP1, ET.
grep -E '^\([0-9.]+\) [a-z0-9]+ [0-9A-F]{6}00#' "$tmp/shift.log" > "$dir/shift.log"
cp "$tmp/shift.labels.csv" "$dir/shift.labels.csv"
for d in online offline greedy; do
  $bin replay "$dir/shift.log" --model models/default --decoder $d --json "$tmp/$d.json" >/dev/null
done
/usr/bin/python3 - "$tmp" "$dir" <<'PY'
import csv, json, sys
tmp, out = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{out}/shift.labels.csv")))
ev = {"loads": 0, "trips": 0, "failed_loads": 0}
for a, b in zip(rows, rows[1:]):
    t = (a["state"], b["state"])
    if t == ("LOADING", "LOADED"): ev["loads"] += 1
    if t == ("UNLOADING", "EMPTY"): ev["trips"] += 1
    if t == ("LOADING", "EMPTY"): ev["failed_loads"] += 1
doc = {"truth": ev, "decoders": {}}
for d in ("online", "offline", "greedy"):
    j = json.load(open(f"{tmp}/{d}.json"))
    doc["decoders"][d] = {k: j[k] for k in ("trips", "loads", "failed_loads", "windows", "degraded_windows", "events")}
json.dump(doc, open(f"{out}/shift.expected.json", "w"), indent=1)
print("truth", ev, {d: (doc["decoders"][d]["trips"], doc["decoders"][d]["loads"], doc["decoders"][d]["failed_loads"]) for d in doc["decoders"]})
PY
ls -la "$dir"
