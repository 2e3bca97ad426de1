"""The Dumoulin family: who speaks about what (docs/DESIGN.md §6, docs/contracts.md "Persona")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    key: str
    name: str
    emoji: str
    topics: frozenset[str]
    feminine: bool = False

    def agree(self, masculine: str, feminine: str) -> str:
        """The word agreeing with this member: `agree("Désolé", "Désolée")`."""
        return feminine if self.feminine else masculine

    @property
    def signature(self) -> str:
        return f"{self.emoji} {self.name}"


JEANNINE = Member("jeannine", "Mamie Jeannine", "👵", frozenset({"patrimoine", "culture"}),
                  feminine=True)
FRANCK = Member("franck", "Franck", "🌳",
                frozenset({"nature", "randonnee", "velo", "equitation", "peche", "routes"}))
SOPHIE = Member("sophie", "Sophie", "🧀",
                frozenset({"gastronomie", "terroir", "hebergement", "pratique"}), feminine=True)
LEA = Member("lea", "Léa", "🎈", frozenset({"famille", "loisirs", "events"}), feminine=True)

FAMILY: dict[str, Member] = {m.key: m for m in (JEANNINE, FRANCK, SOPHIE, LEA)}


def speaker_for(topics: Iterable[str], default: Member = LEA) -> Member:
    """The member whose favourite topics come first in `topics` (interests or
    "events"/"routes")."""
    for topic in topics:
        for member in FAMILY.values():
            if topic in member.topics:
                return member
    return default


def member_signed(signature: str | None) -> Member | None:
    """The member whose signature ("👵 Mamie Jeannine") this is."""
    return next((m for m in FAMILY.values() if m.signature == signature), None)
