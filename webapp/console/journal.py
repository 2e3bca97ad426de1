"""The journal as staff read it: Paris time, records and communes by their names, and a
French list of only the fields that really changed (a reordered list is no change).

Pure functions over the audit rows' before/after snapshots (`store.to_dict`'s shape);
`Names` holds what the page looked up once (communes from the gazetteer, the venues'
names from the base).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from knowledge.changes import changed_fields, empty
from knowledge.config import PARIS
from knowledge.hours_text import hours_summary, hours_to_text
from knowledge.importers.describe import dates_fr
from knowledge.taxonomy import (
    AUDIENCES,
    COORD_PRECISIONS,
    DIFFICULTIES,
    INTERESTS,
    KINDS,
    ROUTE_MODES,
)
from webapp.console.models import ROLES

CHOICES: dict[str, Mapping[str, str]] = {
    "kind": KINDS, "kinds": KINDS, "interests": INTERESTS, "audiences": AUDIENCES,
    "mode": ROUTE_MODES, "difficulty": DIFFICULTIES, "coord_precision": COORD_PRECISIONS,
    "role": ROLES,
}
COMMUNE_FIELDS = ("commune_insee", "start_commune_insee")
TYPES = {"poi": "Lieu", "event": "Événement", "route": "Itinéraire", "import": "Import",
         "account": "Compte"}
EMPTY = "—"


def paris_time(at: datetime) -> datetime:
    """A stored instant (naive UTC, or aware) in Paris time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(PARIS)


@dataclass
class Names:
    """What ids and codes stand for: communes (INSEE → name) and records (id → name)."""

    communes: dict[str, str] = field(default_factory=dict)
    records: dict[str, str] = field(default_factory=dict)


def _price(value: Mapping[str, Any]) -> str:
    parts = ["gratuit"] if value.get("free") else []
    if value.get("text"):
        parts.append(str(value["text"]))
    return " ; ".join(parts) or json.dumps(dict(value), ensure_ascii=False)


def _hours(value: Mapping[str, Any]) -> str:
    text = hours_to_text(value)
    if text is None:
        return hours_summary(value)
    lines, note = text
    return "\n".join([lines, f"Précisions : {note}"] if note else [lines])


def value_text(name: str, value: Any, names: Names) -> str:
    """A field's value as staff read it, in French."""
    if empty(value):
        return EMPTY
    if isinstance(value, bool):
        return "oui" if value else "non"
    if name in COMMUNE_FIELDS:
        return names.communes.get(str(value), str(value))
    if name == "venue_poi_id":
        return names.records.get(str(value), str(value))
    if name in CHOICES:
        labels = CHOICES[name]
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in items)
    if name == "timings" and isinstance(value, list):
        starts = [t.get("start") for t in value if isinstance(t, Mapping)]
        return dates_fr(starts) or EMPTY
    if name == "last_update" and isinstance(value, str):
        try:
            return paris_time(datetime.fromisoformat(value)).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return value
    if name == "opening_hours" and isinstance(value, Mapping):
        return _hours(value)
    if name in ("prices", "price") and isinstance(value, Mapping):
        return _price(value)
    if isinstance(value, float):
        return f"{value:.5f}".rstrip("0").rstrip(".").replace(".", ",")
    if isinstance(value, list):
        return ", ".join(value_text(name, v, names) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(dict(value), ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
            labels: Mapping[str, str], names: Names) -> list[Change]:
    """The fields that really changed, labelled as the forms label them, with their
    values before and after in French (a creation lists its filled fields)."""
    before, after = before or {}, after or {}
    rows = [Change(k, labels.get(k, k), value_text(k, before.get(k), names),
                   value_text(k, after.get(k), names))
            for k in changed_fields(before, after)]
    return sorted(rows, key=lambda c: c.label)


def record_name(record_type: str, record_id: str, before: Any, after: Any,
                names: Names) -> str:
    """What the entry is about, named: a record's name or title (as it was then), an
    import's file, an account's name."""
    for snapshot in (after, before):
        if isinstance(snapshot, Mapping):
            found = snapshot.get("name") or snapshot.get("title")
            if found:
                return str(found)
    return names.records.get(record_id, record_id)


def ids_to_name(rows: list[Any]) -> tuple[set[str], set[str]]:
    """The commune codes and record ids a page of entries mentions (to look up once)."""
    communes: set[str] = set()
    records: set[str] = set()
    for row in rows:
        for snapshot in (row.before, row.after):
            if not isinstance(snapshot, Mapping):
                continue
            communes |= {str(snapshot[k]) for k in COMMUNE_FIELDS if snapshot.get(k)}
            if snapshot.get("venue_poi_id"):
                records.add(str(snapshot["venue_poi_id"]))
        if row.record_type in ("poi", "event", "route") and not (
                isinstance(row.after, Mapping) or isinstance(row.before, Mapping)):
            records.add(row.record_id)
    return communes, records
