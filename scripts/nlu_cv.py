"""5-fold cross-validation of the training data, one fold at a time (for `make nlu-eval`).

    nlu_cv.py split --folds 5 --out var/nlu-eval/cv      # fold_k/train/ and fold_k/test/
    nlu_cv.py aggregate --out var/nlu-eval/cv --report bot/evaluation/cv_report.json

`split` spreads the examples of every intent over the folds (stratified, seed 42); each
fold's training data keeps every synonym, regex and lookup table, only the intent examples
are split. Each fold is then trained (`rasa train nlu`) and its held-out examples parsed by
`nlu_report.py blind` (same pipeline, same figures as the blind set). `aggregate` pools the
folds done so far into one report, so a run stopped early still says how many folds it has.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bot" / "data"


def _dump(path: Path, blocks: list[dict[str, Any]]) -> None:
    lines = ['version: "3.1"', "nlu:"]
    for block in blocks:
        if "intent" in block:
            lines.append(f"- intent: {block['intent']}")
            lines.append("  examples: |")
            lines += [f"    - {e}" for e in block["examples"]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def split(args: argparse.Namespace) -> None:
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    examples: dict[str, list[str]] = defaultdict(list)
    others: list[tuple[Path, dict[str, Any]]] = []
    for path in sorted((DATA / "nlu").glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        rest = []
        for block in doc.get("nlu") or []:
            if "intent" in block:
                examples[block["intent"]] += [line.strip()[2:] for line in
                                              str(block["examples"]).splitlines()
                                              if line.strip().startswith("- ")]
            else:
                rest.append(block)
        if rest:
            others.append((path, {"version": "3.1", "nlu": rest}))
    rng = random.Random(42)
    folds: list[dict[str, list[str]]] = [defaultdict(list) for _ in range(args.folds)]
    for intent in sorted(examples):
        items = list(dict.fromkeys(examples[intent]))
        rng.shuffle(items)
        for i, example in enumerate(items):
            folds[i % args.folds][intent].append(example)
    for k in range(args.folds):
        fold = out / f"fold_{k + 1}"
        train = [{"intent": i, "examples": [e for j in range(args.folds) if j != k
                                            for e in folds[j][i]]} for i in sorted(examples)]
        _dump(fold / "train" / "examples.yml", [b for b in train if b["examples"]])
        _dump(fold / "test" / "examples.yml",
              [{"intent": i, "examples": folds[k][i]} for i in sorted(examples) if folds[k][i]])
        for path, doc in others:
            target = fold / "train" / path.name
            target.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                              encoding="utf-8")
        shutil.copytree(DATA / "lookups", fold / "train" / "lookups")
    print(f"{args.folds} folds of {sum(len(v) for v in examples.values())} examples in {out}")


def aggregate(args: argparse.Namespace) -> None:
    from scripts.nlu_report import entity_metrics, intent_metrics, safety_net_counts

    out = Path(args.out)
    gold: list[str] = []
    predicted: list[str] = []
    examples: list[dict[str, Any]] = []
    parses: list[dict[str, Any]] = []
    folds = []
    seconds = []
    for fold in sorted(out.glob("fold_*")):
        preds = fold / "predictions.json"
        if not preds.exists():
            continue
        folds.append(fold.name)
        for row in json.loads(preds.read_text(encoding="utf-8")):
            gold.append(row["gold"])
            predicted.append(str((row["parse"].get("intent") or {}).get("name")))
            examples.append({"entities": row.get("entities", [])})
            parses.append(row["parse"])
        timing = fold / "train_seconds"
        if timing.exists():
            seconds.append(int(timing.read_text().strip()))
    if not gold:
        print("no fold evaluated")
        return
    commit = (out / "commit").read_text().strip() if (out / "commit").exists() else "?"
    report = {"folds_done": len(folds), "folds": folds, "data_commit": commit,
              "train_seconds": seconds, "intents": intent_metrics(gold, predicted),
              "entities": entity_metrics(examples, parses),
              "safety_net": safety_net_counts(gold, parses)}
    Path(args.report).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
    print(f"cross-validation ({len(folds)} folds): intent accuracy "
          f"{report['intents']['accuracy']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("split")
    s.add_argument("--folds", type=int, default=5)
    s.add_argument("--out", required=True)
    a = sub.add_parser("aggregate")
    a.add_argument("--out", required=True)
    a.add_argument("--report", required=True)
    args = parser.parse_args()
    split(args) if args.command == "split" else aggregate(args)


if __name__ == "__main__":
    main()
