"""NLU evaluation for `make nlu-eval` (issue 12): the blind test set and the README.

    nlu_report.py blind  --model M.tar.gz --out bot/evaluation/blind_report.json
    nlu_report.py readme --blind bot/evaluation/blind_report.json \
        --cv bot/evaluation/cv_report.json --train-log bot/evaluation/train.json

`blind` parses every utterance of tests/nlu/blind/*.yml with the trained NLU model (the
whole pipeline, safety net and FallbackClassifier included), times each parse, and writes
aggregate figures only: intent accuracy, per-intent precision/recall/f1, confusion counts,
the out-of-scope rejection rate, the entity figures, the figures of the classifier before
the safety net, and the same figures for several FallbackClassifier thresholds. The
per-utterance predictions go to var/ (never committed, never read to tune anything).
`readme` writes bot/evaluation/README.md from the JSON reports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BLIND_DIR = ROOT / "tests" / "nlu" / "blind"
SEARCH_LIKE = {"find_places", "find_events", "find_routes", "ask_place_info", "ask_weather",
               "ask_transport"}
# What counts as "not answered as a search": the out-of-scope reply, the fallback buttons,
# or a chitchat reply.
REJECTED = {"out_of_scope", "nlu_fallback", "greet", "goodbye", "thank", "affirm", "deny",
            "bot_challenge", "help", "ask_human", "feedback"}
TARGET_RECALL = ("find_places", "find_events", "find_routes", "ask_place_info")
THRESHOLDS = (0.0, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
TARGETS = {"accuracy": 0.93, "recall": 0.90, "oos_rejection": 0.90,
           "interest_kind_recall": 0.85, "place_precision": 0.95}


# ------------------------------------------------------------------------------ gold
def load_blind(directory: Path = BLIND_DIR) -> list[dict[str, Any]]:
    """Text, intent and entities of every blind utterance (Rasa's own YAML reader)."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in sorted(directory.glob("*.yml")):
        data = load_data(str(path), language="fr")
        for message in data.intent_examples:
            examples.append({"text": message.get("text"), "intent": message.get("intent"),
                             "entities": [dict(e) for e in message.get("entities") or []]})
    return examples


# ------------------------------------------------------------------------------ metrics
def intent_metrics(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    labels = sorted(set(gold))
    per: dict[str, dict[str, float]] = {}
    for label in sorted(set(gold) | set(predicted)):
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        n_pred = sum(p == label for p in predicted)
        n_gold = sum(g == label for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                      "f1": round(f1, 4), "support": n_gold, "predicted": n_pred}
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    oos = [p for g, p in zip(gold, predicted, strict=True) if g == "out_of_scope"]
    macro = [per[label]["f1"] for label in labels]
    return {
        "n": len(gold),
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold), 4),
        "macro_f1": round(sum(macro) / len(macro), 4) if macro else 0.0,
        "per_intent": per,
        "confusions": [{"gold": g, "predicted": p, "count": c}
                       for (g, p), c in confusions.most_common()],
        "oos_rejection": round(sum(p in REJECTED for p in oos) / len(oos), 4) if oos else None,
        "oos_reaching_search": dict(Counter(p for p in oos if p not in REJECTED)),
        "fallback_share": round(predicted.count("nlu_fallback") / len(predicted), 4),
    }


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return int(a["start"]) < int(b["end"]) and int(b["start"]) < int(a["end"])


