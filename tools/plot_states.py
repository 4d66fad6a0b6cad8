#!/usr/bin/env python3
"""Draws states over time: truth (labels), the online decoder and greedy, as the reference article's figures.

Called by `loadercount eval --plot OUT.png` with a JSON file it writes:
  {"title": ..., "labels": [[start_s, end_s, STATE], ...],
   "online": [[start_s, end_s, CLASS], ...], "greedy": [...],
   "truth_counts": {...}, "online_counts": {...}, "greedy_counts": {...}}
Usage: /usr/bin/python3 tools/plot_states.py DATA.json OUT.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STATES = ["EMPTY", "LOADING", "LOADED", "UNLOADING"]
COLORS = {"EMPTY": "#d9d9d9", "LOADING": "#e6550d", "LOADED": "#3182bd", "UNLOADING": "#31a354"}


def class_segments(seq):
    """A window class "A_TO_B" spans its window; draw it as the first state then the last, split in the middle."""
    out = []
    for start, end, cls in seq:
        if cls.endswith("_NO_TRANSITION"):
            out.append((start, end, cls[: -len("_NO_TRANSITION")]))
            continue
        parts = cls.split("_TO_")
        step = (end - start) / len(parts)
        for i, p in enumerate(parts):
            out.append((start + i * step, start + (i + 1) * step, p))
    return out


def counts(c):
    return f"{c['trips']} trips, {c['loads']} loads, {c['failed_loads']} failed"


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        d = json.load(f)
    rows = [("truth", [(s, e, st) for s, e, st in d["labels"]], d["truth_counts"]),
            ("online", class_segments(d["online"]), d["online_counts"]),
            ("greedy", class_segments(d["greedy"]), d["greedy_counts"])]
    t0 = d["labels"][0][0] if d["labels"] else 0.0
    fig, axes = plt.subplots(3, 1, figsize=(14, 5), sharex=True)
    for ax, (name, segs, c) in zip(axes, rows):
        for s, e, st in segs:
            ax.axvspan((s - t0) / 60.0, (e - t0) / 60.0, color=COLORS.get(st, "white"), lw=0)
        ax.set_yticks([])
        ax.set_ylabel(name, rotation=0, ha="right", va="center")
        ax.set_title(f"{name}: {counts(c)}", fontsize=9, loc="left")
    axes[-1].set_xlabel("minutes")
    handles = [plt.Rectangle((0, 0), 1, 1, color=COLORS[s]) for s in STATES]
    fig.legend(handles, STATES, loc="upper right", ncol=4, fontsize=8)
    fig.suptitle(d.get("title", ""), fontsize=10, x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(sys.argv[2], dpi=90)
    return 0


if __name__ == "__main__":
    sys.exit(main())
