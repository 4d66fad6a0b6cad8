#!/usr/bin/python3
"""What the --faults of a simulated shift cost its count: README "What the faults cost" (session 14).

The simulator's labels do not depend on --faults, so a faulted shift can be simulated again without them (same
seed and profile) and both replayed with the shipped model. For each shift this prints the online decoder's
trip error on the faulted and on the clean log, then every event of the faulted replay that matches no true
event (same type, within 10 s), marked when the clean replay has it too, with the faults seen in the faulted
log's frames from 40 s before to 10 s after it: a contract message silent for more than 2 s, more than 20 "not
available" values of a message (an episode, not the rare single ones), a gap of more than 1 s in the whole bus.
Stuck sensors are not seen.

    tools/fault_report.py [--work DIR] [--model DIR] SEED ...
      --work DIR   where tools/eval_sets.sh keeps its logs (default build/train-default: evalSEED.log and
                   evalSEED.labels.csv; run tools/eval_sets.sh first); the clean copies go to DIR/clean/
    e.g. tools/fault_report.py 9019 9115 9415 9703 9711 9803 9823
The shifts with --faults in tools/eval_sets.sh's sets are every fourth one: seeds PREFIX03, 07, 11, 15, 19, 23.
"""
import bisect
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile

PROFILES = ["compact", "midsize", "quarry"]  # as tools/eval_sets.sh: profile by seed % 100 % 3
EVENTS = {("LOADING", "LOADED"): "load", ("UNLOADING", "EMPTY"): "trip", ("LOADING", "EMPTY"): "failed_load"}
# Engine messages (source address 0x00) and the bytes of their contract signals: (first, last, width).
MESSAGES = {0xF004: ("EEC1", [(2, 2, 1), (3, 4, 2)]), 0xF003: ("EEC2", [(1, 1, 1), (7, 7, 1)]),
            0xFEDF: ("EEC3", [(0, 0, 1)]), 0xFEF7: ("VEP1", [(6, 7, 2)]), 0xFEEE: ("ET1", [(0, 0, 1)]),
            0xFEF6: ("IC1", [(1, 1, 1)]), 0xFEEF: ("EFL/P1", [(3, 3, 1)]), 0xFE07: ("ET", [(0, 1, 2)])}


def fail(msg):
    print(f"fault_report.py: {msg}", file=sys.stderr)
    sys.exit(2)


def replay(binary, model, log):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        r = subprocess.run([binary, "replay", log, "--model", model, "--json", out.name],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"replay {log}: {r.stderr.strip()}")
        j = json.load(open(out.name))
    return j["trips"], [(e["type"], datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp())
                        for e in j["events"]]


def truth(labels_path):
    rows = list(csv.DictReader(open(labels_path)))
    events = [(EVENTS[(a["state"], b["state"])], float(b["start"]))
              for a, b in zip(rows, rows[1:]) if (a["state"], b["state"]) in EVENTS]
    return float(rows[0]["start"]), events


def unmatched(predicted, true_events, tolerance=10.0):
    used, out = set(), []
    for kind, t in predicted:
        best = None
        for i, (k, tt) in enumerate(true_events):
            if k != kind or i in used or abs(tt - t) > tolerance:
                continue
            if best is None or abs(tt - t) < abs(true_events[best][1] - t):
                best = i
        if best is None:
            out.append(("extra", kind, t))
        else:
            used.add(best)
    out += [("missed", k, t) for i, (k, t) in enumerate(true_events) if i not in used]
    return sorted(out, key=lambda e: e[2])


