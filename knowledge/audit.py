"""Checks of the whole knowledge base, for staff (`python -m knowledge validate`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.gazetteer import Gazetteer
from knowledge.geo import haversine_km
from knowledge.models import Event, Poi, Route
from knowledge.store import Store, to_dict
from knowledge.validation import ValidationError, clean_event, clean_poi, clean_route

DUPLICATE_KM = 0.3


@dataclass(frozen=True)
class Finding:
    level: str  # "erreur" or "avertissement"
    kind: str  # poi, event, route
    record_id: str
    message: str

    def __str__(self) -> str:
        return f"[{self.level}] {self.kind} {self.record_id} : {self.message}"


def check_base(session: Session, *, now: datetime | None = None) -> list[Finding]:
    """Every problem of the base: invalid records, duplicates, events that are over."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
    store = Store.for_session(session, Gazetteer.from_session(session))
    findings: list[Finding] = []
    checks: list[tuple[str, Any, Any]] = [
        ("poi", Poi, lambda d: clean_poi(d, store.gazetteer, store.max_distance_km)),
        ("route", Route, lambda d: clean_route(d, store.gazetteer, store.max_distance_km)),
        ("event", Event, lambda d: clean_event(d, store.gazetteer, store.max_distance_km,
                                               venue=store.venue_of)),
    ]
    for kind, model, clean in checks:
        for obj in session.execute(select(model).order_by(model.id)).scalars():
            try:
                clean(to_dict(obj))
            except ValidationError as exc:
                findings.extend(Finding("erreur", kind, obj.id, e) for e in exc.errors)
            if kind == "event" and obj.published and obj.timings and all(
                t.end < now for t in obj.timings
            ):
                findings.append(Finding("avertissement", kind, obj.id,
                                        "événement passé : toutes ses dates sont finies."))
    findings.extend(_duplicates(session))
    return findings


def _duplicates(session: Session) -> list[Finding]:
    rows = session.execute(
        select(Poi.id, Poi.name_norm, Poi.latitude, Poi.longitude).order_by(Poi.name_norm, Poi.id)
    ).all()
    out = []
    by_name: dict[str, list[Any]] = {}
    for row in rows:
        by_name.setdefault(row.name_norm, []).append(row)
    for group in by_name.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) <= DUPLICATE_KM:
                    out.append(Finding("avertissement", "poi", b.id,
                                       f"doublon probable de « {a.id} » (même nom, même endroit)."))
    return out
