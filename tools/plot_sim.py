#!/usr/bin/python3
"""Plot a few work cycles of simulated loader telemetry (loadercount simulate output).

Reads PREFIX.log (candump -L) and PREFIX.labels.csv, decodes the engine's (SA 0x00) J1939 signals itself
(independently of the C++ decoder) and draws engine speed, torque (actual and max available), accelerator
pedal and boost over time with the labelled states shaded.

  /usr/bin/python3 tools/plot_sim.py /tmp/a /tmp/b /tmp/c --out tools/plots/sim_cycles.png --seconds 150

One column per PREFIX (e.g. one per machine profile).
"""
import argparse
import math
import sys

# name: (pgn, first byte (1-based), length in bytes, scale, offset)  -- ARCHITECTURE.md's table
SIGNALS = {
    "engine_speed_rpm": (0xF004, 4, 2, 0.125, 0.0),
    "actual_torque_pct": (0xF004, 3, 1, 1.0, -125.0),
    "accel_pedal_pct": (0xF003, 2, 1, 0.4, 0.0),
    "max_available_torque_pct": (0xF003, 8, 1, 0.4, 0.0),
    "friction_torque_pct": (0xFEDF, 1, 1, 1.0, -125.0),
    "keyswitch_voltage_v": (0xFEF7, 7, 2, 0.05, 0.0),
    "coolant_temp_c": (0xFEEE, 1, 1, 1.0, -40.0),
    "intake_manifold_pressure_kpa": (0xFEF6, 2, 1, 2.0, 0.0),
    "oil_pressure_kpa": (0xFEEF, 4, 1, 4.0, 0.0),
    "exhaust_temp_right_c": (0xFE07, 1, 2, 0.03125, -273.0),
}
ENGINE_SA = 0x00
STATE_COLOURS = {"EMPTY": "#dddddd", "LOADING": "#f4a261", "LOADED": "#2a9d8f", "UNLOADING": "#e9c46a"}


def pgn_of(can_id):
    pf = (can_id >> 16) & 0xFF
    pgn = (can_id >> 8) & 0x3FFFF
    if pf < 240:  # PDU1: the PS byte is a destination address, not part of the PGN
        pgn &= 0x3FF00
    return pgn


def decode_log(path, names=None):
    """Returns {signal: (times, values)} with NaN for J1939 'not available' / 'error' raw values."""
    names = list(SIGNALS) if names is None else names
    by_pgn = {}
    for n in names:
        by_pgn.setdefault(SIGNALS[n][0], []).append(n)
    out = {n: ([], []) for n in names}
    with open(path, "r") as f:
        for line in f:
            # (1763700000.123456) can0 0CF00400#F07D9A401F00FF7D
            try:
                ts_end = line.index(")")
                hash_pos = line.index("#", ts_end)
            except ValueError:
                continue
            id_text = line[line.rindex(" ", 0, hash_pos) + 1:hash_pos]
            if len(id_text) != 8:
                continue  # 11-bit frame
            can_id = int(id_text, 16)
            if (can_id & 0xFF) != ENGINE_SA:
                continue
            sigs = by_pgn.get(pgn_of(can_id))
            if not sigs:
                continue
            t = float(line[1:ts_end])
            data = bytes.fromhex(line[hash_pos + 1:].strip())
            for n in sigs:
                _, byte_no, length, scale, offset = SIGNALS[n]
                if length == 1:
                    raw = data[byte_no - 1]
                    value = math.nan if raw >= 0xFE else raw * scale + offset
                else:
                    raw = data[byte_no - 1] | (data[byte_no] << 8)
                    value = math.nan if raw >= 0xFE00 else raw * scale + offset
                out[n][0].append(t)
                out[n][1].append(value)
    return out


def read_labels(path):
    rows = []
    with open(path) as f:
        next(f)
        for line in f:
            a, b, s = line.strip().split(",")
            rows.append((float(a), float(b), s))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prefix", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=150)
    ap.add_argument("--after", type=float, default=400, help="start at the first LOADING after this many s")
    args = ap.parse_args()

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [("engine_speed_rpm", "rpm"), ("actual_torque_pct", "torque %"), ("accel_pedal_pct", "pedal %"),
            ("intake_manifold_pressure_kpa", "boost kPa")]
    fig, axes = plt.subplots(len(rows), len(args.prefix), figsize=(5.2 * len(args.prefix), 7.5), squeeze=False,
                             sharex="col")
    for col, prefix in enumerate(args.prefix):
        labels = read_labels(prefix + ".labels.csv")
        t0 = labels[0][0]
        start = next((a for a, b, s in labels if s == "LOADING" and a - t0 >= args.after), labels[0][0])
        start -= 8
        end = start + args.seconds
        sig = decode_log(prefix + ".log", [r[0] for r in rows] + ["max_available_torque_pct"])
        for row, (name, unit) in enumerate(rows):
            ax = axes[row][col]
            for a, b, s in labels:
                if b > start and a < end:
                    ax.axvspan(max(a, start) - start, min(b, end) - start, color=STATE_COLOURS[s], alpha=0.6, lw=0)
            ts, vs = sig[name]
            pts = [(t - start, v) for t, v in zip(ts, vs) if start <= t <= end]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], lw=0.6, color="k")
            if name == "actual_torque_pct":
                ts2, vs2 = sig["max_available_torque_pct"]
                pts2 = [(t - start, v) for t, v in zip(ts2, vs2) if start <= t <= end]
                ax.plot([p[0] for p in pts2], [p[1] for p in pts2], lw=0.8, color="tab:red", label="max available")
                ax.legend(loc="upper right", fontsize=6)
            ax.set_ylabel(unit, fontsize=8)
            ax.tick_params(labelsize=7)
            ax.set_xlim(0, args.seconds)
        title = prefix.rsplit("/", 1)[-1]
        axes[0][col].set_title(title, fontsize=9)
        axes[-1][col].set_xlabel("s", fontsize=8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c, alpha=0.6) for c in STATE_COLOURS.values()]
    fig.legend(handles, list(STATE_COLOURS), loc="lower center", ncol=4, fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(args.out, dpi=80)
    print("wrote", args.out)


if __name__ == "__main__":
    sys.exit(main())
