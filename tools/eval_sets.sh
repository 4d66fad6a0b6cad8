#!/usr/bin/env bash
# Reproduces README's per-set table ("How well it counts"): simulates held-out sets of 24 one-hour shifts the way
# tools/train_default.sh simulates set A (seed = PREFIX x 100 + i, profiles compact / midsize / quarry in turn,
# every fourth shift with --faults; logs kept in build/train-default/), evaluates a bundle on each set with
# `loadercount eval --json`, and prints per set: exact trip counts, shifts within one trip, the summed
# |counted - true| trips, trip / load / failed-load F1 and median delay (online decoder), greedy's exact counts;
# then the exact counts and summed error of the shifts with --faults and of those without.
# Usage: tools/eval_sets.sh [--model DIR] [--min-load-to-trip S] [--prob-floor F] [--keep DIR] [PREFIX ...]
#        (defaults: models/default, the bundle's own shortest load-to-trip time; 90 91 92 93 94 95 96 97 98 99,
#        i.e. sets A-J, seeds 9000-9923)
#   --min-load-to-trip S  passed to `loadercount eval` (0: the decoders' rule off), as tools/train_default.toml's
#                         sweep of decoder_min_load_to_trip_s was measured
#   --prob-floor F        passed to `loadercount eval`: the decoders' probability floor instead of the bundle's
#   --keep DIR            keeps each set's `eval --json` as DIR/PREFIX.json (per-file counts, for comparing runs)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
model=models/default
extra=()
sets=()
keep=""
while (($#)); do
  case "$1" in
    --model) model=$2; shift ;;
    --min-load-to-trip) extra+=(--min-load-to-trip "$2"); shift ;;
    --prob-floor) extra+=(--prob-floor "$2"); shift ;;
    --keep) keep=$2; shift ;;
    -*) echo "eval_sets.sh: unknown option '$1'" >&2; exit 2 ;;
    *) sets+=("$1") ;;
  esac
  shift
done
((${#sets[@]})) || sets=(90 91 92 93 94 95 96 97 98 99)
bin=build/bin/loadercount
[[ -x $bin ]] || { cmake --preset release >/dev/null && cmake --build --preset release --target loadercount; }
work=build/train-default
mkdir -p "$work"
if [[ -n $keep ]]; then
  out=$keep
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
profiles=(compact midsize quarry)
for set in "${sets[@]}"; do
  data=()
  for ((i = 0; i < 24; i++)); do
    seed=$((set * 100 + i)); p=${profiles[$((i % 3))]}; faults=""
    ((i % 4 == 3)) && faults="--faults"
    [[ -f $work/eval$seed.labels.csv ]] || $bin simulate --minutes 60 --seed $seed --profile "$p" $faults --out "$work/eval$seed" >/dev/null
    data+=(--data "$work/eval$seed.log:$work/eval$seed.labels.csv")
  done
  $bin eval "${data[@]}" --model "$model" "${extra[@]}" --json "$out/$set.json" >/dev/null
done
/usr/bin/python3 - "$out" "${sets[@]}" <<'PY'
import json, sys
out, sets = sys.argv[1], sys.argv[2:]
print("| seeds | exact | within one | sum abs error | trip F1 | load F1 | failed-load F1 | median delay | greedy exact |")
print("|---|---|---|---|---|---|---|---|---|")
tot = [0, 0, 0, 0, 0]
by_faults = {True: [0, 0, 0], False: [0, 0, 0]}  # shifts, exact, summed error; every fourth shift has --faults
for s in sets:
    j = json.load(open(f"{out}/{s}.json"))
    err = [f["online"]["trips"]["counted"] - f["online"]["trips"]["true"] for f in j["files"]]
    o, g = j["total"]["online"], j["total"]["greedy"]
    row = [sum(e == 0 for e in err), sum(abs(e) <= 1 for e in err), sum(map(abs, err)),
           g["files_with_exact_trip_count"], len(err)]
    tot = [a + b for a, b in zip(tot, row)]
    for i, e in enumerate(err):
        b = by_faults[i % 4 == 3]
        b[0] += 1; b[1] += e == 0; b[2] += abs(e)
    print(f"| {s}00-{s}{len(err) - 1:02d} | {row[0]} / {row[4]} | {row[1]} | {row[2]} | {o['trips']['f1']:.3f} | "
          f"{o['loads']['f1']:.3f} | {o['failed_loads']['f1']:.3f} | {o['median_emission_delay_s']:.1f} s | {row[3]} / {row[4]} |")
print(f"| all | {tot[0]} / {tot[4]} | {tot[1]} | {tot[2]} | | | | | {tot[3]} / {tot[4]} |")
for f, name in ((True, "with --faults"), (False, "without")):
    n, ex, e = by_faults[f]
    print(f"\nshifts {name}: {ex} / {n} exact, summed error {e}", end="")
print()
PY
