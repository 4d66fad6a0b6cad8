#!/usr/bin/env bash
# The main job on embedded defaults, start to finish: the README's first set-up command.
#   1. installs what is needed (tools/setup.sh) and builds the release binaries into build/bin;
#   2. simulates one hour of a wheel loader's J1939 bus (a seed never used in training);
#   3. replays it through the shipped model (models/default) with the online decoder, as the loader would
#      count it live, and prints the counts;
#   4. prints what really happened (the simulator's labels) beside the three decoders (loadercount eval).
# Usage: tools/demo.sh [--minutes M] [--seed S] [--profile NAME]     Output files go to out/.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
minutes=60
seed=4242
profile=""
while (($#)); do
  case "$1" in
    --minutes) minutes=$2; shift ;;
    --seed) seed=$2; shift ;;
    --profile) profile="--profile $2"; shift ;;
    *) echo "demo.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

tools/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target loadercount

mkdir -p out
bin=build/bin/loadercount
echo
echo "== simulate $minutes min of a loader's bus (seed $seed)"
# shellcheck disable=SC2086
$bin simulate --minutes "$minutes" --seed "$seed" $profile --out out/demo
echo
echo "== replay it with the shipped model (online decoder, as on the loader)"
$bin replay out/demo.log --model models/default --json out/demo.replay.json
echo
echo "== against the truth (the simulator's labels), all three decoders"
$bin eval --data out/demo.log:out/demo.labels.csv --model models/default --json out/demo.eval.json --plot out/demo.png
echo
echo "demo.sh: counts in out/demo.replay.json, evaluation in out/demo.eval.json, picture in out/demo.png"
