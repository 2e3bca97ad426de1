"""Text normalisation for names typed by visitors and staff."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
ARTICLES = frozenset({"le", "la", "les", "l", "du", "de", "des", "d", "au", "aux", "a", "en"})
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normalize(text: str) -> str:
    """Lower case, no accents, hyphens and punctuation as spaces: "Le-Quesnoy" → "le quesnoy"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = _NON_ALNUM.sub(" ", ascii_text).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def without_articles(norm: str) -> str:
    """Drop articles: "le quesnoy" → "quesnoy", "foret de mormal" → "foret mormal"."""
    words = [w for w in norm.split() if w not in ARTICLES]
    return " ".join(words) or norm


def slugify(text: str) -> str:
    return normalize(text).replace(" ", "-")
