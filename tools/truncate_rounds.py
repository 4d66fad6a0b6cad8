#!/usr/bin/python3
"""Copies a model bundle keeping only the first N boosting rounds of each position model.

Boosting adds trees round by round, so the first N rounds of a trained model are exactly the model that
training with `max_rounds = N` (and the same seed and data) would have made; tools/train_default.toml's round
cap was chosen by evaluating such copies (README, "How well it counts"). The compiled `.forest` files are not
copied: their fingerprint would not match the shortened JSON, and loadercount reads the JSON instead.

    tools/truncate_rounds.py BUNDLE OUT N
    build/bin/loadercount eval --model OUT --data LOG:LABELS ...

The 4,065-tree bundle the README's sweep started from is commit 29ba7b3's models/default:
    mkdir -p /tmp/m4065 && git archive 29ba7b3 models/default | tar -x -C /tmp/m4065
"""
import json
import os
import shutil
import sys


def fail(msg):
    print(f"truncate_rounds.py: {msg}", file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) != 4:
        fail("usage: truncate_rounds.py BUNDLE OUT N")
    src, dst, n_text = sys.argv[1:]
    try:
        rounds = int(n_text)
    except ValueError:
        fail(f"N must be a whole number of rounds, not '{n_text}'")
    if rounds < 1:
        fail("N must be at least 1")
    manifest_path = os.path.join(src, "manifest.json")
    try:
        with open(manifest_path) as f:
            manifest = json.load(f)
        models = manifest["models"]
    except (OSError, ValueError, KeyError) as e:
        fail(f"{manifest_path}: cannot read its 'models' list ({e})")
    if os.path.abspath(src) == os.path.abspath(dst):
        fail("OUT must not be BUNDLE")
    os.makedirs(dst, exist_ok=True)
    shutil.copy(manifest_path, os.path.join(dst, "manifest.json"))
    for name in models:
        path = os.path.join(src, name)
        try:
            with open(path) as f:
                model = json.load(f)
            booster = model["learner"]["gradient_booster"]["model"]
            classes = int(model["learner"]["learner_model_param"]["num_class"])
            trees, info = booster["trees"], booster["tree_info"]
        except (OSError, ValueError, KeyError) as e:
            fail(f"{path}: not an XGBoost gbtree JSON model ({e})")
        per_round = max(classes, 1)  # multi:softprob adds one tree per class each round
        keep = min(len(trees), rounds * per_round)
        booster["trees"] = trees[:keep]
        booster["tree_info"] = info[:keep]
        booster["gbtree_model_param"]["num_trees"] = str(keep)
        if "iteration_indptr" in booster:
            booster["iteration_indptr"] = booster["iteration_indptr"][: keep // per_round + 1]
        with open(os.path.join(dst, name), "w") as f:
            json.dump(model, f, separators=(",", ":"))
        print(f"{name}: {keep} of {len(trees)} trees ({keep // per_round} rounds)")


if __name__ == "__main__":
    main()