def scan(log):
    """Per message: frame times and times of frames with a 'not available' signal; all frame times."""
    times = {name: [] for name, _ in MESSAGES.values()}
    na = {name: [] for name, _ in MESSAGES.values()}
    every = []
    for line in open(log):
        try:
            ts = float(line[1:line.index(")")])
            ident, data = line.split()[2].split("#")
            ident = int(ident, 16)
        except ValueError:
            continue
        every.append(ts)
        if ident & 0xFF != 0:
            continue
        pgn = (ident >> 8) & 0x3FFFF
        pgn &= 0xFFFF if ((pgn >> 8) & 0xFF) >= 0xF0 else 0x3FF00
        if pgn not in MESSAGES:
            continue
        name, fields = MESSAGES[pgn]
        times[name].append(ts)
        b = bytes.fromhex(data)
        if any((w == 1 and b[lo] >= 0xFE) or (w == 2 and (b[lo] | b[hi] << 8) >= 0xFE00)
               for lo, hi, w in fields if hi < len(b)):
            na[name].append(ts)
    return times, na, every


def faults_near(scanned, t0, t1):
    times, na, every = scanned
    out = []
    for name, ts in times.items():
        seg = [t0] + ts[bisect.bisect_left(ts, t0):bisect.bisect_right(ts, t1)] + [t1]
        gap = max(b - a for a, b in zip(seg, seg[1:]))
        if gap > 2:
            out.append(f"{name} silent {gap:.0f} s")
        n = bisect.bisect_right(na[name], t1) - bisect.bisect_left(na[name], t0)
        if n > 20:  # single ones come at 0.1 % of values: about 5 in 50 s of EEC1
            out.append(f"{name} not available x{n}")
    seg = every[bisect.bisect_left(every, t0):bisect.bisect_right(every, t1)]
    gap = max([b - a for a, b in zip(seg, seg[1:])] + [0])
    if gap > 1:
        out.append(f"bus gap {gap:.1f} s")
    return out


def main():
    args = sys.argv[1:]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work, model = os.path.join(root, "build/train-default"), os.path.join(root, "models/default")
    binary = os.path.join(root, "build/bin/loadercount")
    seeds = []
    while args:
        a = args.pop(0)
        if a in ("--work", "--model") and args:
            if a == "--work":
                work = args.pop(0)
            else:
                model = args.pop(0)
        elif a.isdigit():
            seeds.append(int(a))
        else:
            fail(f"unknown argument '{a}' (see the header of this file)")
    if not seeds:
        fail("no seeds (usage: tools/fault_report.py [--work DIR] [--model DIR] SEED ...)")
    if not os.access(binary, os.X_OK):
        fail(f"{binary} not built (cmake --preset release && cmake --build build)")
    clean_dir = os.path.join(work, "clean")
    os.makedirs(clean_dir, exist_ok=True)
    for seed in seeds:
        log, labels = os.path.join(work, f"eval{seed}.log"), os.path.join(work, f"eval{seed}.labels.csv")
        if not os.path.exists(labels):
            fail(f"{labels} missing (tools/eval_sets.sh simulates the sets)")
        clean = os.path.join(clean_dir, f"eval{seed}")
        if not os.path.exists(clean + ".labels.csv"):
            r = subprocess.run([binary, "simulate", "--minutes", "60", "--seed", str(seed), "--profile",
                                PROFILES[seed % 100 % 3], "--out", clean], capture_output=True, text=True)
            if r.returncode != 0:
                fail(f"simulate {seed}: {r.stderr.strip()}")
        if open(clean + ".labels.csv").read() != open(labels).read():
            fail(f"{seed}: the clean copy's labels differ from {labels} (not simulated as tools/eval_sets.sh does?)")
        start, true_events = truth(labels)
        true_trips = sum(1 for k, _ in true_events if k == "trip")
        trips, events = replay(binary, model, log)
        clean_trips, clean_events = replay(binary, model, clean + ".log")
        bad, clean_bad = unmatched(events, true_events), unmatched(clean_events, true_events)
        print(f"{seed}: trips {trips - true_trips:+d} with faults, {clean_trips - true_trips:+d} without")
        scanned = scan(log) if bad else None
        for kind, event, t in bad:
            shared = any(k == kind and e == event and abs(tt - t) < 10 for k, e, tt in clean_bad)
            near = faults_near(scanned, t - 40, t + 10)
            print(f"  {kind} {event} at {t - start:.0f} s{' (also without faults)' if shared else ''}: "
                  f"{', '.join(near) if near else 'no fault seen'}")


if __name__ == "__main__":
    main()
