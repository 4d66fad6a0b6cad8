#!/usr/bin/python3
"""Folds two single-member bundles trained on the same data into one two-member bundle, as `ensemble_members = 2`
folds its members (src/model/ensemble.h): OUT is a copy of FIRST whose position model B holds FIRST's and SECOND's
trees of position B, every leaf value halved, so its probabilities are the softmax of the two models' mean margin.
Both must have the same features, classes and position buckets (the same training data and feature selection).
With SECOND trained as member 1 would be (seed + 1, member 1's bus_gap_fraction), OUT scores as the bundle
`ensemble_members = 2` trains; this is how the ensemble trials of README ("How well it counts") were made without
training member 0 again. The compiled .forest files are left out (replay reads the JSON; `loadercount
compile-model OUT` writes them).

    tools/fold_members.py FIRST SECOND OUT
    e.g. tools/fold_members.py /tmp/member0 /tmp/member1 /tmp/ens && tools/eval_sets.sh --model /tmp/ens
"""
import json
import os
import shutil
import sys

import numpy


def fail(msg):
    print(f"fold_members.py: {msg}", file=sys.stderr)
    sys.exit(2)


def half(v):
    """v / 2 as XGBoost keeps it (the float nearest v, halved: exact), written as XGBoost writes a float: the
    shortest digits that read back as that float (as src/model/ensemble.h does)."""
    return float(str(numpy.float32(numpy.float32(v) / numpy.float32(2))))


def fold(ja, jb):
    ma, mb = (j["learner"]["gradient_booster"]["model"] for j in (ja, jb))
    if ja["learner"]["learner_model_param"] != jb["learner"]["learner_model_param"]:
        fail("the models' learner_model_param (classes, features, base_score) differ")
    trees = ma["trees"] + mb["trees"]
    for i, t in enumerate(trees):
        t["id"] = i
        t["base_weights"] = [half(w) for w in t["base_weights"]]
        t["split_conditions"] = [half(c) if left == -1 else c for c, left in zip(t["split_conditions"], t["left_children"])]
    ma["trees"] = trees
    ma["tree_info"] = ma["tree_info"] + mb["tree_info"]
    ma["gbtree_model_param"]["num_trees"] = str(len(trees))
    return ja


def main():
    if len(sys.argv) != 4:
        fail("usage: fold_members.py FIRST SECOND OUT")
    first, second, out = sys.argv[1:]
    try:
        a = json.load(open(os.path.join(first, "manifest.json")))
        b = json.load(open(os.path.join(second, "manifest.json")))
    except (OSError, ValueError) as e:
        fail(f"cannot read a manifest: {e}")
    if a.get("training", {}).get("ensemble_members", 1) != 1 or b.get("training", {}).get("ensemble_members", 1) != 1:
        fail("both bundles must be single-member trainings")
    for key in ("features", "classes", "position_buckets", "context_windows", "models"):
        if a.get(key) != b.get(key):
            fail(f"'{key}' differs between {first} and {second}")
    if os.path.exists(out):
        fail(f"{out} exists")
    shutil.copytree(first, out, ignore=shutil.ignore_patterns("*.forest"))
    for name in a["models"]:
        try:
            ja = json.load(open(os.path.join(first, name)))
            jb = json.load(open(os.path.join(second, name)))
        except (OSError, ValueError) as e:
            fail(f"cannot read {name}: {e}")
        with open(os.path.join(out, name), "w") as f:
            json.dump(fold(ja, jb), f)
    a.setdefault("training", {})["ensemble_members"] = 2
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(a, f, indent=2)
        f.write("\n")
    print(f"{out}: {len(a['models'])} position models, each of 2 members")


if __name__ == "__main__":
    main()
