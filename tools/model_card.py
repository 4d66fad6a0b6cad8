#!/usr/bin/python3
"""Writes a bundle's model card (README.md) from its manifest and the held-out evaluation.

Usage: /usr/bin/python3 tools/model_card.py BUNDLE_DIR EVAL_JSON EVAL_TXT
Called by tools/train_default.sh; the card is regenerated with the bundle, so its figures always match it.
"""
import json
import sys


def main():
    bundle, eval_json, eval_txt = sys.argv[1:4]
    m = json.load(open(f"{bundle}/manifest.json"))
    e = json.load(open(eval_json))
    table = open(eval_txt).read().rstrip()
    t = m["training"]
    tot = e["total"]
    on, off, gr = tot["online"], tot["offline"], tot["greedy"]
    nfiles = len(e["files"])
    per_class = ", ".join(f"{k} {v}" for k, v in sorted(t["windows_per_class"].items(), key=lambda kv: -kv[1]))
    members = t.get("ensemble_members", 1)
    models = "; ".join(f"position {x['position']}" + (f" member {x['member']}" if members > 1 else "") +
                       f": {x['rounds']} rounds" for x in t["models"])
    k, nf = m.get("context_windows", 0), str(len(m["features"]))
    if k == 1:
        context = "; each model also takes the previous window's " + nf + " features (NaN at a segment's first window)"
    elif k > 1:
        context = (f"; each model also takes the {k} previous windows' " + nf +
                   " features each, newest first (NaN where the segment has fewer windows before)")
    else:
        context = ""
    files = t["files"]
    loss = ""
    if t.get("signal_loss_fraction", 0) > 0:
        loss = (f"\n- Signal loss: with probability {t['signal_loss_fraction']:g} a training window also went in"
                " as a copy with the signals of one J1939 message (drawn uniformly) missing in it and its context"
                " windows, as a message lost on the bus presents them"
                f" ({t['signal_loss_copies']} copies over the position models;"
                " `model.signal_loss_fraction`, src/model/signal_loss.h).")
    gaps = t.get("bus_gap_fraction", 0)
    if gaps:
        per = gaps if isinstance(gaps, list) else [gaps] * members
        copies = sum(x.get("bus_gap_copies", 0) for x in t["models"])
        loss += ("\n- Bus gaps: with probability " + " / ".join(f"{g:g}" for g in per) +
                 (" (member by member)" if members > 1 else "") + " a training window also went in as a copy with every"
                 " feature of one block (the window or one of its context windows) missing, as when no frame arrives for"
                 f" 3-6 s ({copies} copies; `model.bus_gap_fraction`).")
    if members > 1:
        loss += (f"\n- Each position model holds {members} ensemble members, trained apart (member e with seed + e and"
                 " its own copies) and folded into one XGBoost model whose margin is their mean: every leaf value divided"
                 f" by {members} (`model.ensemble_members`, src/model/ensemble.h).")
    decoding = ""
    if "decoder_prob_floor" in m:
        decoding += (f"\n- The decoders floor probabilities at {m['decoder_prob_floor']:g} (`decoder_prob_floor`; their default"
                     " is 0.01): a window costs a path at most log of that.")
    if "decoder_min_load_to_trip_s" in m:
        shortest = t.get("shortest_load_to_trip_s")
        decoding += (f"\n- No path puts a trip sooner than {m['decoder_min_load_to_trip_s']:g} s after a load in the"
                     " window before, by the events' times (`decoder_min_load_to_trip_s`"
                     + (f"; the training labels' shortest is {shortest:g} s" if shortest is not None else "")
                     + "): a failed dig read as a load cannot buy a dump in the next window.")
    if "decoder_segment_end_log_prior" in m:
        prior = ", ".join(f"{k} {v:.2f}" for k, v in m["decoder_segment_end_log_prior"].items())
        stops = t.get("segment_end_states", {})
        seen = ", ".join(f"{k} {v}" for k, v in stops.items())
        decoding += ("\n- When a gap (engine off) ends a segment, a path's score takes the log-prior of the state it"
                     f" ends in (`decoder_segment_end_log_prior`: {prior}), learned from the labelled state at the"
                     f" {sum(stops.values())} stops in the training shifts ({seen}).")
    card = f"""# models/default — model card

The bundle `loadercount` and `loadercountd` use when no other is configured. Rebuild it bit for bit with
`tools/train_default.sh` (fixed seeds, one XGBoost thread); this card is written by that script.

## What it is

- {len(m['models'])} XGBoost `multi:softprob` models, one per position bucket of the first state change inside a
  window ({m['position_buckets']} buckets), each scoring {len(m['classes'])} window classes (the reference design's nine
  plus the two-change paths such as `LOADED_TO_UNLOADING_TO_EMPTY`); for each class the highest probability over
  the models is kept, with the model that gave it (the event's time inside its window).
- Input: {len(m['features'])} features selected by FRESH (tsfresh's procedure, FDR {t['fdr_level']}, the
  {len(m['features'])} with the smallest p-values of {t['relevant_features']} relevant) out of 7,770 (777
  tsfresh features x the ten signals), computed on windows of {m['window_points']} samples at
  {m['sample_rate_hz']:g} Hz ({m['window_points'] / m['sample_rate_hz']:g} s, not overlapping){context}.
- XGBoost {t['xgboost']['version']}, max_depth {t['xgboost']['max_depth']}, eta {t['xgboost']['eta']}, at most
  {t['xgboost'].get('max_rounds', '?')} rounds with early stopping after {t['xgboost']['early_stopping_rounds']} on the validation
  split ({models}); class weights
  1/frequency^{t.get('class_weight_power', 0)}.{loss}
- Before decoding, each class's probability is multiplied by its `decoder_class_weights` entry,
  (training frequency x {len(m['classes'])})^-{t.get('decoder_prior_power', 0)} (prior correction: the rare transition
  classes count for more; absent = 1).{decoding}

## What it was trained on

Simulated telemetry only (`loadercount simulate`): {len(files)} one-hour shifts (seeds 1000-{1000 + len(files) - 1}),
the three machine profiles in turn, every fourth with `--faults`. {t['windows']} windows: {t['train_windows']} for
training and feature selection, {t['valid_windows']} for early stopping ({t['split']}). Windows per class in
training: {per_class}.

## How well it counts (held out)

{nfiles} further simulated one-hour shifts (seeds 9000-{9000 + nfiles - 1}, all profiles, every fourth with
`--faults`), never used in training or selection; an event matches a true event of the same type within
{e['tolerance_s']:g} s; online decoder with a maximum lag of {e['max_lag_windows']} windows.

| decoder | trip F1 | load F1 | failed-load F1 | shifts with the exact trip count | window accuracy |
|---|---|---|---|---|---|
| online | {on['trips']['f1']:.3f} | {on['loads']['f1']:.3f} | {on['failed_loads']['f1']:.3f} | {on['files_with_exact_trip_count']} / {nfiles} | {on['window_accuracy']:.3f} |
| offline | {off['trips']['f1']:.3f} | {off['loads']['f1']:.3f} | {off['failed_loads']['f1']:.3f} | {off['files_with_exact_trip_count']} / {nfiles} | {off['window_accuracy']:.3f} |
| greedy (per-window argmax) | {gr['trips']['f1']:.3f} | {gr['loads']['f1']:.3f} | {gr['failed_loads']['f1']:.3f} | {gr['files_with_exact_trip_count']} / {nfiles} | {gr['window_accuracy']:.3f} |

Online decoder: median delay from a true transition to its emission {on.get('median_emission_delay_s', 0):.1f} s,
{on['forced_commits']} forced commits. Trips counted / true: online {on['trips']['counted']} / {on['trips']['true']},
greedy {gr['trips']['counted']} / {gr['trips']['true']}.

<details><summary>per shift (loadercount eval)</summary>

```
{table}
```
</details>

## Limits

- **Simulated data only.** The simulator is physically grounded but fitted to no real machine. Before trusting
  counts on a real loader, record its bus with labels (start,end,state) for a few shifts and retrain:
  `loadercount train --data LOG:LABELS ... --out DIR`, then check with `loadercount eval`.
- Counting misses some short cycles: dumps of 3-5 s are the weakest signature (confused with loaded travel),
  and an abandoned dig is hard to tell from a short successful one. The figures above say how often.
- Idling loaded and idling empty look the same on the engine's signals; the decoder resolves them from the
  sequence (a dump must come between), which delays some decisions.
"""
    open(f"{bundle}/README.md", "w").write(card)


if __name__ == "__main__":
    sys.exit(main())
