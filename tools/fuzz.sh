#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan + UBSan) and runs each for N seconds on its seed
# corpus. Usage: tools/fuzz.sh [SECONDS] [TARGET...]   (default 20 s each, every target in tests/fuzz)
#
# Seeds:   tests/fuzz/corpus/<name>/ (small, committed) + tests/fuzz/<name>.dict if present.
# Work:    build-fuzz/corpus/<name>/ collects the new inputs libFuzzer finds (kept between runs, not committed).
# Crashes: build-fuzz/artifacts/<name>/crash-* ; replay one with `build-fuzz/bin/fuzz_<name> FILE`. Every crash
#          becomes a reproducer in tests/fuzz/regressions/<name>/ (replayed first, before fuzzing) and a unit
#          test (tests/unit/<layer>/*_fuzz_regression_test.cpp) with its input inline.
# Exits 1 if any target crashed, leaked, timed out or broke a property it checks; 2 on a usage or build error.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

seconds=${1:-20}
if [[ ! "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "fuzz.sh: SECONDS must be a positive integer, got '$seconds'" >&2
  exit 2
fi
shift || true

build=$repo/build-fuzz
cmake --preset fuzz >/dev/null || exit 2
if (($#)); then
  targets=("$@")
else
  mapfile -t targets < <(cmake --build "$build" --target help | grep -o '^fuzz_[a-z0-9_]*' | sed 's/^fuzz_//' | sort -u)
fi
if ((${#targets[@]} == 0)); then
  echo "fuzz.sh: no fuzz targets configured" >&2
  exit 2
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build --preset fuzz --target "${build_targets[@]}" -j 2 || exit 2

failed=()
for t in "${targets[@]}"; do
  seeds=$repo/tests/fuzz/corpus/$t
  work=$build/corpus/$t
  artifacts=$build/artifacts/$t
  mkdir -p "$work" "$artifacts"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=4096 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  if [[ -f $repo/tests/fuzz/$t.dict ]]; then args+=(-dict="$repo/tests/fuzz/$t.dict"); fi
  log=$build/fuzz_$t.log
  # Known reproducers first: a fixed bug must stay fixed, and an open one fails fast with its own name.
  regressions=$repo/tests/fuzz/regressions/$t
  if compgen -G "$regressions/*" >/dev/null; then
    echo "fuzz.sh: == fuzz_$t replays $(find "$regressions" -type f | wc -l) reproducer(s) from $regressions"
    reg_failed=0
    for input in "$regressions"/*; do
      if ! "$build/bin/fuzz_$t" "$input" >"$log.replay" 2>&1; then
        reg_failed=1
        echo "fuzz.sh: reproducer $(basename "$input") still fails:"
        grep -E 'fuzz_[a-z_]+: |runtime error|ERROR: Address|ERROR: Leak' "$log.replay" | grep -v 'Running 1 inputs' | head -3 | sed 's/^/    /'
      fi
    done
    if ((reg_failed)); then
      failed+=("$t")
      echo "fuzz.sh: fuzz_$t FAILED on known reproducers (fix them first; not fuzzing this target)"
      continue
    fi
  fi
  echo "fuzz.sh: == fuzz_$t for ${seconds} s (seeds $seeds)"
  if "$build/bin/fuzz_$t" "${args[@]}" "$work" "$seeds" >"$log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$log" | tr '\n' ' '
    grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]+' "$log" | tail -1
  else
    failed+=("$t")
    grep -E 'ERROR|SUMMARY|fuzz_[a-z]+:|runtime error|Test unit written to|line:' "$log" | head -20
    echo "fuzz.sh: fuzz_$t FAILED (full log $log)"
  fi
done

if ((${#failed[@]})); then
  echo "fuzz.sh: crashes in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} target(s), ${seconds} s each, no crash"
