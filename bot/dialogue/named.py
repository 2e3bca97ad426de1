"""A place of the base named by the visitor ("les remparts du Quesnoy", "la tombe de Wilfred
Owen", "le forum"), found before any search by category.

A name is a word of the place's own name that is not a word of the request ("un", "pour",
"avec une poussette"…), nor only its kind or its commune: "un restaurant au Quesnoy" asks
for a category, "le restaurant La Carpe d'Or" names a place. A kind word counts as a name
only with a definite article and a commune ("les remparts du Quesnoy": there is one).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from knowledge.models import Poi
from knowledge.queries import KIND_WORDS, find_places_by_name
from knowledge.text import normalize


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words of a request around a name: never part of what is named.
_REQUEST = _words("""
un une des du de d la le les l au aux a en et ou pour avec sans dans sur sous chez par
on nous je j y il elle c est ce cet cette ces ca quoi que qui quel quelle quels quelles
peut peux pouvez pourrait faire fait voir visiter aller venir trouver cherche cherchons
veux voudrais voudrions aimerais aimerions bien tres plus moins pas trop tour autour
pres loin cote ici la bas bonjour merci svp stp s il vous plait infos info information
informations horaires horaire adresse prix tarif tarifs ouvert ouverte ouverts quand
acces combien telephone numero comment poussette poussettes fauteuil roulant enfants
enfant chien chiens petit petite grand grande visite parle parler dire savoir connaitre
est-ce sont suis sommes etes vous tu moi toi nos notre vos votre mes mon ma
""")
_DEFINITE = frozenset({"le", "la", "les", "l", "du", "des", "au", "aux"})
NAME_MIN = 80.0


def _own_words(norm: str) -> list[str]:
    return [w for w in norm.split() if w not in _REQUEST and len(w) >= 3]


def named_place(session: Session, text: str) -> Poi | None:
    """The place of the base the message names, or None (see the module's docstring)."""
    norm = normalize(text)
    words = _own_words(norm)
    if not words:
        return None
    matches = find_places_by_name(session, " ".join(words), limit=3)
    if not matches:
        return None
    name_words = {m.poi.id: normalize(m.poi.name).split() for m in matches}
    for match in matches:
        own = [w for w in words if w not in KIND_WORDS]
        if own and any(fuzz.ratio(w, n) >= NAME_MIN for w in own
                       for n in name_words[match.poi.id] if n not in KIND_WORDS):
            if _rests_on_commune_only(session, match.poi, own):
                continue
            return match.poi
    # Only kind words and a commune: a name when said with a definite article
    # ("les remparts du Quesnoy"), a category otherwise ("des remparts", "un restaurant").
    kinds = [w for w in words if w in KIND_WORDS]
    for kind in kinds:
        if re.search(rf"\b({'|'.join(_DEFINITE)})\s+{kind}", norm):
            for match in matches:
                if any(fuzz.ratio(kind, n) >= NAME_MIN for n in name_words[match.poi.id]):
                    return match.poi
    return None


def _rests_on_commune_only(session: Session, poi: Poi, own: list[str]) -> bool:
    """True when the only own words matching the name are the commune's."""
    commune = normalize(poi.commune.name).split() if poi.commune else []
    name = [n for n in normalize(poi.name).split() if n not in KIND_WORDS and n not in commune]
    return not any(fuzz.ratio(w, n) >= NAME_MIN for w in own for n in name)
