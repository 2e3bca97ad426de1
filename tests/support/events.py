"""Test oracle shared by the dialogue and action tests of named events: the markets a
search near a point should list, computed from the database rows, not by the bot's code."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from geopy.distance import geodesic

from knowledge.models import Event
from knowledge.text import normalize

UTC = timezone.utc


def markets_soonest_first(events: Iterable[Event], lat: float, lon: float, now: datetime,
                          end: datetime, radius_km: float = 30.0) -> list[str]:
    """Published events with "marché" in their title within `radius_km` of (lat, lon),
    held between `now` and `end`, by first occurrence (then id)."""
    firsts = []
    for event in events:
        if not event.published or "marche" not in normalize(event.title).split():
            continue
        if geodesic((lat, lon), (event.latitude, event.longitude)).km > radius_km:
            continue
        starts = [t.start for t in event.timings
                  if t.start.replace(tzinfo=UTC) < end and t.end.replace(tzinfo=UTC) > now]
        if starts:
            firsts.append((min(starts), event.id))
    return [eid for _, eid in sorted(firsts)]
