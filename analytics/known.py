"""Which values the figures count: real interests, periods and communes, never the raw
words of a visitor ("d'", "y", "from the", "c'", "wilfred"), and which misunderstood
messages are abusive.

- An interest is a key of the taxonomy (`knowledge/taxonomy.py`), the value the NLU's
  synonyms give; any other span the model took for one is left out.
- A period is what the bot's own reader (`bot/dialogue/periods.py`) understands, counted
  by its kind: "ce week-end", "demain", "samedi", "en août", "une date précise"…
  (the days themselves change from one message to the next).
- A commune is one of the seed's communes (the gazetteer's): those of the Pays de Mormal
  and the towns of 10,000 inhabitants or more within the searches' distance are named;
  any other (a word the bot took for a village far away) is counted as OTHER_COMMUNES.

Each function accepts what it returns (counts stored before these rules are read again
through them: idempotent).
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from functools import lru_cache

from bot.dialogue.periods import canonical, resolve_period
from knowledge.config import SEED_DIR, get_settings
from knowledge.geo import haversine_km
from knowledge.seeding import REGION_CSV, TERRITORY_CSV
from knowledge.taxonomy import INTERESTS
from knowledge.text import fold

OTHER_COMMUNES = "Autres communes (hors du territoire)"
NEIGHBOUR_POPULATION = 10_000  # as the widget's map (webapp/territory.py)
EXACT_DATE = "une date précise"
DATE_RANGE = "des dates précises"
_MONTH_FORM = re.compile(r"^(?P<form>(?:en|début|fin) \S+|mi-\S+)(?: \d{4})?$")
_WEEKDAY_FORM = re.compile(r"^(?P<day>lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
                           r"(?: \d{1,2}(?:er)? \S+)?(?: (?:au |dans la |dans l')?(?P<part>matin|"
                           r"après-midi|soir|nuit))?$")
# French insults, folded: a message with one of them is shown apart from the gaps.
_ABUSE = frozenset((
    "con", "conne", "connard", "connards", "connasse", "debile", "debiles", "idiot", "idiote",
    "imbecile", "abruti", "abrutie", "cretin", "cretine", "salope", "salopard", "pute",
    "putain", "merde", "merdique", "encule", "enculer", "fdp", "ntm", "batard", "tg",
    "bouffon", "nique", "niquer", "ordure"))
_WORD = re.compile(r"[a-z]+")


def interest_key(value: object) -> str | None:
    """A taxonomy key, or None for anything else the model took for an interest."""
    key = str(value).strip().lower() if isinstance(value, str) else ""
    return key if key in INTERESTS else None


def period_key(text: object, when: datetime) -> str | None:
    """The kind of period a visitor asked for ("ce week-end", "demain soir", "samedi",
    "en août", "une date précise", "des dates précises"), or None when the bot's reader
    finds no period in it."""
    if not isinstance(text, str) or not text.strip():
        return None
    if text in (EXACT_DATE, DATE_RANGE):
        return text
    period = resolve_period(text, when)
    if period is None:
        return None
    label = period.label
    if " (" in label:  # "demain (samedi 5 décembre)" → "demain"
        return label.split(" (", 1)[0]
    month = _MONTH_FORM.match(label)
    if month:
        return month.group("form")
    if label.startswith("du ") or label.startswith("entre "):
        return DATE_RANGE
    weekday = _WEEKDAY_FORM.match(label)
    if weekday and not any(ch.isdigit() for ch in canonical(text)):
        part = (weekday.group("part") or "").strip()
        return f"{weekday.group('day')} {part}".strip()
    return EXACT_DATE


@lru_cache(maxsize=2)
def named_communes(max_km: float | None = None) -> frozenset[str]:
    """The communes the figures name: the territory's, and the towns of at least
    NEIGHBOUR_POPULATION inhabitants within `max_km` (the searches' distance) of it."""
    max_km = get_settings().max_distance_km if max_km is None else max_km
    with open(SEED_DIR / TERRITORY_CSV, encoding="utf-8") as fh:
        territory = {row["code_insee"]: row for row in csv.DictReader(fh)}
    centres = [(float(r["lat"]), float(r["lon"])) for r in territory.values()]
    names = {r["nom"] for r in territory.values()}
    with open(SEED_DIR / REGION_CSV, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["code_insee"] in territory or int(row["population"] or 0) < \
                    NEIGHBOUR_POPULATION:
                continue
            lat, lon = float(row["lat"]), float(row["lon"])
            if any(haversine_km(lat, lon, a, b) <= max_km for a, b in centres):
                names.add(row["nom"])
    return frozenset(names)


def commune_key(name: object) -> str | None:
    """A named commune as itself, any other commune name as OTHER_COMMUNES."""
    if not isinstance(name, str) or not name.strip():
        return None
    if name == OTHER_COMMUNES or name in named_communes():
        return name
    return OTHER_COMMUNES


@lru_cache(maxsize=1)
def _commune_by_folded_name() -> dict[str, str]:
    from knowledge.seeding import commune_names

    return {fold(n): n for n in commune_names().values()}


def commune_named(text: str | None) -> str | None:
    """The commune a label names exactly (accents and case aside), or None: a typed
    place that is no commune name is not counted."""
    return _commune_by_folded_name().get(fold(text.strip())) if text else None


def is_abusive(text: str) -> bool:
    """Whether a message contains an insult (then it is no gap of the bot's knowledge)."""
    return any(word in _ABUSE for word in _WORD.findall(fold(text)))
