"""Sanity checks for the blind NLU test set (run: python3 tests/nlu/blind/check_blind.py).

Checks that every file parses as Rasa 3.x NLU YAML, that inline entity
annotations are well formed (balanced brackets, valid JSON, known entity
names and values), that no utterance appears twice (after lowercasing and
removing accents and punctuation), and that the per-intent targets are met.
It reads only the files of this directory.
"""
import collections
import json
import pathlib
import re
import sys
import unicodedata

import yaml

HERE = pathlib.Path(__file__).resolve().parent

TARGETS = {
    "find_places": 90, "find_events": 45, "find_routes": 45, "ask_place_info": 50,
    "inform_interests": 12, "inform_location": 15, "ask_weather": 10, "ask_transport": 12,
    "ask_human": 8, "bot_challenge": 8, "help": 8, "greet": 8, "goodbye": 8, "thank": 8,
    "affirm": 8, "deny": 8, "feedback": 8, "request_more": 8, "refine": 10, "out_of_scope": 90,
}
VALUES = {
    "interest": {"patrimoine", "culture", "nature", "randonnee", "velo", "equitation", "peche",
                 "gastronomie", "terroir", "famille", "loisirs", "hebergement", "pratique"},
    "kind": {"castle", "mill", "museum", "church", "chapel", "abbey", "rampart", "monument",
             "memorial", "archaeological_site", "heritage_site", "forest", "pond", "lake",
             "waterway", "park", "nature_reserve", "viewpoint", "producer", "farm",
             "cheese_dairy", "brewery", "market", "shop", "restaurant", "estaminet", "cafe",
             "hotel", "campsite", "gite", "guesthouse", "playground", "leisure_park", "zoo",
             "swimming_pool", "sports", "equestrian_centre", "fishing_spot", "tourist_office",
             "train_station", "bus_stop", "bike_rental"},
    "audience": {"enfants", "famille", "couple", "groupe", "seniors"},
    "accessibility": {"fauteuil", "poussette"},
    "place": None,   # free text
    "period": None,  # free text
}
# Same shape as Rasa's inline entity syntax: [text](entity) or [text]{json}
ENTITY_RE = re.compile(r"\[(?P<text>[^\[\]]+?)\](?:\((?P<short>[^()]+?)\)|\{(?P<dict>[^{}]+?)\})")
MIN_TOTAL, MIN_PLACE_UTTERANCES, FIND_ANNOTATED_SHARE = 420, 100, 0.55


def normalise(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def parse(example, where, errors):
    entities = []
    for m in ENTITY_RE.finditer(example):
        if m.group("short"):
            name = m.group("short")
            if name not in ("place", "period"):
                errors.append(f"{where}: short syntax only for place/period: {m.group(0)}")
            entities.append((name, m.group("text")))
        else:
            try:
                d = json.loads("{" + m.group("dict") + "}")
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: bad JSON {m.group(0)}: {exc}")
                continue
            name, value = d.get("entity"), d.get("value", m.group("text"))
            if name not in VALUES:
                errors.append(f"{where}: unknown entity {name!r}")
            elif VALUES[name] is not None and value not in VALUES[name]:
                errors.append(f"{where}: value {value!r} not allowed for {name}")
            entities.append((name, value))
    plain = ENTITY_RE.sub(lambda m: m.group("text"), example)
    if re.search(r"[\[\]{}]", plain):
        errors.append(f"{where}: unbalanced or malformed annotation: {example}")
    return plain, entities


def main():
    errors, seen = [], {}
    counts = collections.Counter()
    per_file = collections.defaultdict(collections.Counter)
    with_place = find_total = find_annotated = 0
    for path in sorted(HERE.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if str(doc.get("version")) != "3.1" or not isinstance(doc.get("nlu"), list):
            errors.append(f"{path.name}: not Rasa 3.x NLU YAML")
            continue
        for block in doc["nlu"]:
            intent = block.get("intent")
            lines = block.get("examples", "").splitlines()
            for n, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                if not line.startswith("- "):
                    errors.append(f"{path.name}/{intent}#{n}: line must start with '- '")
                    continue
                where = f"{path.name}/{intent}#{n}"
                plain, entities = parse(line[2:], where, errors)
                key = normalise(plain)
                if key in seen:
                    errors.append(f"{where}: duplicate of {seen[key]}: {plain}")
                seen[key] = where
                counts[intent] += 1
                per_file[path.name][intent] += 1
                names = {e for e, _ in entities}
                with_place += "place" in names
                if intent.startswith("find_"):
                    find_total += 1
                    find_annotated += bool(names & {"interest", "kind"})
    for intent, target in TARGETS.items():
        if counts[intent] < target:
            errors.append(f"{intent}: {counts[intent]} < target {target}")
    for intent in counts:
        if intent not in TARGETS:
            errors.append(f"unexpected intent {intent}")
    total = sum(counts.values())
    share = find_annotated / find_total if find_total else 0
    if total < MIN_TOTAL:
        errors.append(f"total {total} < {MIN_TOTAL}")
    if with_place < MIN_PLACE_UTTERANCES:
        errors.append(f"utterances with a place: {with_place} < {MIN_PLACE_UTTERANCES}")
    if share < FIND_ANNOTATED_SHARE:
        errors.append(f"find_* with interest/kind: {share:.0%} < {FIND_ANNOTATED_SHARE:.0%}")

    for intent in TARGETS:
        print(f"{intent:18} {counts[intent]:4}  (target >= {TARGETS[intent]})")
    print(f"{'TOTAL':18} {total:4}")
    for name, c in per_file.items():
        print(f"  {name}: {sum(c.values())}")
    print(f"utterances with a place: {with_place}")
    print(f"find_* with an interest/kind: {find_annotated}/{find_total} ({share:.0%})")
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
