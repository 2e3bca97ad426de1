"""An event the visitor names in an events search ("le marché du Quesnoy c'est quel jour ?",
"la braderie de Bavay", "le marché de Noël"), or the place where it is held, found among
the events the search would show.

The visitor's words that could name something are those that are neither words of the
request (`bot.dialogue.named`), nor what kind of event it is ("marché", "fête"…), nor the
question ("quel jour", "la semaine prochaine"). An event is named when:

- each such word that is not a commune's name is a word of its title, of its venue's
  name or of its commune ("le marché de Noël": "noël"), and at least one word matched;
- when every word that matched is a commune's ("le marché du Quesnoy"), the kind of event
  is said with a definite article ("le marché", "la braderie"): "des marchés près du
  Quesnoy" names none, and the list keeps its order.

Among the events named, those matching the most words win, then those whose title has the
fewest words the visitor did not say ("le marché du Quesnoy" is the weekly market, not the
Christmas market of Le Quesnoy). When every event found is named, none is singled out (the
search already is about them). Plain code on the hits of `knowledge.queries.events_between`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from bot.dialogue.named import NAME_MIN, _own_words
from knowledge.queries import EventHit, commune_words_in
from knowledge.text import MONTHS_FR, normalize

# What kind of event it is, not which one (compared without a final s or x).
KIND_OF_EVENT = frozenset({
    "marche", "fete", "foire", "brocante", "braderie", "vide", "grenier", "puce", "concert",
    "festival", "exposition", "expo", "salon", "kermesse", "ducasse", "spectacle",
    "animation", "atelier", "visite", "evenement", "sortie", "manifestation",
    "hebdomadaire", "mensuel", "annuel", "producteur", "artisan", "nocturne", "soiree",
    "journee", "bal", "repas",
})
# The question around the name: when, what day, which dates.
QUESTION = frozenset({
    "jour", "jours", "date", "dates", "heure", "heures", "quelle", "quels", "quelles",
    "prochain", "prochaine", "prochains", "prochaines", "lieu", "lieux", "passe", "passera",
    "aura", "ont", "tient", "tiennent", "deroule", "semaine", "semaines", "mois", "annee",
    "matinee", "apres-midi", "soiree", "fin", "debut",
    "cette", "savez", "sait", "rappeler", "ouvre", "commence", "commencent", "finit",
    "termine", "ferme",
}) | frozenset(normalize(month) for month in MONTHS_FR)
_OF = frozenset({"du", "de", "d", "des", "au", "aux", "a"})
_INDEFINITE = frozenset({"un", "une", "des", "quelques", "autres", "autre", "aucun", "aucune"})


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def _is_kind(word: str) -> bool:
    return _stem(word) in KIND_OF_EVENT or word in KIND_OF_EVENT


def _hits(word: str, names: Sequence[str]) -> bool:
    return any(fuzz.ratio(_stem(word), _stem(n)) >= NAME_MIN for n in names)


def naming_words(text: str) -> list[str]:
    """The words of `text` that may name an event or its place (cheap: no query); none
    in "il se passe quoi demain ?" or "des marchés ?"."""
    return [w for w in dict.fromkeys(_own_words(normalize(text)))
            if not _is_kind(w) and w not in QUESTION and not w.isdigit()]


def named_events(session: Session, text: str, hits: Sequence[EventHit]) -> list[str]:
    """The ids of the events of `hits` that `text` names, in the order of `hits`; empty
    when it names none of them, or names them all."""
    words = naming_words(text)
    if not words or len(hits) < 2:
        return []
    norm = normalize(text)
    communes = commune_words_in(session, words)
    scored: list[tuple[int, int, str]] = []
    for hit in hits:
        event = hit.event
        title = _own_words(normalize(event.title))
        commune = _own_words(normalize(event.commune.name)) if event.commune else []
        venue = event.venue.name if event.venue else event.venue_name
        place = (_own_words(normalize(venue)) if venue else []) + commune
        matched = [w for w in words if _hits(w, title + place)]
        if not matched or any(w not in communes for w in words if w not in matched):
            continue
        if all(w in communes for w in matched) and not any(
                _said_as_name(norm, k) for k in title + place if _is_kind(k)):
            continue  # "des marchés près du Quesnoy": a place to search around
        # words of the title the visitor did not say ("noël" of the Christmas market)
        unsaid = sum(1 for w in title
                     if not _is_kind(w) and w not in commune and not _hits(w, words))
        scored.append((len(matched), -unsaid, event.id))
    if not scored:
        return []
    best = max(s[:2] for s in scored)
    ids = {eid for n, u, eid in scored if (n, u) == best}
    if len(ids) == len({h.event.id for h in hits}):
        return []
    return [h.event.id for h in hits if h.event.id in ids]


def _said_as_name(norm: str, kind: str) -> bool:
    """The kind of event said as the name of one, followed by where: "le marché du
    Quesnoy", "marché hebdomadaire de Bavay"; not "un marché au Quesnoy", "les marchés
    près du Quesnoy"."""
    tokens = norm.split()
    for i, token in enumerate(tokens):
        if _stem(token) != _stem(kind):
            continue
        j = i + 1
        while j < len(tokens) and _is_kind(tokens[j]):
            j += 1  # "marché hebdomadaire du Quesnoy"
        if (j < len(tokens) and tokens[j] in _OF
                and (i == 0 or tokens[i - 1] not in _INDEFINITE)):
            return True
    return False
