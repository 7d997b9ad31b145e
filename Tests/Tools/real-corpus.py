#!/usr/bin/env python3
"""Runs every real transcript of the corpus through `prunedoc diagnose --format json` and prints
per-rule precision and recall as the Markdown table the README shows.

    swift build && python3 Tests/Tools/real-corpus.py [--binary .build/debug/prunedoc] [--misses]

RealCorpusTests computes the same figures in `swift test`; this script is the reproducible
command for the README and shows each miss with --misses.
"""
import argparse, collections, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS_DIR = os.path.join(ROOT, "Tests/PruneDoctorTests/Fixtures/corpus")
# real-transcripts.jsonl was gathered while the rules were fixed; real-transcripts-holdout.jsonl
# was gathered and labelled afterwards, before the engine was run on it.
SETS = {"development": "real-transcripts.jsonl", "held-out": "real-transcripts-holdout.jsonl"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/prunedoc"))
    ap.add_argument("--misses", action="store_true", help="list every entry whose findings differ from its label")
    ap.add_argument("--set", choices=["all"] + list(SETS), default="all", help="which part of the corpus to score")
    args = ap.parse_args()
    names = SETS.values() if args.set == "all" else [SETS[args.set]]
    entries = [json.loads(l) for n in names for l in open(os.path.join(CORPUS_DIR, n), encoding="utf-8") if l.strip()]
    tp, fp, fn = collections.Counter(), collections.Counter(), collections.Counter()
    exact = clean = clean_flagged = 0
    for i, e in enumerate(entries, 1):
        out = subprocess.run([args.binary, "diagnose", "--format", "json"], input=e["text"].encode(),
                             capture_output=True, timeout=60)
        got = {f["rule"] for f in json.loads(out.stdout)["findings"]}
        want = set(e["expect"])
        for r in got & want: tp[r] += 1
        for r in got - want: fp[r] += 1
        for r in want - got: fn[r] += 1
        exact += got == want
        if not want:
            clean += 1
            clean_flagged += bool(got)
        if args.misses and got != want:
            print(f"line {i}: want {sorted(want)} got {sorted(got)}  {e['source']}\n    {e['text'][:160]!r}", file=sys.stderr)
    rules = sorted(set(tp) | set(fp) | set(fn))
    ratio = lambda a, b: f"{a / b:.2f}" if b else "–"
    print(f"{len(entries)} transcripts ({len(entries) - clean} with a cause, {clean} without); "
          f"{exact} labelled exactly ({exact / len(entries):.1%}); {clean_flagged} of {clean} without a cause got a finding.\n")
    print("| rule | expected | found | TP | FP | FN | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rules:
        print(f"| `{r}` | {tp[r] + fn[r]} | {tp[r] + fp[r]} | {tp[r]} | {fp[r]} | {fn[r]} | "
              f"{ratio(tp[r], tp[r] + fp[r])} | {ratio(tp[r], tp[r] + fn[r])} |")
    T, F, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"| **all (micro)** | {T + N} | {T + F} | {T} | {F} | {N} | {ratio(T, T + F)} | {ratio(T, T + N)} |")


if __name__ == "__main__":
    main()
