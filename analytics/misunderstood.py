"""Misunderstood messages grouped by similarity (rapidfuzz), to become training data."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from knowledge.text import normalize, without_controls

SIMILARITY = 80  # token_set_ratio from which two messages are "the same question"
MAX_EXAMPLES = 5


@dataclass
class Group:
    text: str                     # the most frequent wording
    count: int = 0
    examples: list[str] = field(default_factory=list)  # other wordings, most frequent first


def group_messages(texts: Counter[str]) -> list[Group]:
    """Greedy grouping: wordings in decreasing frequency join the first group whose
    leader is similar enough, else lead a new group. Groups by decreasing count."""
    groups: list[Group] = []
    leaders: list[str] = []
    for text, count in sorted(texts.items(), key=lambda kv: (-kv[1], kv[0])):
        norm = normalize(text) or text.lower()
        found = process.extractOne(norm, leaders, scorer=fuzz.token_set_ratio,
                                   score_cutoff=SIMILARITY) if leaders else None
        if found is None:
            leaders.append(norm)
            groups.append(Group(text, count))
            continue
        group = groups[found[2]]
        group.count += count
        if len(group.examples) < MAX_EXAMPLES:
            group.examples.append(text)
    groups.sort(key=lambda g: (-g.count, g.text))
    return groups


# Rasa's annotation: "[text]" right before "(entity)", "{...}" or "[...]".
_ANNOTATION = re.compile(r"\]([(\[{])")
# Code points a YAML reader refuses even once the control characters are gone.
_NOT_YAML = re.compile("[\ufffe\uffff]")


def _yaml_line(text: str) -> str:
    """A visitor's message as one example line that Rasa reads back as that text: on one
    line, without the control characters YAML refuses, and "[X](place)" written
    "[X] (place)" (Rasa's format has no escape; it would be an annotated entity)."""
    words = (_NOT_YAML.sub("", without_controls(w)) for w in text.replace("\\", " ").split())
    return _ANNOTATION.sub(r"] \1", " ".join(w for w in words if w))


def nlu_yaml(groups: list[Group], intent: str = "a_revoir") -> str:
    """Rasa NLU YAML (3.1) to review: every wording under one placeholder intent, each
    group's count in a comment, to move to the right intent before training."""
    lines = [
        "# Messages que le robot n'a pas compris, regroupés par ressemblance.",
        "# À relire : déplacer chaque exemple vers la bonne intention avant d'entraîner.",
        "# Adresses électroniques et numéros de téléphone remplacés par des marques.",
        'version: "3.1"',
        "nlu:",
    ]
    if not groups:
        lines[-1] = "nlu: []"
        return "\n".join(lines) + "\n"
    lines += [f"- intent: {intent}", "  examples: |"]
    for group in groups:
        for text in [group.text, *group.examples]:
            line = _yaml_line(text)
            if line:
                lines.append(f"    - {line}")
    lines.append("")
    lines += [f"# {g.count} fois : {_yaml_line(g.text)}" for g in groups]
    return "\n".join(lines) + "\n"
