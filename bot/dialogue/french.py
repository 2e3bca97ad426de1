"""French as locals write it: prepositions before place names, dates and distances.

Place names take their article into the preposition: "Le Quesnoy" gives "du Quesnoy",
"au Quesnoy", "près du Quesnoy"; "Les Rues-des-Vignes" gives "des Rues-des-Vignes",
"aux Rues-des-Vignes"; a name starting with a vowel elides: "d'Audignies". Names of the
Nord starting with an "h" are aspirated ("de Hargnies", "de Hautmont"), so no elision.
The day and month names come from `knowledge.text` (defined there once).
"""

from __future__ import annotations

from datetime import datetime

from knowledge.config import PARIS
from knowledge.text import MONTHS_FR, WEEKDAYS_FR

_VOWELS = "aeiouyàâäéèêëîïôöùûü"


def _article(label: str) -> tuple[str, str] | None:
    """("le", "Quesnoy") for "Le Quesnoy", ("les", "Rues-des-Vignes") for "Les Rues-des-Vignes";
    None when the name has no article that contracts (La, L' do not)."""
    first, _, rest = label.partition(" ")
    if rest and first.lower() in ("le", "les"):
        return first.lower(), rest
    return None


def de(label: str) -> str:
    """"du Quesnoy", "des Rues-des-Vignes", "de Bavay", "d'Audignies", "de La Longueville",
    "du Pays de Mormal", "de votre position"."""
    art = _article(label)
    if art:
        return ("du " if art[0] == "le" else "des ") + art[1]
    if label[:1].lower() in _VOWELS:
        return "d'" + label
    return "de " + label


def a(label: str) -> str:
    """"au Quesnoy", "aux Rues-des-Vignes", "à Bavay", "à La Longueville"."""
    art = _article(label)
    if art:
        return ("au " if art[0] == "le" else "aux ") + art[1]
    return "à " + label


def pres_de(label: str) -> str:
    """"près du Quesnoy", "près de Bavay", "près d'Audignies"."""
    return "près " + de(label)


def km_fr(value: float) -> str:
    """2.35 → "2,4 km", 10.0 → "10 km" (French decimal comma)."""
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " km"


OUTSIDE_FR = "hors du Pays de Mormal"
# Said of a record whose point is its commune's (coord_precision "commune").
APPROXIMATE_FR = "position approximative : je ne connais que la commune"


def map_label(precision: str | None) -> str:
    """"Carte", or "Carte (centre de la commune)" when the point is only the commune's:
    the link does not lead to the place itself."""
    return "Carte" if precision != "commune" else "Carte (centre de la commune)"


def distance_fr(distance_km: float | None, precision: str | None,
                in_territory: bool = True) -> str | None:
    """The distance as a visitor reads it. A place known only by its commune's centre
    gets no tenth of a kilometre: "≈ 7 km" farther than 3 km, nothing closer (the
    commune's name says it). A place outside the territory says so: "à 12,4 km, hors du
    Pays de Mormal" ("à environ 7 km, …" by its commune's centre)."""
    if distance_km is None:
        return None
    if precision != "commune":
        said: str | None = km_fr(distance_km)
    else:
        said = f"≈ {km_fr(round(distance_km))}" if distance_km >= 3 else None
    if in_territory:
        return said
    if said is None:
        return OUTSIDE_FR
    return f"à {said.replace('≈ ', 'environ ')}, {OUTSIDE_FR}"


def french_date(moment: datetime) -> str:
    """"samedi 12 juillet" (local time)."""
    day = moment.astimezone(PARIS)
    number = "1er" if day.day == 1 else str(day.day)
    return f"{WEEKDAYS_FR[day.weekday()]} {number} {MONTHS_FR[day.month - 1]}"


def time_fr(moment: datetime) -> str:
    """"14 h 30", "10 h" (local time)."""
    local = moment.astimezone(PARIS)
    return f"{local.hour} h {local:%M}".replace(" h 00", " h")


def duration_fr(minutes: int | None) -> str | None:
    """75 → "1 h 15", 180 → "3 h", 45 → "45 min"."""
    if not minutes:
        return None
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest:02d}" if rest else "")


def join_fr(items: list[str]) -> str:
    """"a", "a et b", "a, b et c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]
