"""Text normalisation for names typed by visitors and staff, and the French word tables.

The day and month names and accent folding are defined here once; every package imports
them from here (a test fails on a second definition).
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# C0 and C1 control characters (NUL, tab, newline, escape…) and lone surrogates: what a
# visitor can slip into a JSON string but no database column, YAML file or log line wants.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
ARTICLES = frozenset({"le", "la", "les", "l", "du", "de", "des", "d", "au", "aux", "a", "en"})
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}

WEEKDAYS_FR: tuple[str, ...] = (
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
)
"""French day names, Monday first (index = ``date.weekday()``)."""
MONTHS_FR: tuple[str, ...] = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)
"""French month names with their accents, January first (index = month - 1)."""


def without_controls(text: str, replacement: str = "") -> str:
    """The text without control characters or lone surrogates: "a\\x00b\\nc" → "abc"
    (each replaced by `replacement`, if given)."""
    return _CONTROLS.sub(replacement, text)


def strip_accents(text: str) -> str:
    """The text without its combining marks (NFKD): "Été" → "Ete"; case is kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case without accents, "œ" written "oe": "Œuvre à Février" → "oeuvre a fevrier"."""
    return strip_accents(text.replace("œ", "oe").replace("Œ", "oe")).lower()


MONTHS_FR_FOLDED: tuple[str, ...] = tuple(fold(m) for m in MONTHS_FR)
"""The month names folded ("fevrier", "aout", "decembre"), for reading typed text."""


def normalize(text: str) -> str:
    """Lower case, no accents, hyphens and punctuation as spaces: "Le-Quesnoy" → "le quesnoy"."""
    words = _NON_ALNUM.sub(" ", fold(text)).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def without_articles(norm: str) -> str:
    """Drop articles: "le quesnoy" → "quesnoy", "foret de mormal" → "foret mormal"."""
    words = [w for w in norm.split() if w not in ARTICLES]
    return " ".join(words) or norm


def slugify(text: str) -> str:
    return normalize(text).replace(" ", "-")
