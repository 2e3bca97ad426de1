"""The `custom` payloads of recommendation messages (docs/DESIGN.md §5 "Rich replies",
docs/contracts.md "Payloads").

Items are plain JSON-able dicts typed by the `TypedDict`s below, in the order shown to the
visitor; `distance_km` is measured from the position the bot used. The builders
(`poi_item`, `event_item`, `route_item`, `payload`) are what the dialogue uses; channels and
analytics import only the types and `read_payload`, which checks a payload read back from
a message or a stored conversation (never trusted as it is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict, cast

from knowledge.config import PARIS

if TYPE_CHECKING:  # the builders read search results; the types need no search code
    from knowledge.queries import EventHit, PoiHit, RouteHit

PAYLOAD_TYPES = ("places", "events", "routes", "plan")
ITEM_TYPES = ("places", "events", "routes")


class Price(TypedDict, total=False):
    """What the base knows of a price: `{"free": true}` (with an optional `text`, e.g.
    "sauf expositions temporaires") or `{"text": "de 3 à 5 €"}`; the item's `price` is
    None when nothing is known."""

    free: bool
    text: str


class PlaceItem(TypedDict):
    id: str
    name: str
    kind: str
    kinds: list[str]
    interests: list[str]
    commune: str | None
    distance_km: float | None    # None when not measured (a place named without position)
    latitude: float
    longitude: float
    coord_precision: str | None  # "exact", "approximate" or "commune"
    in_territory: bool           # in one of the 52 communes of the Pays de Mormal
    open_now: bool | None
    price: Price | None          # None: not known (never assumed free)
    accessible: bool | None      # wheelchair
    pushchair: bool | None
    accessibility_labels: list[str]
    url: str | None
    phone: str | None
    image: str | None
    summary: str | None
    map_url: str
    is_example: bool


class EventItem(TypedDict):
    id: str
    title: str
    start: str                   # ISO 8601, Europe/Paris offset
    end: str
    commune: str | None
    venue: str | None
    distance_km: float | None    # None when the search had no position
    latitude: float
    longitude: float
    url: str | None
    booking_url: str | None
    price: Price | None
    accessible: bool | None
    summary: str | None
    map_url: str
    is_example: bool


class RouteItem(TypedDict):
    id: str
    name: str
    mode: str
    length_km: float | None
    duration_min: int | None
    difficulty: str | None
    is_loop: bool | None
    commune: str | None
    distance_km: float | None    # None when not measured (a place named without position)
    latitude: float              # the start of the route
    longitude: float
    url: str | None
    summary: str | None
    map_url: str
    is_example: bool


Item = PlaceItem | EventItem | RouteItem


class PlanStop(TypedDict):
    """One stop of a day plan (`type: "plan"`, bot/dialogue/plan.py): the item as in the
    other payloads, with its time and the leg from the stop before."""

    id: str
    slot: str                 # "visit", "lunch", "outing", "evening"
    label: str                # "Visite", "Déjeuner", "Balade", "Événement"
    at: str                   # ISO 8601, Europe/Paris offset
    end: str
    item_type: str            # one of ITEM_TYPES
    item: Item
    leg_km: float | None      # from the previous stop (None for the first)
    leg_mode: str | None      # "pied" or "voiture"
    hours_known: bool         # False: "horaires non communiqués" (True for events, routes)


class _PayloadRequired(TypedDict):
    type: str                    # one of PAYLOAD_TYPES
    items: Sequence[Item]


class Payload(_PayloadRequired, total=False):
    """The `custom` part of a recommendation message."""

    speaker: str                 # the family member's key (bot/dialogue/persona.py)
    where: str                   # the position's label ("près de Bavay")
    alternative_to: str          # the kind asked for (taxonomy key) when none exists nearby
                                 # and these items are the closest kinds instead
    # A day plan (`type: "plan"`, items are `PlanStop`s):
    title: str                   # "Journée à Bavay, samedi 19 juin"
    day: str                     # ISO date
    span: str                    # "day", "morning", "afternoon"
    gaps: list[str]              # what the base could not fill, in French
    link: str                    # the plan's page on the web app
    ics: str                     # its calendar file


def read_payload(value: object) -> Payload | None:
    """`value` as a recommendation payload, or None when it is not one: a dict whose
    `type` is one of PAYLOAD_TYPES; only the items that are dicts with an `id` are kept.
    Items read back may lack fields (older conversations): read them with `.get`."""
    if not isinstance(value, Mapping) or value.get("type") not in PAYLOAD_TYPES:
        return None
    items = value.get("items")
    kept = [i for i in items if isinstance(i, dict) and i.get("id")] if isinstance(
        items, list) else []
    out: dict[str, Any] = {"type": value["type"], "items": kept}
    for key in ("speaker", "where", "alternative_to", "title", "day", "span", "link", "ics"):
        if value.get(key):
            out[key] = str(value[key])
    if value["type"] == "plan":
        out["items"] = [s for s in kept if isinstance(s.get("item"), dict)
                        and s["item"].get("id") == s["id"] and s.get("item_type") in ITEM_TYPES]
        gaps = value.get("gaps")
        out["gaps"] = [str(g) for g in gaps] if isinstance(gaps, list) else []
    return cast(Payload, out)


def plan_items(payload: Payload) -> list[Item]:
    """The items of a payload in order: a plan's stops' items, or the items themselves."""
    if payload["type"] == "plan":
        stops = cast(Sequence[Mapping[str, Any]], payload["items"])
        return [cast(Item, s["item"]) for s in stops]
    return list(payload["items"])


def item_title(item: Mapping[str, Any]) -> str:
    """What an item is called: a place's or route's name, an event's title."""
    return str(item.get("name") or item.get("title") or "")


def osm_link(lat: float, lon: float) -> str:
    """A map link on OpenStreetMap (no API key, works on every phone)."""
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=16/{lat:.5f}/{lon:.5f}"


def price_of(value: object) -> Price | None:
    """A record's price column (`Poi.prices`, `Event.price`) as the payload says it: only
    `free: true` and a non-empty `text` (or `note`) are kept; None when neither is known."""
    if not isinstance(value, Mapping):
        return None
    out: Price = {}
    if value.get("free") is True:
        out["free"] = True
    text = value.get("text") or value.get("note")
    if isinstance(text, str) and text.strip():
        out["text"] = text.strip()
    return out or None


def poi_item(hit: PoiHit) -> PlaceItem:
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
        "in_territory": bool(p.in_territory),
        "open_now": hit.open_now,
        "price": price_of(p.prices),
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


def event_item(hit: EventHit) -> EventItem:
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
        "price": price_of(e.price),
        "accessible": e.wheelchair,
        "summary": (e.description or "")[:200] or None,
        "map_url": osm_link(e.latitude, e.longitude),
        "is_example": bool(e.is_example),
    }


def route_item(hit: RouteHit) -> RouteItem:
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


def payload(kind: str, items: Sequence[Item], *, speaker: str | None = None,
            where: str | None = None) -> Payload:
    """`kind` is "places", "events" or "routes"."""
    out: Payload = {"type": kind, "items": items}
    if speaker:
        out["speaker"] = speaker
    if where:
        out["where"] = where
    return out
