#!/usr/bin/python3
"""Compares two bundles shift by shift on the same held-out sets, from the `eval --json` files that
`tools/eval_sets.sh --keep DIR` keeps (one DIR/PREFIX.json per set), and checks the second run's online decoder
against its offline one.

Prints, over the sets both directories hold: shifts with an exact trip count and the summed |counted - true| trips
of each run (online decoder); the discordant shifts (exact in one run only) and the exact two-sided McNemar p of
the difference; and for the second run the windows where online and offline agree, and its forced commits.

    tools/eval_sets.sh --model A --keep /tmp/a 90 91 ...  &&  tools/eval_sets.sh --model B --keep /tmp/b 90 91 ...
    tools/compare_runs.py /tmp/a /tmp/b
"""
import json
import math
import os
import sys


def fail(msg):
    print(f"compare_runs.py: {msg}", file=sys.stderr)
    sys.exit(2)


def load(d, name):
    try:
        return json.load(open(os.path.join(d, name)))
    except (OSError, ValueError) as e:
        fail(f"cannot read {os.path.join(d, name)}: {e}")


def main():
    if len(sys.argv) != 3:
        fail("usage: compare_runs.py FIRST_DIR SECOND_DIR")
    a_dir, b_dir = sys.argv[1:]
    for d in (a_dir, b_dir):
        if not os.path.isdir(d):
            fail(f"{d} is not a directory (tools/eval_sets.sh --keep DIR makes one)")
    sets = sorted(set(f for f in os.listdir(a_dir) if f.endswith(".json")) &
                  set(f for f in os.listdir(b_dir) if f.endswith(".json")))
    if not sets:
        fail("the two directories hold no set in common")
    shifts = exact_a = exact_b = only_a = only_b = err_a = err_b = 0
    windows = agree = forced = 0
    for name in sets:
        a, b = load(a_dir, name), load(b_dir, name)
        if [f["log"] for f in a["files"]] != [f["log"] for f in b["files"]]:
            fail(f"{name}: the two runs evaluated different logs")
        for fa, fb in zip(a["files"], b["files"]):
            ea = fa["online"]["trips"]["counted"] - fa["online"]["trips"]["true"]
            eb = fb["online"]["trips"]["counted"] - fb["online"]["trips"]["true"]
            shifts += 1
            exact_a += ea == 0
            exact_b += eb == 0
            only_a += ea == 0 and eb != 0
            only_b += eb == 0 and ea != 0
            err_a += abs(ea)
            err_b += abs(eb)
            windows += fb["windows"]
            agree += round(fb["online_offline_window_agreement"] * fb["windows"])
        forced += b["total"]["online"]["forced_commits"]
    n, k = only_a + only_b, min(only_a, only_b)
    p = min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n) if n else 1.0
    print(f"{len(sets)} sets, {shifts} shifts")
    print(f"exact trip count: {exact_a} ({100 * exact_a / shifts:.1f} %) -> {exact_b} ({100 * exact_b / shifts:.1f} %);"
          f" summed |counted - true| trips {err_a} -> {err_b}")
    print(f"exact in the first run only: {only_a}; in the second only: {only_b}; McNemar exact two-sided p = {p:.3f}")
    print(f"second run: online = offline on {agree} of {windows} windows; forced commits {forced}")


if __name__ == "__main__":
    main()
