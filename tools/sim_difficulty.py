#!/usr/bin/python3
"""How hard is simulated telemetry to count? Overlap of per-state 5 s window means.

For each PREFIX (PREFIX.log + PREFIX.labels.csv from `loadercount simulate`), decodes the engine's
signals (tools/plot_sim.py's independent decoder), holds the last value on a 1 Hz grid, cuts 5 s windows
from the start of the log and takes each window's mean per signal. Windows are grouped by what the
machine did in them:

  EMPTY       wholly EMPTY                 LOADED      wholly LOADED
  LOAD_FAIL   holds part of a failed dig   UNLOADING   at least half UNLOADING
  LOAD_OK     holds part of a successful dig

and the Bhattacharyya coefficient (BC, histogram estimate, 1 = same distribution, 0 = separable) of
each signal's window means is printed for the pairs a counter must tell apart. High BC on every signal
means one window mean alone cannot decide; the model needs shape features and context.

  /usr/bin/python3 tools/sim_difficulty.py /tmp/run1 /tmp/run2 /tmp/run3
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_sim import decode_log, read_labels  # noqa: E402

SIGNALS = ["engine_speed_rpm", "actual_torque_pct", "accel_pedal_pct", "intake_manifold_pressure_kpa",
           "max_available_torque_pct", "oil_pressure_kpa", "exhaust_temp_right_c"]
SHORT = {"engine_speed_rpm": "rpm", "actual_torque_pct": "torque", "accel_pedal_pct": "pedal",
         "intake_manifold_pressure_kpa": "boost", "max_available_torque_pct": "maxtq",
         "oil_pressure_kpa": "oil", "exhaust_temp_right_c": "exhaust"}
PAIRS = [("EMPTY", "LOAD_FAIL"), ("EMPTY", "LOAD_OK"), ("LOAD_FAIL", "LOAD_OK"), ("LOADED", "UNLOADING"), ("EMPTY", "LOADED")]
WINDOW_S = 5


def grid_1hz(times, values, t0, n):
    """Last value at or before each whole second t0+k (NaN before the first sample or when NA)."""
    t = np.asarray(times)
    v = np.asarray(values, dtype=float)
    idx = np.searchsorted(t, t0 + np.arange(n), side="right") - 1
    out = np.full(n, np.nan)
    ok = idx >= 0
    out[ok] = v[idx[ok]]
    # Stale for more than 3 s (bus silent, engine off): missing.
    stale = np.zeros(n, dtype=bool)
    stale[ok] = (t0 + np.arange(n))[ok] - t[idx[ok]] > 3
    out[stale] = np.nan
    return out


def window_groups(labels, t0, n_windows):
    failed_digs = []
    ok_digs = []
    for i, (a, b, s) in enumerate(labels):
        if s == "LOADING":
            nxt = labels[i + 1][2] if i + 1 < len(labels) else None
            (failed_digs if nxt == "EMPTY" else ok_digs).append((a, b))
    groups = []
    for w in range(n_windows):
        ws, we = t0 + w * WINDOW_S, t0 + (w + 1) * WINDOW_S
        share = {}
        for a, b, s in labels:
            o = min(b, we) - max(a, ws)
            if o > 0:
                share[s] = share.get(s, 0) + o
        g = None
        if any(min(b, we) > max(a, ws) for a, b in failed_digs):
            g = "LOAD_FAIL"
        elif any(min(b, we) > max(a, ws) for a, b in ok_digs):
            g = "LOAD_OK"
        elif share.get("UNLOADING", 0) >= WINDOW_S / 2:
            g = "UNLOADING"
        elif share.get("EMPTY", 0) >= WINDOW_S - 1e-6:
            g = "EMPTY"
        elif share.get("LOADED", 0) >= WINDOW_S - 1e-6:
            g = "LOADED"
        groups.append(g)
    return groups


def bhattacharyya(a, b, bins=30):
    a = a[~np.isnan(a)]
    b = b[~np.isnan(b)]
    if len(a) < 5 or len(b) < 5:
        return math.nan
    lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
    if hi <= lo:
        return 1.0
    pa, _ = np.histogram(a, bins=bins, range=(lo, hi))
    pb, _ = np.histogram(b, bins=bins, range=(lo, hi))
    pa = pa / pa.sum()
    pb = pb / pb.sum()
    return float(np.sum(np.sqrt(pa * pb)))


def main():
    prefixes = sys.argv[1:]
    if not prefixes:
        print(__doc__)
        return 2
    means = {s: {} for s in SIGNALS}
    counts = {}
    for prefix in prefixes:
        labels = read_labels(prefix + ".labels.csv")
        t0 = labels[0][0]
        n_s = int(labels[-1][1] - t0)
        n_w = n_s // WINDOW_S
        groups = window_groups(labels, t0, n_w)
        dec = decode_log(prefix + ".log", SIGNALS)
        for s in SIGNALS:
            g = grid_1hz(dec[s][0], dec[s][1], t0, n_w * WINDOW_S).reshape(n_w, WINDOW_S)
            with np.errstate(all="ignore"):
                cnt = np.sum(~np.isnan(g), axis=1)
                wm = np.where(cnt > 0, np.nansum(g, axis=1) / np.maximum(cnt, 1), np.nan)
            for w, grp in enumerate(groups):
                if grp is not None:
                    means[s].setdefault(grp, []).append(wm[w])
        for grp in groups:
            if grp is not None:
                counts[grp] = counts.get(grp, 0) + 1
    print("windows per group:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    header = f"{'pair':<22}" + "".join(f"{SHORT[s]:>9}" for s in SIGNALS)
    print("Bhattacharyya coefficient of 5 s window means (1 = indistinguishable)")
    print(header)
    for a, b in PAIRS:
        row = f"{a + ' vs ' + b:<22}"
        for s in SIGNALS:
            bc = bhattacharyya(np.array(means[s].get(a, [])), np.array(means[s].get(b, [])))
            row += f"{bc:9.2f}"
        print(row)
    print("per-group mean (sd) of window means")
    print(f"{'group':<22}" + "".join(f"{SHORT[s]:>13}" for s in SIGNALS))
    for grp in ["EMPTY", "LOAD_FAIL", "LOAD_OK", "LOADED", "UNLOADING"]:
        row = f"{grp:<22}"
        for s in SIGNALS:
            v = np.array(means[s].get(grp, []), dtype=float)
            v = v[~np.isnan(v)]
            row += f"{v.mean():7.0f}({v.std():4.0f})" if len(v) else f"{'-':>13}"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
