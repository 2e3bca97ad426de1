"""Checks of the whole knowledge base, for staff (`python -m knowledge validate`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.gazetteer import Gazetteer
from knowledge.geo import haversine_km
from knowledge.models import Commune, Event, Poi, Route
from knowledge.store import Store, to_dict
from knowledge.text import normalize
from knowledge.validation import ValidationError, clean_event, clean_poi, clean_route

DUPLICATE_KM = 0.3
UNPUBLISHED = "Non publié : "
"""How `notes` start on a record kept unpublished on purpose, the reason following
("Non publié : aucune source publique ne confirme ce restaurant. …")."""


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
            if not obj.published and not obj.is_example:
                findings.append(Finding("avertissement", kind, obj.id,
                                        f"non publié : {unpublished_reason(obj.notes)}"))
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


def unpublished_reason(notes: str | None) -> str:
    """The reason a record is kept unpublished: the first sentence after `UNPUBLISHED`."""
    if not notes or not notes.startswith(UNPUBLISHED):
        return "raison non indiquée dans la note."
    return notes[len(UNPUBLISHED):].split(". ", 1)[0].rstrip(".") + "."


@dataclass(frozen=True)
class CommuneCount:
    """Published places of one commune by how precise their position is, and how many
    are kept unpublished: where the base is thin."""

    insee: str | None
    name: str
    in_territory: bool
    exact: int = 0
    approximate: int = 0
    commune: int = 0
    unpublished: int = 0

    def __str__(self) -> str:
        where = "territoire" if self.in_territory else "hors territoire"
        return f"{self.name} ({self.insee or '?'}, {where}) : {self.counts_fr()}"

    def counts_fr(self) -> str:
        return (f"{self.exact} exacte(s), {self.approximate} approximative(s), "
                f"{self.commune} au centre de la commune ; {self.unpublished} non publié(s)")


def precision_by_commune(session: Session) -> list[CommuneCount]:
    """Places per commune (territory first, then by name) and per precision."""
    rows = session.execute(
        select(Poi.commune_insee, Commune.name, Commune.in_territory, Poi.coord_precision,
               Poi.published, func.count())
        .join(Commune, Commune.insee == Poi.commune_insee, isouter=True)
        .group_by(Poi.commune_insee, Commune.name, Commune.in_territory, Poi.coord_precision,
                  Poi.published)).all()
    counts: dict[str | None, dict[str, Any]] = {}
    for insee, name, local, precision, published, n in rows:
        entry = counts.setdefault(insee, {"insee": insee, "name": name or "commune inconnue",
                                          "in_territory": bool(local)})
        key = "unpublished" if not published else precision
        if key in ("exact", "approximate", "commune", "unpublished"):
            entry[key] = entry.get(key, 0) + n
    return sorted((CommuneCount(**c) for c in counts.values()),
                  key=lambda c: (not c.in_territory, normalize(c.name)))


def precision_totals(counts: list[CommuneCount]) -> list[CommuneCount]:
    """The counts of `precision_by_commune` summed in, then outside, the territory."""
    return [CommuneCount(None, label, local,
                         *(sum(getattr(c, key) for c in counts if c.in_territory is local)
                           for key in ("exact", "approximate", "commune", "unpublished")))
            for local, label in ((True, "Dans le territoire"), (False, "Hors du territoire"))]
