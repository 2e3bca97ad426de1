"""The Dumoulin family: who speaks about what (DESIGN.md §6)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    key: str
    name: str
    emoji: str
    topics: frozenset[str]

    @property
    def signature(self) -> str:
        return f"{self.emoji} {self.name}"


JEANNINE = Member("jeannine", "Mamie Jeannine", "👵", frozenset({"patrimoine", "culture"}))
FRANCK = Member("franck", "Franck", "🌳",
                frozenset({"nature", "randonnee", "velo", "equitation", "peche", "routes"}))
SOPHIE = Member("sophie", "Sophie", "🧀",
                frozenset({"gastronomie", "terroir", "hebergement", "pratique"}))
LEA = Member("lea", "Léa", "🎈", frozenset({"famille", "loisirs", "events"}))

FAMILY: dict[str, Member] = {m.key: m for m in (JEANNINE, FRANCK, SOPHIE, LEA)}


def speaker_for(topics: Iterable[str], default: Member = LEA) -> Member:
    """The member whose favourite topics come first in `topics` (interests or
    "events"/"routes")."""
    for topic in topics:
        for member in FAMILY.values():
            if topic in member.topics:
                return member
    return default
