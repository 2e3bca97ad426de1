"""The `custom` payloads of recommendation messages (DESIGN.md §5 "Rich replies").

Items are plain JSON-able dicts, in the order shown to the visitor; `distance_km` is
measured from the position the bot used.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from knowledge.config import PARIS
from knowledge.queries import EventHit, PoiHit, RouteHit


def osm_link(lat: float, lon: float) -> str:
    """A map link on OpenStreetMap (no API key, works on every phone)."""
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=16/{lat:.5f}/{lon:.5f}"


def poi_item(hit: PoiHit) -> dict[str, Any]:
    p = hit.poi
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "kinds": list(p.kinds or []),
        "interests": list(p.interests or []),
        "commune": p.commune.name if p.commune else None,
        "distance_km": hit.distance_km,
        "latitude": p.latitude,
        "longitude": p.longitude,
        "coord_precision": p.coord_precision,
        "open_now": hit.open_now,
        "accessible": p.wheelchair,
        "pushchair": p.pushchair,
        "accessibility_labels": list(p.accessibility_labels or []),
        "url": p.website,
        "phone": p.phone,
        "image": p.image,
        "summary": p.short_description,
        "map_url": osm_link(p.latitude, p.longitude),
        "is_example": bool(p.is_example),
    }


def _local(dt: datetime) -> str:
    return dt.astimezone(PARIS).isoformat()


def event_item(hit: EventHit) -> dict[str, Any]:
    e = hit.event
    return {
        "id": e.id,
        "title": e.title,
        "start": _local(hit.start),
        "end": _local(hit.end),
        "commune": e.commune.name if e.commune else None,
        "venue": e.venue.name if e.venue else e.venue_name,
        "distance_km": hit.distance_km,
        "latitude": e.latitude,
        "longitude": e.longitude,
        "url": e.url or e.booking_url,
        "booking_url": e.booking_url,
        "price": e.price,
        "accessible": e.wheelchair,
        "summary": (e.description or "")[:200] or None,
        "map_url": osm_link(e.latitude, e.longitude),
        "is_example": bool(e.is_example),
    }


def route_item(hit: RouteHit) -> dict[str, Any]:
    r = hit.route
    return {
        "id": r.id,
        "name": r.name,
        "mode": r.mode,
        "length_km": r.length_km,
        "duration_min": r.duration_min,
        "difficulty": r.difficulty,
        "is_loop": r.is_loop,
        "commune": r.commune.name if r.commune else None,
        "distance_km": hit.distance_km,
        "latitude": r.start_latitude,
        "longitude": r.start_longitude,
        "url": r.url,
        "summary": (r.description or "")[:200] or None,
        "map_url": osm_link(r.start_latitude, r.start_longitude),
        "is_example": bool(r.is_example),
    }


def payload(kind: str, items: list[dict[str, Any]], *, speaker: str | None = None,
            where: str | None = None) -> dict[str, Any]:
    """`kind` is "places", "events" or "routes"."""
    out: dict[str, Any] = {"type": kind, "items": items}
    if speaker:
        out["speaker"] = speaker
    if where:
        out["where"] = where
    return out
