"""How staff recognise an imported record: its title, place and dates, never its number
or slug; and the reasons of a refusal worded for them.

A record is described from the source before it is converted (so that a refused one is
named too: `from_openagenda`, `from_datatourisme`, `from_csv`), or from the record the
base saved (`from_record`). Dates are Paris time, written the French way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from knowledge.config import PARIS
from knowledge.gazetteer import Gazetteer
from knowledge.importers.common import first, text_of
from knowledge.validation import _parse_instant

# "15 quai François Mitterrand, 14000 Caen" → "Caen"
_POSTAL_TOWN = re.compile(r"\b\d{5}\s+(?P<town>[^,\d][^,]*)$")
MAX_TITLE = 120


@dataclass(frozen=True)
class Described:
    """A record as staff name it; every part may be unknown."""

    title: str | None = None
    venue: str | None = None   # the place's own name (a library, a hall…)
    town: str | None = None    # its commune or town
    dates: str | None = None

    @property
    def place(self) -> str | None:
        parts = [p for p in (self.venue, self.town) if p]
        if len(parts) == 2 and parts[1].lower() in parts[0].lower():
            parts = parts[:1]
        return ", ".join(parts) or None

    def as_dict(self) -> dict[str, str | None]:
        return {"title": self.title, "place": self.place, "dates": self.dates}

    def __str__(self) -> str:
        return " — ".join(p for p in (self.title, self.place, self.dates) if p)


def _clip(text: str | None, limit: int = MAX_TITLE) -> str | None:
    if not text:
        return None
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _instant(value: Any) -> datetime | None:
    parsed = _parse_instant(value) if isinstance(value, (str, datetime)) else None
    return parsed.astimezone(PARIS) if parsed is not None else None


def _time(moment: datetime) -> str:
    return f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")


def dates_fr(starts: Iterable[Any]) -> str | None:
    """The dates of an event as staff read them: "16/09/2022 à 18 h 30", "18/09/2022 à
    15 h 30 et 17 h", or "du 01/04/2027 au 31/10/2027 (12 dates)"; None when none can be
    read."""
    moments = sorted({m for m in (_instant(s) for s in starts) if m is not None})
    if not moments:
        return None
    one, last = moments[0], moments[-1]
    if one.date() == last.date():
        text = one.strftime("%d/%m/%Y")
        times = [_time(m) for m in moments if (m.hour, m.minute) != (0, 0)]
        return f"{text} à {' et '.join(times)}" if 0 < len(times) <= 3 else text
    return (f"du {one.strftime('%d/%m/%Y')} au {last.strftime('%d/%m/%Y')} "
            f"({len(moments)} dates)")


def _town_of_address(address: Any) -> str | None:
    if not isinstance(address, str):
        return None
    found = _POSTAL_TOWN.search(address.strip())
    return found.group("town").strip() if found else None


def _starts(timings: Any, key: str = "begin") -> list[Any]:
    if not isinstance(timings, list):
        return []
    return [t.get(key, t.get("start")) for t in timings if isinstance(t, Mapping)]


def from_openagenda(event: Any) -> Described:
    if not isinstance(event, dict):
        return Described()
    loc = event.get("location")
    loc = loc if isinstance(loc, dict) else {}
    town = text_of(loc.get("city")) or _town_of_address(loc.get("address"))
    timings = event.get("timings") or [event[k] for k in ("firstTiming", "nextTiming",
                                                          "lastTiming")
                                       if isinstance(event.get(k), dict)]
    return Described(_clip(text_of(event.get("title"))),
                     _clip(text_of(loc.get("name")) or text_of(event.get("locationName"))),
                     _clip(town), dates_fr(_starts(timings)))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def from_datatourisme(obj: Any) -> Described:
    if not isinstance(obj, dict):
        return Described()
    town = None
    for loc in _as_list(obj.get("isLocatedAt")):
        addr = first(loc.get("schema:address")) if isinstance(loc, dict) else None
        if isinstance(addr, dict):
            city = addr.get("hasAddressCity")
            town = text_of(addr.get("schema:addressLocality")) or (
                text_of(city.get("rdfs:label")) if isinstance(city, dict) else None)
            if town:
                break
    starts = [p.get("startDate") for p in _as_list(obj.get("takesPlaceAt"))
              if isinstance(p, dict)] or _as_list(obj.get("schema:startDate"))
    return Described(_clip(text_of(obj.get("rdfs:label"))), None, _clip(town),
                     dates_fr(first(s) if isinstance(s, list) else s for s in starts))


def from_csv(row: Mapping[Any, Any]) -> Described:
    def cell(*names: str) -> str | None:
        for name in names:
            value = row.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    return Described(_clip(cell("titre", "nom", "title", "name")), None,
                     _clip(cell("commune")), dates_fr([cell("debut", "date", "start")]))


def from_record(kind: str, record: Mapping[str, Any], gazetteer: Gazetteer | None,
                raw: Described | None = None) -> Described:
    """A record as converted or saved (a dict of `store.to_dict`'s shape), completed by
    what the source said (`raw`) where the record says nothing."""
    raw = raw or Described()
    insee = record.get("start_commune_insee" if kind == "route" else "commune_insee")
    commune = gazetteer.by_insee(str(insee)) if gazetteer is not None and insee else None
    dates = None
    if kind == "event":
        dates = dates_fr(_starts(record.get("timings"), "start"))
    return Described(_clip(record.get("title") or record.get("name")) or raw.title,
                     _clip(record.get("venue_name")) or raw.venue,
                     commune.name if commune is not None else raw.town,
                     dates or raw.dates)


def far_reason(town: str | None, away_km: float, max_km: float) -> str:
    """The reason of a record that is simply elsewhere, as staff say it."""
    where = f"{town}, à" if town else "à"
    return (f"hors du territoire : {where} {away_km:.0f} km du Pays de Mormal "
            f"(le chatbot propose ce qui est à {max_km:g} km au plus).")
