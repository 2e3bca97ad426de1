"""A place of the base named by the visitor ("les remparts du Quesnoy", "la tombe de Wilfred
Owen", "le forum"), or a route ("le circuit des sabotiers"), found before any search by
category.

A name is a word of the place's own name that is not a word of the request ("un", "pour",
"avec une poussette"…), nor only its kind or its commune: "un restaurant au Quesnoy" asks
for a category, "le restaurant La Carpe d'Or" names a place. A kind word counts as a name
only with a definite article and a commune ("les remparts du Quesnoy": there is one).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Poi, Route
from knowledge.queries import KIND_WORDS, commune_words_in, find_places_by_name
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
dites dis fois lundi mardi mercredi jeudi vendredi samedi dimanche week end demain
aujourd hui ce soir matin midi accessible accessibles balise balisee chemin
velo velos vtt
""")  # "vélo" says how one travels or what one likes ("on arrive à vélo"), not a name
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
    own = [w for w in words if w not in KIND_WORDS]
    kinds = [w for w in words if w in KIND_WORDS]
    if not own and not any(re.search(rf"\b({'|'.join(_DEFINITE)})\s+{kind}", norm)
                           for kind in kinds):
        return None  # "un musée": a category, whatever the base holds
    matches = find_places_by_name(session, " ".join(words), limit=3)
    if not matches:
        return None
    name_words = {m.poi.id: normalize(m.poi.name).split() for m in matches}
    named = [m for m in matches
             if own and any(fuzz.ratio(w, n) >= NAME_MIN for w in own
                            for n in name_words[m.poi.id] if n not in KIND_WORDS)
             and not _rests_on_commune_only(session, m.poi, own)]
    if named:
        # "la forêt de Mormal": the Forêt domaniale de Mormal, not a crossroads in it —
        # the name the typed words cover most, then the best fuzzy score.
        return max(named, key=lambda m: (_covered(words, name_words[m.poi.id]), m.score)).poi
    # Only kind words and a commune: a name when said with a definite article
    # ("les remparts du Quesnoy"), a category otherwise ("des remparts", "un restaurant").
    for kind in kinds:
        if re.search(rf"\b({'|'.join(_DEFINITE)})\s+{kind}", norm):
            for match in matches:
                if any(fuzz.ratio(kind, n) >= NAME_MIN for n in name_words[match.poi.id]):
                    return match.poi
    return None


def _covered(words: list[str], name: list[str]) -> float:
    """Share of a name's own words (3 letters or more) that the visitor typed."""
    own = [n for n in name if len(n) >= 3]
    if not own:
        return 0.0
    return sum(any(fuzz.ratio(w, n) >= NAME_MIN for w in words) for n in own) / len(own)


# Words of a route's name that say what it is, not which one.
_ROUTE_KIND_WORDS = _words("""
circuit circuits boucle boucles balade balades randonnee rando promenade sentier sentiers
velo vtt equestre traversee grand grande tour traces route chemin voie foret
""")


# A route is named with a definite article before its kind ("le circuit des sabotiers",
# "la boucle vélo du Bavaisis"); "une balade en forêt de Mormal" asks for a category.
_ROUTE_NAMED = re.compile(r"\b(le|la|les|l|du|au)\s+(circuit|boucle|balade|randonnee|rando|"
                          r"promenade|sentier|grand tour|grande boucle|voie)\b|\bsur les traces\b")


def named_route(session: Session, text: str) -> Route | None:
    """The route of the base the message names, or None: said with a definite article,
    and resting on words of the route's own name, not only on a commune's."""
    norm = normalize(text)
    if not _ROUTE_NAMED.search(norm):
        return None
    words = [w for w in _own_words(norm) if w not in _ROUTE_KIND_WORDS]
    communes = commune_words_in(session, words)  # one lookup, not one per word
    words = [w for w in words if w not in communes]
    if not words:
        return None
    best: tuple[float, float, Route] | None = None
    rows = session.execute(select(Route).where(Route.published.is_(True))).scalars()
    for route in rows:
        name = [n for n in normalize(route.name).split()
                if n not in _ROUTE_KIND_WORDS and n not in _REQUEST and len(n) >= 3]
        if not name:
            continue
        hits = sum(any(fuzz.ratio(w, n) >= NAME_MIN for n in name) for w in words)
        if not hits:
            continue
        # every typed own word must be in the name (else it names something else)
        key = (hits / len(words), hits / len(name), route)
        if key[0] >= 1.0 and (best is None or key[:2] > best[:2]):
            best = key
    return best[2] if best else None


def _rests_on_commune_only(session: Session, poi: Poi, own: list[str]) -> bool:
    """True when the only own words matching the name are the commune's."""
    commune = normalize(poi.commune.name).split() if poi.commune else []
    name = [n for n in normalize(poi.name).split() if n not in KIND_WORDS and n not in commune]
    return not any(fuzz.ratio(w, n) >= NAME_MIN for w in own for n in name)
