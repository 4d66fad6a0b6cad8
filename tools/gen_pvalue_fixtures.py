#!/usr/bin/python3
"""Write tests/data/features/pvalues.json: p-values computed by SciPy for the C++ hypothesis tests to match.

Run with Debian's Python (it has python3-scipy 1.10):   /usr/bin/python3 tools/gen_pvalue_fixtures.py
The fixture is committed; rerun only when cases are added. The seed is fixed (printed) so a rerun with the
same SciPy writes the same file.

Each test is called exactly as tsfresh 0.21 calls it (tsfresh/feature_selection/significance_tests.py):
  mannwhitneyu(x_y1, x_y0, use_continuity=True, alternative="two-sided")   # method defaults to "auto"
  ks_2samp(x_y1, x_y0)
  fisher_exact(table, alternative="two-sided")
The "relevance" case ports tsfresh's calculate_relevance_table(ml_task="classification", multiclass=True,
n_significant=1) and benjamini_hochberg_test line by line (tsfresh itself is not installed here), so the C++
selection is checked end to end on a small matrix.
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy import stats

SEED = 20261122
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "features", "pvalues.json")


def r6(a):
    """Round to 6 decimals so the JSON stays small and the values are what SciPy saw."""
    return [float(v) for v in np.round(np.asarray(a, dtype=float), 6)]


def mwu_method(x, y):
    # scipy 1.10 _mwu_choose_method, to record which branch each case exercises
    if len(x) > 8 and len(y) > 8:
        return "asymptotic"
    xy = np.concatenate([x, y])
    return "asymptotic" if len(np.unique(xy)) != len(xy) else "exact"


def mwu_cases(rng):
    cases = []
    specs = [
        # (n_x, n_y, shift, integer-valued -> ties)
        (3, 5, 0.0, False), (4, 4, 3.0, False), (5, 7, 1.0, False), (8, 8, 0.5, False), (1, 10, 0.0, False),
        (2, 40, 2.0, False), (8, 120, 1.5, False), (6, 300, 0.3, False), (7, 7, 10.0, False),
        (5, 5, 0.0, True), (9, 9, 1.0, False), (12, 30, 0.8, False), (50, 60, 0.4, True), (40, 45, 0.0, False),
        (200, 150, 0.2, False), (300, 20, 1.0, True), (3, 900, 2.0, True),
    ]
    for nx, ny, shift, ints in specs:
        x = rng.normal(shift, 1.0, nx)
        y = rng.normal(0.0, 1.0, ny)
        if ints:
            x, y = np.round(x * 2), np.round(y * 2)
        x, y = r6(x), r6(y)
        p = stats.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided").pvalue
        cases.append({"x": x, "y": y, "p": float(p), "method": mwu_method(np.array(x), np.array(y))})
    return cases


def ks_cases(rng):
    cases = []
    specs = [(10, 10, 1.0, False), (20, 20, 0.2, False), (7, 13, 1.0, False), (3, 4, 2.0, False),
             (50, 80, 0.5, False), (100, 37, 0.3, False), (30, 45, 0.0, True), (64, 48, 0.7, True),
             (5, 500, 1.5, False), (200, 300, 0.15, False)]
    for nx, ny, shift, ints in specs:
        x = rng.normal(shift, 1.0, nx)
        y = rng.normal(0.0, 1.0, ny)
        if ints:
            x, y = np.round(x * 2), np.round(y * 2)
        x, y = r6(x), r6(y)
        cases.append({"x": x, "y": y, "p": float(stats.ks_2samp(x, y).pvalue)})
    return cases


def fisher_cases():
    tables = [[[3, 1], [1, 3]], [[8, 2], [1, 5]], [[0, 5], [5, 0]], [[3, 3], [3, 3]], [[10, 0], [0, 10]],
              [[1, 9], [11, 3]], [[100, 50], [30, 120]], [[0, 0], [4, 5]], [[2, 7], [8, 2]],
              [[20, 480], [5, 495]], [[1, 0], [0, 1]], [[7, 12], [12, 7]], [[250, 260], [240, 250]],
              [[0, 30], [1, 200]]]
    return [{"table": t, "p": float(stats.fisher_exact(t, alternative="two-sided")[1])} for t in tables]


def norm_cases():
    zs = [-40.0, -8.0, -3.0, -1.0, -0.5, -0.1, 0.0, 0.3, 0.70710678, 0.8, 1.0, 1.96, 3.0, 5.0, 8.0, 12.0, 30.0]
    return [{"z": z, "p": float(stats.norm.sf(z))} for z in zs]


def hypergeom_cases():
    params = [(0, 20, 7, 12), (3, 20, 7, 12), (7, 20, 7, 12), (5, 100, 30, 20), (15, 500, 250, 30),
              (120, 1000, 400, 300)]
    return [{"k": k, "M": M, "n": n, "N": N, "p": float(stats.hypergeom.pmf(k, M, n, N))} for k, M, n, N in params]


def benjamini_hochberg_test(p_values, hypotheses_independent, fdr_level):
    """tsfresh/feature_selection/benjamini_hochberg_test.py on a plain list (NaN sorts last, as pandas)."""
    order = sorted(range(len(p_values)), key=lambda i: (np.isnan(p_values[i]), p_values[i]))
    m = len(p_values)
    K = list(range(1, m + 1))
    C = [1] * m if hypotheses_independent else [sum([1.0 / i for i in range(1, k + 1)]) for k in K]
    T = [fdr_level * k / m * 1.0 / c for k, c in zip(K, C)]
    passed = [p_values[order[i]] <= T[i] for i in range(m)]
    k_max = passed.index(False) if False in passed else m
    relevant = [False] * m
    for i in range(k_max):
        relevant[order[i]] = True
    return relevant


def relevance_case(rng):
    """A small matrix: relevant real, binary and noise features, a constant one, four classes."""
    n = 80
    y = rng.integers(0, 4, n)
    cols = []
    cols.append(y * 1.0 + rng.normal(0, 0.8, n))             # real, depends on the class
    cols.append(rng.normal(0, 1, n))                          # real noise
    cols.append((y == 2) * 1.0)                               # binary, marks class 2 exactly
    cols.append((rng.random(n) < 0.5) * 1.0)                  # binary noise
    cols.append(np.full(n, 3.5))                              # constant
    cols.append(np.round(rng.normal(0, 1, n)) + (y == 0))     # integer-valued, ties, shifts class 0
    cols.append(rng.normal(0, 1, n))                          # real noise
    cols.append(np.where(y == 3, rng.normal(1.5, 1, n), rng.normal(0, 1, n)))  # class 3 only
    X = np.round(np.column_stack(cols), 3)
    out = {"n_rows": n, "n_features": X.shape[1], "x": [float(v) for v in X.ravel()], "y": [int(v) for v in y],
           "fdr_level": 0.05}
    for test in ("mann", "smir"):
        types, per_class_p, per_class_rel = [], {}, {}
        for f in range(X.shape[1]):
            u = len(set(X[:, f]))
            types.append("constant" if u == 1 else "binary" if u == 2 else "real")
        tested = [f for f in range(X.shape[1]) if types[f] != "constant"]
        for label in np.unique(y):
            target = y == label
            ps = []
            for f in tested:
                x = X[:, f]
                if types[f] == "binary":
                    x0, x1 = np.unique(x)
                    n_y1_x0 = np.sum(target[x == x0])
                    n_y0_x0 = len(target[x == x0]) - n_y1_x0
                    n_y1_x1 = np.sum(target[x == x1])
                    n_y0_x1 = len(target[x == x1]) - n_y1_x1
                    table = np.array([[n_y1_x1, n_y1_x0], [n_y0_x1, n_y0_x0]])
                    ps.append(float(stats.fisher_exact(table, alternative="two-sided")[1]))
                elif test == "mann":
                    ps.append(float(stats.mannwhitneyu(x[target], x[~target], use_continuity=True,
                                                       alternative="two-sided").pvalue))
                else:
                    ps.append(float(stats.ks_2samp(x[target], x[~target]).pvalue))
            rel = benjamini_hochberg_test(ps, False, 0.05)
            full_p = [None] * X.shape[1]
            full_rel = [False] * X.shape[1]
            for i, f in enumerate(tested):
                full_p[f], full_rel[f] = ps[i], rel[i]
            per_class_p[str(int(label))] = full_p
            per_class_rel[str(int(label))] = full_rel
        relevant = [any(per_class_rel[c][f] for c in per_class_rel) for f in range(X.shape[1])]
        out[test] = {"types": types, "p_values": per_class_p, "relevant_per_class": per_class_rel,
                     "relevant": relevant}
    return out


def main():
    print(f"gen_pvalue_fixtures: seed {SEED}, scipy {scipy.__version__}, numpy {np.__version__}", file=sys.stderr)
    rng = np.random.default_rng(SEED)
    data = {
        "generator": "tools/gen_pvalue_fixtures.py",
        "seed": SEED,
        "scipy_version": scipy.__version__,
        "norm_sf": norm_cases(),
        "hypergeom_pmf": hypergeom_cases(),
        "fisher_exact": fisher_cases(),
        "mannwhitneyu": mwu_cases(rng),
        "ks_2samp": ks_cases(rng),
        "relevance": relevance_case(rng),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