def entity_metrics(examples: list[dict[str, Any]], parses: list[dict[str, Any]]
                   ) -> dict[str, Any]:
    from bot.nlu.lexicon import KIND_INTEREST, VALUE_ALIASES

    def value(e: dict[str, Any]) -> str:
        v = str(e.get("value"))
        return VALUE_ALIASES.get(v, v)

    ik_gold = ik_found = 0
    per_type: Counter[str] = Counter()
    per_type_found: Counter[str] = Counter()
    place_pred = place_ok = place_gold = place_gold_found = 0
    for example, parse in zip(examples, parses, strict=True):
        predicted = parse.get("entities") or []
        candidates = [p for p in predicted if p.get("entity") in ("interest", "kind")]
        for g in example["entities"]:
            if g["entity"] in ("interest", "kind"):
                ik_gold += 1
                per_type[g["entity"]] += 1
                hit = any(_overlap(g, p) and (
                    value(p) == value(g)
                    or (g["entity"] == "interest" and p.get("entity") == "kind"
                        and KIND_INTEREST.get(value(p)) == value(g)))
                    for p in candidates)
                ik_found += hit
                per_type_found[g["entity"]] += hit
            elif g["entity"] == "place":
                place_gold += 1
                place_gold_found += any(p.get("entity") == "place" and _overlap(g, p)
                                        for p in predicted)
        gold_places = [g for g in example["entities"] if g["entity"] == "place"]
        for p in predicted:
            if p.get("entity") == "place":
                place_pred += 1
                place_ok += any(_overlap(p, g) for g in gold_places)

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "interest_kind_recall": ratio(ik_found, ik_gold), "interest_kind_gold": ik_gold,
        "interest_recall": ratio(per_type_found["interest"], per_type["interest"]),
        "kind_recall": ratio(per_type_found["kind"], per_type["kind"]),
        "place_precision": ratio(place_ok, place_pred), "place_predicted": place_pred,
        "place_recall": ratio(place_gold_found, place_gold), "place_gold": place_gold,
    }


def before_fallback(parse: dict[str, Any]) -> tuple[str, float, float]:
    """Top intent, its confidence and the runner-up's, as FallbackClassifier saw them."""
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    if not ranking:
        intent = parse.get("intent") or {}
        return str(intent.get("name")), float(intent.get("confidence") or 0.0), 0.0
    second = float(ranking[1]["confidence"]) if len(ranking) > 1 else 0.0
    return str(ranking[0]["name"]), float(ranking[0]["confidence"]), second


def with_threshold(top: tuple[str, float, float], threshold: float, ambiguity: float) -> str:
    name, confidence, second = top
    if confidence < threshold or confidence - second < ambiguity:
        return "nlu_fallback"
    return name


def classifier_alone(parse: dict[str, Any]) -> tuple[str, float, float]:
    """The classifier's own top intent, before the safety net settled it."""
    net = parse.get("safety_net") or {}
    if "from" in net:
        return str(net["from"]), float(net.get("confidence", 0.0)), 0.0
    return before_fallback(parse)


# ------------------------------------------------------------------------------ blind
async def parse_all(model: str, texts: list[str]) -> tuple[list[dict[str, Any]], list[float]]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs every parse (text included) at debug level: the blind utterances must not
    # scroll past whoever runs this, so only warnings are shown.
    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    agent = Agent.load(model)
    await agent.parse_message("bonjour")  # warm-up, not timed
    parses, times = [], []
    for text in texts:
        start = time.perf_counter()
        parses.append(await agent.parse_message(text))
        times.append((time.perf_counter() - start) * 1000)
    return parses, times


