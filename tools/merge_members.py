#!/usr/bin/python3
"""Makes a two-member ensemble bundle from two single-member bundles trained on the same data (README, "What did
not", session 14): OUT is a copy of FIRST whose manifest lists SECOND's position models after FIRST's, renamed
member_1_position_B.json (with their compiled .forest files), and says "ensemble_members": 2. Both must have the
same features and classes (the same training data and feature selection). With SECOND trained with the seed + 1,
OUT has the models `ensemble_members = 2` trains (tests/unit/model/model_test.cpp checks that equivalence).

    tools/merge_members.py FIRST SECOND OUT
    e.g. tools/merge_members.py models/default /tmp/seed1 /tmp/ens && tools/eval_sets.sh --model /tmp/ens
"""
import json
import os
import shutil
import sys


def fail(msg):
    print(f"merge_members.py: {msg}", file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) != 4:
        fail("usage: merge_members.py FIRST SECOND OUT")
    first, second, out = sys.argv[1:]
    try:
        a = json.load(open(os.path.join(first, "manifest.json")))
        b = json.load(open(os.path.join(second, "manifest.json")))
    except (OSError, ValueError) as e:
        fail(f"cannot read a manifest: {e}")
    for key in ("features", "classes", "position_buckets", "context_windows"):
        if a.get(key) != b.get(key):
            fail(f"'{key}' differs between {first} and {second}")
    if a.get("ensemble_members", 1) != 1 or b.get("ensemble_members", 1) != 1:
        fail("both bundles must have one member")
    if os.path.exists(out):
        fail(f"{out} exists")
    shutil.copytree(first, out)
    models = list(a["models"])
    for name in b["models"]:
        for f in (name, name[:-len(".json")] + ".forest"):
            src = os.path.join(second, f)
            if os.path.exists(src):
                shutil.copy(src, os.path.join(out, "member_1_" + f))
        models.append("member_1_" + name)
    a["models"] = models
    a["ensemble_members"] = 2
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(a, f, indent=2)
        f.write("\n")
    print(f"{out}: {len(models)} models, 2 members")


if __name__ == "__main__":
    main()
