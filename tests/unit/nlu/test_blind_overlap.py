"""The blind NLU test set (tests/nlu/blind/) is never trained on (issue 12).

No blind utterance, once its annotations are stripped and it is normalised (lowercase,
accents removed, punctuation and extra spaces removed), may appear among the training
examples of bot/data (NLU examples, and user texts of stories and rules). The set must
also stay big enough to measure anything: at least 400 utterances, 80 out of scope.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import yaml

from knowledge.text import fold

ROOT = Path(__file__).resolve().parents[3]
BLIND = ROOT / "tests" / "nlu" / "blind"
TRAINING = ROOT / "bot" / "data"
# Rasa's inline annotation: [text](entity) or [text]{"entity": ...}
ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+?)\](?:\([^()]*\)|\{[^{}]*\})")


def normalise(text: str) -> str:
    plain = ANNOTATION.sub(lambda m: m.group("text"), text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(plain)).split())


def nlu_examples(path: Path) -> Iterator[tuple[str, str]]:
    """(intent, example) of every intent block of a Rasa YAML file."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for block in doc.get("nlu") or []:
        if "intent" in block:
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    yield str(block["intent"]), line.strip()[2:]


def story_texts(path: Path) -> Iterator[str]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for key in ("stories", "rules"):
        for story in doc.get(key) or []:
            for step in story.get("steps") or []:
                if isinstance(step, dict) and step.get("user"):
                    yield str(step["user"])


def blind_examples() -> list[tuple[str, str]]:
    return [pair for path in sorted(BLIND.glob("*.yml")) for pair in nlu_examples(path)]


def training_texts() -> dict[str, str]:
    """Normalised training text -> where it is ("bot/data/nlu/places.yml, find_places")."""
    texts: dict[str, str] = {}
    for path in sorted(TRAINING.rglob("*.yml")):
        where = str(path.relative_to(ROOT))
        for intent, example in nlu_examples(path):
            texts.setdefault(normalise(example), f"{where}, {intent}: {example}")
        for text in story_texts(path):
            texts.setdefault(normalise(text), f"{where}: {text}")
    texts.pop("", None)
    return texts


def test_normalise_strips_annotations_case_accents_and_punctuation() -> None:
    assert normalise('Un [resto]{"entity": "kind", "value": "restaurant"} à '
                     "[Bavay](place) ?!") == "un resto a bavay"
    assert normalise("  Où   DÎNER, près de l’Étang ? ") == "ou diner pres de l etang"


def test_the_training_data_is_read() -> None:
    assert len(training_texts()) > 500


def test_no_blind_utterance_is_in_the_training_data() -> None:
    training = training_texts()
    copied = sorted(training[key] for key in {normalise(t) for _, t in blind_examples()}
                    if key in training)
    assert copied == [], (
        f"{len(copied)} training examples are blind test utterances (tests/nlu/blind is "
        "never trained on): remove them from the training data:\n" + "\n".join(copied))


def test_the_blind_set_is_big_enough() -> None:
    counts = Counter(intent for intent, _ in blind_examples())
    assert sum(counts.values()) >= 400, counts
    assert counts["out_of_scope"] >= 80, counts
