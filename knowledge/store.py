"""Writes to the knowledge base: every add, edit and delete goes through here.

Records are validated first (`validation.py`), derived columns (normalised name, grid
cell, interest bits) are computed here, and the caller's transaction decides whether
anything is committed (see `db.transaction`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.commune_centres import derived_point
from knowledge.config import get_settings
from knowledge.gazetteer import Gazetteer
from knowledge.geo import cell_of
from knowledge.models import Commune, Event, EventTiming, Poi, Route, interest_mask
from knowledge.text import normalize, slugify
from knowledge.validation import ValidationError, clean_event, clean_poi, clean_route

RecordType = Literal["poi", "event", "route"]
MODELS: dict[str, Any] = {"poi": Poi, "event": Event, "route": Route}
TYPE_LABELS = {"poi": "lieu", "event": "événement", "route": "itinéraire"}


class NotFound(LookupError):
    pass


LOOKUP: Any = object()  # `Store.save(existing=LOOKUP)`: find the record by id or source id


@dataclass
class Store:
    """Validated writes for one session. `max_distance_km` bounds the territory."""

    session: Session
    gazetteer: Gazetteer
    max_distance_km: float
    # Communes added for records from elsewhere, by INSEE code (not flushed yet, maybe).
    _added_communes: dict[str, Commune] = field(default_factory=dict)

    @classmethod
    def for_session(cls, session: Session, gazetteer: Gazetteer | None = None) -> Store:
        return cls(session, gazetteer or Gazetteer.from_session(session),
                   get_settings().max_distance_km)

    # -- generic -----------------------------------------------------------------
    def get(self, kind: RecordType, record_id: str) -> Any:
        obj = self.session.get(MODELS[kind], record_id)
        if obj is None:
            raise NotFound(f"Aucun {TYPE_LABELS[kind]} avec l'identifiant « {record_id} ».")
        return obj

    def save(self, kind: RecordType, data: dict[str, Any], *, existing: Any = LOOKUP,
             flush: bool = True) -> tuple[Any, bool]:
        """Insert or update by id (or by source and source id). Returns (record, created).

        Batch writers (the importers) may pass the record to update, or None for a new
        one, when they have already looked it up (`existing`), and `flush=False` to
        flush once per batch; a new id then also avoids the ids of records added but
        not flushed yet.
        """
        return {"poi": self.save_poi, "event": self.save_event, "route": self.save_route}[kind](
            data, existing=existing, flush=flush
        )

    def edit(self, kind: RecordType, record_id: str, changes: dict[str, Any]) -> Any:
        """Change some fields. New dates replace the old ones; a new commune moves a record
        known only by its commune centre to the new centre."""
        current = to_dict(self.get(kind, record_id))
        if kind == "event" and ("start" in changes or "end" in changes):
            current.pop("timings", None)
        commune_key = "start_commune_insee" if kind == "route" else "commune_insee"
        lat_key, lon_key = (("start_latitude", "start_longitude") if kind == "route"
                            else ("latitude", "longitude"))
        if (commune_key in changes and changes[commune_key] != current.get(commune_key)
                and current.get("coord_precision") == "commune"
                and lat_key not in changes and lon_key not in changes):
            current.pop(lat_key, None)
            current.pop(lon_key, None)
        merged = {**current, **changes, "id": record_id}
        record, _ = self.save(kind, merged)
        return record

    def delete(self, kind: RecordType, record_id: str) -> None:
        self.session.delete(self.get(kind, record_id))
        self.session.flush()

    def _existing(self, model: Any, clean: dict[str, Any]) -> Any:
        if clean.get("id"):
            found = self.session.get(model, clean["id"])
            if found is not None:
                return found
        if clean.get("source_id"):
            return self.session.execute(
                select(model).where(model.source == clean["source"],
                                    model.source_id == clean["source_id"])
            ).scalar_one_or_none()
        return None

    def _new_id(self, model: Any, prefix: str, label: str) -> str:
        base = f"{prefix}-{slugify(label)[:80]}".strip("-")
        pending = {o.id for o in self.session.new if isinstance(o, model)}
        candidate, n = base, 2
        while candidate in pending or self.session.get(model, candidate) is not None:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def _apply(self, model: Any, clean: dict[str, Any], prefix: str, label: str,
               existing: Any = LOOKUP) -> tuple[Any, bool]:
        obj = self._existing(model, clean) if existing is LOOKUP else existing
        created = obj is None
        if created:
            obj = model(id=clean.get("id") or self._new_id(model, prefix, label))
            self.session.add(obj)
        for key, value in clean.items():
            if key not in ("id", "timings"):
                setattr(obj, key, value)
        return obj, created

    def _own_commune(self, clean: dict[str, Any], key: str) -> None:
        """Add the commune a record gives when the base lacks it (a code from outside
        the regional file, kept as the source gives it, with the source's name)."""
        name = clean.pop("commune_name", None)
        code = clean.get(key)
        if not code or not name or code in self._added_communes or self.gazetteer.knows(code):
            return
        commune = self.session.get(Commune, code)
        if commune is None:
            commune = Commune(insee=code, name=name, name_norm=normalize(name),
                              department=code[:2], in_territory=False)
            self.session.add(commune)
        self._added_communes[code] = commune

    # -- per type ----------------------------------------------------------------
    def save_poi(self, data: dict[str, Any], *, existing: Any = LOOKUP,
                 flush: bool = True) -> tuple[Poi, bool]:
        clean = clean_poi(data, self.gazetteer, self.max_distance_km)
        self._own_commune(clean, "commune_insee")
        place = self.gazetteer.by_insee(clean["commune_insee"] or "")
        clean["in_territory"] = bool(place and place.in_territory)
        clean["name_norm"] = normalize(clean["name"])
        clean["interest_mask"] = interest_mask(clean["interests"])
        if clean["coord_precision"] == "commune":  # at the town hall, not La Poste's point
            with self.session.no_autoflush:
                point = derived_point(self.session, self.gazetteer, clean["commune_insee"],
                                      clean["latitude"], clean["longitude"], clean.get("id"))
            if point is not None:
                clean["latitude"], clean["longitude"] = point
        clean["cell"] = cell_of(clean["latitude"], clean["longitude"])
        clean["has_hours"] = clean.get("opening_hours") is not None
        obj, created = self._apply(Poi, clean, "poi", clean["name"], existing)
        if flush:
            self.session.flush()
        return obj, created

    def save_event(self, data: dict[str, Any], *, existing: Any = LOOKUP,
                   flush: bool = True) -> tuple[Event, bool]:
        clean = clean_event(data, self.gazetteer, self.max_distance_km, venue=self.venue_of)
        self._own_commune(clean, "commune_insee")
        clean["title_norm"] = normalize(clean["title"])
        clean["interest_mask"] = interest_mask(clean["interests"])
        clean["cell"] = cell_of(clean["latitude"], clean["longitude"])
        obj, created = self._apply(Event, clean, "evt", clean["title"], existing)
        wanted = sorted(clean["timings"])
        if sorted((t.start, t.end) for t in obj.timings) != wanted:
            obj.timings = [EventTiming(start=s, end=e) for s, e in wanted]
        if flush:
            self.session.flush()
        return obj, created

    def save_route(self, data: dict[str, Any], *, existing: Any = LOOKUP,
                   flush: bool = True) -> tuple[Route, bool]:
        clean = clean_route(data, self.gazetteer, self.max_distance_km)
        self._own_commune(clean, "start_commune_insee")
        clean["name_norm"] = normalize(clean["name"])
        clean["cell"] = cell_of(clean["start_latitude"], clean["start_longitude"])
        obj, created = self._apply(Route, clean, "route", clean["name"], existing)
        if flush:
            self.session.flush()
        return obj, created

    def venue_of(self, poi_id: str) -> tuple[float, float, str | None, str] | None:
        poi = self.session.get(Poi, poi_id)
        if poi is None:
            return None
        return poi.latitude, poi.longitude, poi.commune_insee, poi.coord_precision


_DERIVED = {"name_norm", "title_norm", "cell", "interest_mask", "has_hours", "in_territory",
            "created_at", "updated_at"}


def to_dict(obj: Any) -> dict[str, Any]:
    """A record as a plain dict of its own columns (the shape `Store.save` accepts)."""
    out = {
        col.key: getattr(obj, col.key)
        for col in obj.__table__.columns
        if col.key not in _DERIVED
    }
    if isinstance(obj, Event):
        out["timings"] = [
            {"start": t.start.isoformat() + "+00:00", "end": t.end.isoformat() + "+00:00"}
            for t in obj.timings
        ]
    if out.get("last_update") is not None:  # stored in UTC
        out["last_update"] = out["last_update"].isoformat() + "+00:00"
    return out


__all__ = ["NotFound", "RecordType", "Store", "ValidationError", "to_dict"]