def conversation_messages(directory: Path) -> list[tuple[str, str]]:
    """(text, intent) of every typed message of the conversation tests."""
    import re

    import yaml

    annotation = re.compile(r"\[(?P<text>[^\[\]]+?)\](?:\([^()]*\)|\{[^{}]*\})")
    found = []
    for path in sorted(directory.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for story in doc.get("stories") or []:
            for step in story.get("steps") or []:
                if isinstance(step, dict) and step.get("user") and step.get("intent"):
                    text = annotation.sub(lambda m: m.group("text"), str(step["user"])).strip()
                    found.append((text, str(step["intent"])))
    return found


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def safety_net_counts(gold: list[str], parses: list[dict[str, Any]]) -> dict[str, Any]:
    """What the safety net did, counted by rule (no utterance is written here)."""
    rules: dict[str, Counter[str]] = {}
    for g, parse in zip(gold, parses, strict=True):
        net = parse.get("safety_net") or {}
        if "rule" in net:
            name, _, why = net["rule"].partition(" (")
            path = ("classifier unsure" if "unsure" in why else
                    "request in a chitchat intent" if "request in a" in why else
                    "evidence against a confident classifier" if why else "always")
            counts = rules.setdefault(f"{name} — {path}", Counter())
            counts["fired"] += 1
            before = net["from"]
            counts["fixed"] += before != g and net["to"] == g
            counts["broke"] += before == g and net["to"] != g
    return {
        "rules": {r: dict(c) for r, c in sorted(rules.items())},
        "entities_added": sum(len((p.get("safety_net") or {}).get("added", [])) for p in parses),
        "places_dropped": sum(len((p.get("safety_net") or {}).get("dropped", []))
                              for p in parses),
    }


def blind(args: argparse.Namespace) -> None:
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    fallback = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    threshold = float(fallback.get("threshold", 0.3))
    ambiguity = float(fallback.get("ambiguity_threshold", 0.1))
    spacy_model = next((c.get("model") for c in config["pipeline"] if c["name"] == "SpacyNLP"),
                       None)

    examples = load_blind(Path(args.blind))
    conversations = conversation_messages(Path(args.conversations)) if args.conversations else []
    parses, times = asyncio.run(parse_all(
        args.model, [e["text"] for e in examples] + [t for t, _ in conversations]))
    conversation_parses = parses[len(examples):]
    parses, times = parses[:len(examples)], times[:len(examples)]
    gold = [e["intent"] for e in examples]
    predicted = [str((p.get("intent") or {}).get("name")) for p in parses]
    report: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "model": Path(args.model).name, "spacy_model": spacy_model,
        "model_size_mb": round(Path(args.model).stat().st_size / 1e6, 1),
        "threshold": threshold, "ambiguity_threshold": ambiguity,
        "utterances": len(examples),
        "latency_ms": {"p50": round(percentile(times, 0.5), 1),
                       "p95": round(percentile(times, 0.95), 1),
                       "mean": round(statistics.mean(times), 1)},
        "intents": intent_metrics(gold, predicted),
        "entities": entity_metrics(examples, parses),
    }
    # The classifier without the safety net, at the same threshold.
    alone = [with_threshold(classifier_alone(p), threshold, ambiguity) for p in parses]
    alone_metrics = intent_metrics(gold, alone)
    report["classifier_alone"] = {k: alone_metrics[k] for k in ("accuracy", "oos_rejection")}
    report["classifier_alone"]["recall"] = {
        i: alone_metrics["per_intent"].get(i, {}).get("recall") for i in TARGET_RECALL}
    report["safety_net"] = safety_net_counts(gold, parses)
    # The typed messages of the conversation tests (ours, not blind): `rasa test core`
    # takes their intent as given, so whether the NLU reads it is checked here.
    if conversations:
        misread = [{"text": t, "expected": i, "read": str((p.get("intent") or {}).get("name"))}
                   for (t, i), p in zip(conversations, conversation_parses, strict=True)
                   if (p.get("intent") or {}).get("name") != i]
        report["conversation_tests"] = {"messages": len(conversations),
                                        "read_as_written": len(conversations) - len(misread),
                                        "misread": misread}
    # The FallbackClassifier threshold, compared on the same parses.
    sweep = []
    for t in THRESHOLDS:
        preds = [with_threshold(before_fallback(p), t, ambiguity) for p in parses]
        m = intent_metrics(gold, preds)
        sweep.append({"threshold": t, "accuracy": m["accuracy"],
                      "oos_rejection": m["oos_rejection"], "fallback_share": m["fallback_share"],
                      "min_search_recall": min(m["per_intent"][i]["recall"]
                                               for i in TARGET_RECALL)})
    report["threshold_sweep"] = sweep
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                              encoding="utf-8")
    if args.predictions:
        Path(args.predictions).parent.mkdir(parents=True, exist_ok=True)
        Path(args.predictions).write_text(json.dumps(
            [{"text": e["text"], "gold": e["intent"], "entities": e["entities"], "parse": p}
             for e, p in zip(examples, parses, strict=True)], ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8")
    summary = report["intents"]
    print(f"blind: accuracy {summary['accuracy']:.3f}, oos rejection "
          f"{summary['oos_rejection']:.3f}, interest/kind recall "
          f"{report['entities']['interest_kind_recall']}, place precision "
          f"{report['entities']['place_precision']}, parse p50 {report['latency_ms']['p50']} ms"
          f" p95 {report['latency_ms']['p95']} ms")


# ------------------------------------------------------------------------------ README
def _f(x: Any, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _check(value: float | None, target: float) -> str:
    if value is None:
        return "–"
    return "✅" if value >= target else "❌"


def per_intent_table(per: dict[str, dict[str, Any]]) -> list[str]:
    rows = ["| intent | precision | recall | f1 | support |", "|---|---:|---:|---:|---:|"]
    for label, m in sorted(per.items()):
        rows.append(f"| {label} | {m['precision']:.2f} | {m['recall']:.2f} | {m['f1']:.2f} | "
                    f"{m['support']} |")
    return rows


def confusion_table(confusions: list[dict[str, Any]], top: int = 15) -> list[str]:
    rows = ["| gold intent | predicted | count |", "|---|---|---:|"]
    rows += [f"| {c['gold']} | {c['predicted']} | {c['count']} |" for c in confusions[:top]]
    return rows


def cv_metrics(report: dict[str, Any]) -> dict[str, Any]:
    """The cross-validation report (scripts/nlu_cv.py, or Rasa's intent_report.json)."""
    if "intents" in report:
        return {**report["intents"], "folds_done": report.get("folds_done"),
                "data_commit": report.get("data_commit"),
                "entities": report.get("entities"), "train_seconds": report.get("train_seconds"),
                "safety_net": report.get("safety_net")}
    per, confusions = {}, []
    for label, m in report.items():
        if isinstance(m, dict) and "precision" in m and "avg" not in label:
            per[label] = {"precision": m["precision"], "recall": m["recall"],
                          "f1": m["f1-score"], "support": m["support"]}
            for other, count in (m.get("confused_with") or {}).items():
                confusions.append({"gold": label, "predicted": other, "count": count})
    confusions.sort(key=lambda c: -c["count"])
    return {"accuracy": report.get("accuracy"), "per_intent": per, "confusions": confusions,
            "macro_f1": (report.get("macro avg") or {}).get("f1-score")}


def readme(args: argparse.Namespace) -> None:
    b = json.loads(Path(args.blind).read_text(encoding="utf-8"))
    cv = cv_metrics(json.loads(Path(args.cv).read_text(encoding="utf-8"))) \
        if args.cv and Path(args.cv).exists() else None
    train = json.loads(Path(args.train_log).read_text(encoding="utf-8")) \
        if args.train_log and Path(args.train_log).exists() else {}
    bi, be = b["intents"], b["entities"]
    ce = (cv or {}).get("entities") or {}
    fold_times = ""
    if cv and cv.get("train_seconds"):
        fold_times = "folds: " + ", ".join(f"{t} s" for t in cv["train_seconds"])
    out = [
        "# NLU evaluation",
        "",
        f"Generated by `make nlu-eval` on **{b['date']}** (`{b['spacy_model']}`, "
        f"FallbackClassifier threshold {b['threshold']}, ambiguity "
        f"{b['ambiguity_threshold']}). Reports: `blind_report.json`, "
        "`cv_report.json`, `train.json`; pipeline comparison in `pipeline.md`.",
        "",
        "1. **Blind test set** — tests/nlu/blind/ (written from personas by someone who "
        "never saw the training data; never trained on, see its README): the NLU is "
        "trained on all the training data (bot/data) and parses each blind utterance "
        "through the whole pipeline (classifier, safety net, FallbackClassifier).",
        "2. **5-fold cross-validation** of the training data (scripts/nlu_cv.py: the "
        "examples of each intent spread over 5 folds, seed 42; synonyms, regexes and lookup "
        "tables kept whole; each fold trained with `rasa train nlu` and its held-out fifth "
        "parsed through the same pipeline)"
        + (f" — **{cv['folds_done']} of 5 folds** in this report, training data of commit "
           f"{cv.get('data_commit', '?')}." if cv else "."),
        "",
        "## Summary",
        "",
        "| figure | blind set | cross-validation | target (issue 12) |",
        "|---|---:|---:|---|",
        f"| intent accuracy | {_f(bi['accuracy'])} {_check(bi['accuracy'], 0.93)} | "
        f"{_f(cv['accuracy']) if cv else '–'} | ≥ 0.93 (blind) |",
        f"| intent macro f1 | {_f(bi['macro_f1'])} | {_f(cv['macro_f1']) if cv else '–'} | |",
    ]
    for intent in TARGET_RECALL:
        r = bi["per_intent"].get(intent, {}).get("recall")
        rc = cv["per_intent"].get(intent, {}).get("recall") if cv else None
        out.append(f"| recall {intent} | {_f(r)} {_check(r, 0.90)} | {_f(rc)} | ≥ 0.90 |")
    out += [
        f"| out-of-scope rejection ({bi['per_intent'].get('out_of_scope', {}).get('support')} "
        f"utterances) | {_f(bi['oos_rejection'])} {_check(bi['oos_rejection'], 0.90)} | "
        f"{_f(cv.get('oos_rejection')) if cv else '–'} | ≥ 0.90 |",
        f"| interest/kind recall ({be['interest_kind_gold']} spans) | "
        f"{_f(be['interest_kind_recall'])} {_check(be['interest_kind_recall'], 0.85)} | "
        f"{_f(ce.get('interest_kind_recall'))} | ≥ 0.85 |",
        f"| place precision ({be['place_predicted']} predicted) | "
        f"{_f(be['place_precision'])} {_check(be['place_precision'], 0.95)} | "
        f"{_f(ce.get('place_precision'))} | ≥ 0.95 |",
        f"| place recall ({be['place_gold']} gold) | {_f(be['place_recall'])} | "
        f"{_f(ce.get('place_recall'))} | |",
        f"| share sent to nlu_fallback | {_f(bi['fallback_share'])} | "
        f"{_f(cv.get('fallback_share')) if cv else '–'} | |",
        f"| training time (NLU, all data) | {train.get('seconds', '–')} s | "
        f"{fold_times} | < 360 s |",
        f"| model size | {b['model_size_mb']} MB | | |",
        f"| parse latency per message | p50 {b['latency_ms']['p50']} ms, p95 "
        f"{b['latency_ms']['p95']} ms | | |",
        "",
        f"Blind figures: model trained on the data of commit {train.get('commit', '?')}"
        + (f" plus {train['uncommitted_data_files']} uncommitted data/config files"
           if train.get("uncommitted_data_files") else "")
        + f". Training ran on {train.get('cores', '?')} cores shared with other work "
        f"(load average {train.get('load', '?')} at the start); latency is the time of "
        "`Agent.parse_message` for each blind message, one after the other, after a warm-up.",
        "",
        "Out-of-scope rejection: the share of blind `out_of_scope` utterances that reach no "
        "search, weather or transport intent (predicted `out_of_scope`, `nlu_fallback` or a "
        "chitchat intent). Interest/kind recall: a gold interest or kind span is found when a "
        "predicted interest or kind entity overlaps it with the same value, or is a kind whose "
        "taxonomy interest is the gold interest. Place precision: predicted `place` entities "
        "that overlap a gold place, over all predicted places.",
        "",
        "## Blind set: the classifier alone, then with the safety net",
        "",
        "| | intent accuracy | out-of-scope rejection | "
        + " | ".join(f"recall {i}" for i in TARGET_RECALL) + " |",
        "|---|---:|---:|" + "---:|" * len(TARGET_RECALL),
        f"| DIET + FallbackClassifier | {_f(b['classifier_alone']['accuracy'])} | "
        f"{_f(b['classifier_alone']['oos_rejection'])} | "
        + " | ".join(_f(b["classifier_alone"]["recall"].get(i)) for i in TARGET_RECALL) + " |",
        f"| + safety net (bot/nlu/safety_net.py) | {_f(bi['accuracy'])} | "
        f"{_f(bi['oos_rejection'])} | "
        + " | ".join(_f(bi["per_intent"].get(i, {}).get("recall")) for i in TARGET_RECALL)
        + " |",
        "",
        "Rules of the safety net that changed an intent on the blind set and in the "
        "cross-validation's held-out folds (fixed: the classifier was wrong and the rule "
        "right; broke: the other way round). Rules are kept or dropped on the "
        "cross-validation's counts, not the blind set's:",
        "",
        "| rule | blind: fired | fixed | broke | cross-validation: fired | fixed | broke |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    cv_rules = ((cv or {}).get("safety_net") or {}).get("rules", {})
    for rule in sorted(set(b["safety_net"]["rules"]) | set(cv_rules)):
        cells = [str(counts.get(k, 0)) if counts else "" for counts in
                 (b["safety_net"]["rules"].get(rule), cv_rules.get(rule))
                 for k in ("fired", "fixed", "broke")]
        out.append(f"| {rule} | " + " | ".join(cells) + " |")
    out += [
        "",
        f"It also added {b['safety_net']['entities_added']} kind/interest entities and dropped "
        f"{b['safety_net']['places_dropped']} `place` entities made of everyday words.",
        "",
        "## FallbackClassifier threshold (blind set, same parses)",
        "",
        "| threshold | intent accuracy | out-of-scope rejection | share to nlu_fallback | "
        "lowest recall of the four search intents |",
        "|---:|---:|---:|---:|---:|",
    ]
    for s in b["threshold_sweep"]:
        mark = " **(chosen)**" if abs(s["threshold"] - b["threshold"]) < 1e-9 else ""
        out.append(f"| {s['threshold']}{mark} | {_f(s['accuracy'])} | {_f(s['oos_rejection'])} | "
                   f"{_f(s['fallback_share'])} | {_f(s['min_search_recall'])} |")
    conv = b.get("conversation_tests")
    if conv:
        out += ["", "## Typed messages of the conversation tests (tests/conversations)", "",
                f"`rasa test core` takes the intent written under each message as given; the NLU "
                f"reads {conv['read_as_written']} of the {conv['messages']} messages as written."]
        if conv["misread"]:
            out += ["", "| message | written | read |", "|---|---|---|"]
            out += [f"| {m['text']} | {m['expected']} | {m['read']} |" for m in conv["misread"]]
    if args.extra and Path(args.extra).exists():
        out += ["", Path(args.extra).read_text(encoding="utf-8").strip()]
    if not cv:
        out += ["", "_No cross-validation in this run (`CV=0`, or it was still running when "
                "the blind figures were written)._"]
    out += ["", "## Blind set: per intent", ""] + per_intent_table(bi["per_intent"])
    out += ["", "Top confusions (gold → predicted):", ""] + confusion_table(bi["confusions"])
    if cv:
        out += ["", "## Cross-validation (5 folds): per intent", ""]
        out += per_intent_table(cv["per_intent"])
        out += ["", "Top confusions (gold → predicted):", ""] + confusion_table(cv["confusions"])
    Path(args.out).write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out[:40]))


def main() -> None:
    logging.disable(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("blind")
    p.add_argument("--model", required=True)
    p.add_argument("--blind", default=str(BLIND_DIR))
    p.add_argument("--out", required=True)
    p.add_argument("--predictions", help="per-utterance parses (keep under var/)")
    p.add_argument("--conversations", help="also parse the typed messages of these tests")
    r = sub.add_parser("readme")
    r.add_argument("--blind", required=True)
    r.add_argument("--cv")
    r.add_argument("--train-log")
    r.add_argument("--extra", help="a Markdown section to include (pipeline comparison)")
    r.add_argument("--out", required=True)
    args = parser.parse_args()
    blind(args) if args.command == "blind" else readme(args)


if __name__ == "__main__":
    main()
