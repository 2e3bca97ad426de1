"""A map preview drawn on the server as SVG: the territory's communes (from the
`communes` table, through the gazetteer) and the record's marker. No tiles, no network;
the coordinates are always written out next to it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from knowledge.gazetteer import Gazetteer, Place

WIDTH, HEIGHT, PAD = 480, 360, 24


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str
    in_territory: bool


@dataclass(frozen=True)
class MapView:
    width: int
    height: int
    communes: list[Dot]
    marker: Dot | None
    description: str


def _bounds(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return min(lats), max(lats), min(lons), max(lons)


def map_view(gazetteer: Gazetteer, lat: float | None, lon: float | None, label: str,
             ) -> MapView:
    """The territory, widened to the marker and the communes around it when it lies
    outside (records may be up to KNOWLEDGE_MAX_DISTANCE_KM away)."""
    territory = gazetteer.territory
    points = [(p.latitude, p.longitude) for p in territory]
    if lat is not None and lon is not None:
        points.append((lat, lon))
    if not points:
        return MapView(WIDTH, HEIGHT, [], None, "Aucune commune à afficher.")
    lat0, lat1, lon0, lon1 = _bounds(points)
    margin = 0.02
    lat0, lat1, lon0, lon1 = lat0 - margin, lat1 + margin, lon0 - margin, lon1 + margin
    kx = math.cos(math.radians((lat0 + lat1) / 2))  # equirectangular, true at mid-latitude
    span_x, span_y = (lon1 - lon0) * kx, lat1 - lat0
    scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)

    def project(plat: float, plon: float) -> tuple[float, float]:
        return (round(PAD + (plon - lon0) * kx * scale, 1),
                round(HEIGHT - PAD - (plat - lat0) * scale, 1))

    shown: list[Place] = [p for p in gazetteer.all_places
                          if lat0 <= p.latitude <= lat1 and lon0 <= p.longitude <= lon1]
    dots = [Dot(*project(p.latitude, p.longitude), p.name, p.in_territory) for p in shown]
    marker = None
    if lat is not None and lon is not None:
        marker = Dot(*project(lat, lon), label, True)
        where = gazetteer.nearest(lat, lon)
        near = f", près de {where.name}" if where else ""
        description = f"Carte : « {label} » à {lat:.5f}, {lon:.5f}{near}."
    else:
        description = "Carte du territoire : pas encore de coordonnées."
    return MapView(WIDTH, HEIGHT, dots, marker, description)
