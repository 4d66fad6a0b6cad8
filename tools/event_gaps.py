#!/usr/bin/python3
"""How soon one counted event follows another, against the labels: where a decoder's path is impossible in time.

    tools/event_gaps.py [--model DIR] [--bin PATH] --train 'GLOB' LOG ...

For each pair of consecutive event types (load -> trip, trip -> load, ...) prints the shortest time between them in
the training labels (--train: a glob of *.labels.csv), then, over the LOGs replayed with `loadercount replay --json`
(online decoder; LOG.log beside LOG.labels.csv), how many consecutive counted pairs come sooner than that, how many
of those have no true event of the second type within 10 s, and the counted load -> trip times under 7 s (to
0.1 s), each with its number of pairs and of unmatched trips. README's "What limits the exact count" and tools/train_default.toml quote it on sets A-J,
with the shipped bundle without its rule (a copy of models/default whose manifest lacks
"decoder_min_load_to_trip_s") and with it:
    tools/eval_sets.sh   # simulates the sets into build/train-default/ if needed
    tools/event_gaps.py --model /tmp/norule --train 'build/train-default/train1*.labels.csv' \\
        build/train-default/eval9[0-9][0-2][0-9].log
"""
import argparse
import collections
import csv
import datetime
import glob
import json
import os
import subprocess
import sys
import tempfile

EVENTS = {("LOADING", "LOADED"): "load", ("UNLOADING", "EMPTY"): "trip", ("LOADING", "EMPTY"): "failed_load"}


def label_events(path):
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    return [(EVENTS[(a[2], b[2])], float(b[0])) for a, b in zip(rows, rows[1:]) if (a[2], b[2]) in EVENTS]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="models/default")
    ap.add_argument("--bin", default="build/bin/loadercount")
    ap.add_argument("--train", required=True, help="glob of training *.labels.csv")
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()
    train = sorted(glob.glob(a.train))
    if not train:
        sys.exit(f"event_gaps.py: --train '{a.train}' matches no file")
    shortest = collections.defaultdict(lambda: float("inf"))
    for f in train:
        ev = label_events(f)
        for (e1, t1), (e2, t2) in zip(ev, ev[1:]):
            shortest[(e1, e2)] = min(shortest[(e1, e2)], t2 - t1)
    pairs, below, unmatched = collections.Counter(), collections.Counter(), collections.Counter()
    load_trip = collections.defaultdict(lambda: [0, 0])  # counted load -> trip time (0.1 s): pairs, trip unmatched
    with tempfile.TemporaryDirectory() as tmp:
        for log in a.logs:
            labels = log[:-4] + ".labels.csv" if log.endswith(".log") else log + ".labels.csv"
            out = os.path.join(tmp, "r.json")
            subprocess.run([a.bin, "replay", log, "--model", a.model, "--json", out], check=True,
                           stdout=subprocess.DEVNULL)
            with open(out) as f:
                counted = [(e["type"], datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp())
                           for e in json.load(f)["events"]]
            truth = label_events(labels)
            for (e1, t1), (e2, t2) in zip(counted, counted[1:]):
                pairs[(e1, e2)] += 1
                alone = not any(te == e2 and abs(tt - t2) <= 10 for te, tt in truth)
                if (e1, e2) == ("load", "trip") and t2 - t1 < 7:
                    load_trip[round(t2 - t1, 1)][0] += 1
                    load_trip[round(t2 - t1, 1)][1] += alone
                if t2 - t1 < shortest[(e1, e2)]:
                    below[(e1, e2)] += 1
                    unmatched[(e1, e2)] += alone
    print(f"{len(a.logs)} logs, model {a.model}; training labels: {len(train)} files")
    print("pair                      shortest in training   counted   sooner   of them unmatched")
    for k in sorted(set(shortest) | set(pairs)):
        print(f"{k[0] + ' -> ' + k[1]:26s}{shortest[k]:>12.2f} s{pairs[k]:>16d}{below[k]:>9d}{unmatched[k]:>12d}")
    print("counted load -> trip under 7 s (pairs, of them the trip unmatched):",
          ", ".join(f"{g} s: {n} ({u})" for g, (n, u) in sorted(load_trip.items())) or "none")


if __name__ == "__main__":
    main()
