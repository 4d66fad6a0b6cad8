#!/usr/bin/env python3
"""Where a decoder's trip count goes wrong, from `loadercount eval --windows OUT.csv`.

  tools/window_report.py WINDOWS.csv [--decoder online] [--logs DIR] [--context N]

For each file whose counted trips differ from the truth: the true trips no decoded trip matches within two
windows ("missed") and the decoded trips no true trip matches ("extra"), each tagged "stop" when the window is
the last before a gap (the engine stopped) or "log end" when it is the file's last window (a trip the labels put
inside the gap itself, a key-off during a dump, has no window: decoded in the window before the stop it shows
as "extra (stop)" although the count is right), and, with
--context N, the N windows before each with their truth, decoded class and the three likeliest classes. Then the
totals by tag.

With --logs DIR (the folder of the logs the CSV names), also how the model scores the EMPTY_NO_TRANSITION and
LOADED_NO_TRANSITION windows by accelerator pedal: idle (mean < 20 %), light (20-40 %) and working, from the
engine's EEC2 frames (source address 0x00). A loaded wait for a truck is an idle LOADED window.

The README's figures ("How well it counts") and src/decode/README.md's come from this script on the held-out
sets A-C (the --data of tools/train_default.sh with seeds 9000-9023, 9100-9123, 9200-9223):
  loadercount eval --data ... --windows /tmp/w.csv && tools/window_report.py /tmp/w.csv --logs build/train-default
The dumps lost before a key-off without the segment-end prior: the same with --model a copy of models/default
whose manifest lacks "decoder_segment_end_log_prior" ("missed (stop)": 7; with the prior: 0).
"""
import argparse
import collections
import csv
import sys


def trips(cls):
    """UNLOADING -> EMPTY changes inside a window class name such as LOADED_TO_UNLOADING_TO_EMPTY."""
    if not cls:
        return 0
    states = cls.replace("_NO_TRANSITION", "").split("_TO_")
    return sum(1 for a, b in zip(states, states[1:]) if a == "UNLOADING" and b == "EMPTY")


def short(c):
    return c.replace("_NO_TRANSITION", "").replace("UNLOADING", "UNL").replace("LOADING", "LDG").replace("_TO_", ">")


def unmatched(ws, col):
    """(extra, missed): decoded trip windows without a true trip within 2 windows, and the reverse."""
    truth = [i for i, r in enumerate(ws) for _ in range(trips(r["truth"]))]
    got = [i for i, r in enumerate(ws) for _ in range(trips(r[col]))]
    used, extra = set(), []
    for i in got:
        near = [j for j in range(len(truth)) if abs(truth[j] - i) <= 2 and j not in used]
        if near:
            used.add(min(near, key=lambda j: abs(truth[j] - i)))
        else:
            extra.append(i)
    missed = [truth[j] for j in range(len(truth)) if j not in used]
    return extra, missed, len(truth), len(got)


def tag(ws, i):
    if i + 1 >= len(ws):
        return "log end"
    window_s = float(ws[1]["start_s"]) - float(ws[0]["start_s"]) if len(ws) > 1 else 5.0
    return "stop" if float(ws[i + 1]["start_s"]) - float(ws[i]["start_s"]) > window_s + 0.5 else ""


def pedal_by_window(path):
    """Mean accelerator pedal (%) per 5 s window start (integer seconds // 5) from EEC2 of source address 0."""
    ped = collections.defaultdict(list)
    with open(path) as f:
        for line in f:
            try:
                ts = float(line[1:line.index(")")])
                cid, data = line.split()[2].split("#")
            except (ValueError, IndexError):
                continue
            if len(cid) != 8 or cid[-2:] != "00" or ((int(cid, 16) >> 8) & 0x3FFFF) != 0xF003 or len(data) < 4:
                continue
            ped[int(ts // 5)].append(int(data[2:4], 16) * 0.4)
    return {k: sum(v) / len(v) for k, v in ped.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--decoder", default="online", choices=["online", "offline", "greedy"])
    ap.add_argument("--logs", help="folder of the logs, for the idle-window table")
    ap.add_argument("--context", type=int, default=0, help="windows shown before each unmatched trip")
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.csv)))
    classes = [k[2:] for k in rows[0] if k.startswith("p_")] if rows else []
    files = collections.OrderedDict()
    for r in rows:
        files.setdefault(r["file"], []).append(r)

    totals = collections.Counter()
    for name, ws in files.items():
        extra, missed, n_true, n_got = unmatched(ws, a.decoder)
        totals["files"] += 1
        if n_true == n_got:
            totals["exact"] += 1
            continue
        fmt = lambda ids: ", ".join(f"{i}" + (f" ({tag(ws, i)})" if tag(ws, i) else "") for i in ids) or "-"
        print(f"{name}: {n_got} trips for {n_true}; extra: {fmt(extra)}; missed: {fmt(missed)}")
        for kind, ids in (("extra", extra), ("missed", missed)):
            for i in ids:
                totals[f"{kind} ({tag(ws, i) or 'mid-shift'})"] += 1
                for k in range(max(0, i - a.context), i + 1 if a.context else 0):
                    r = ws[k]
                    top = sorted(((float(r["p_" + c]), c) for c in classes), reverse=True)[:3]
                    print(f"  {'>>' if k == i else '  '}{k:5d} truth {short(r['truth']):14s} {a.decoder} "
                          f"{short(r[a.decoder]):14s} | " + " ".join(f"{short(c)} {p:.2f}" for p, c in top))
    print(f"\n{totals['exact']} of {totals['files']} files with the exact trip count ({a.decoder})")
    for k in sorted(k for k in totals if k not in ("files", "exact")):
        print(f"  unmatched trips, {k}: {totals[k]}")

    if a.logs:
        acc = collections.defaultdict(lambda: [0, 0.0, 0.0, 0])
        for name, ws in files.items():
            ped = pedal_by_window(f"{a.logs}/{name}")
            for r in ws:
                if r["truth"] not in ("EMPTY_NO_TRANSITION", "LOADED_NO_TRANSITION"):
                    continue
                m = ped.get(int(float(r["start_s"]) // 5))
                if m is None:
                    continue
                kind = "idle" if m < 20 else ("light" if m < 40 else "working")
                pe, pl = float(r["p_EMPTY_NO_TRANSITION"]), float(r["p_LOADED_NO_TRANSITION"])
                s = acc[(kind, r["truth"])]
                s[0] += 1
                s[1] += pe
                s[2] += pl
                s[3] += pe > pl
        print("\nwindows by pedal | true class | n | mean p EMPTY | mean p LOADED | EMPTY above LOADED")
        for (kind, truth), (n, pe, pl, e) in sorted(acc.items()):
            print(f"{kind:7s} | {truth:21s} | {n:6d} | {pe / n:.2f} | {pl / n:.2f} | {e / n:.0%}")


if __name__ == "__main__":
    sys.exit(main())
