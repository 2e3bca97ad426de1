"""Distances and the spatial grid used to prefilter queries.

Every row stores `cell`, the index of the 0.1° × 0.1° grid square it lies in. A query
around a point asks only for the cells its bounding box touches (an indexed `IN`), so it
reads a few thousand rows at most, never the whole table. Candidates are then measured
with the haversine formula (fast) and the ones shown get geopy's geodesic distance.
"""

from __future__ import annotations

import math

from geopy.distance import geodesic

CELL_DEG = 0.1
_LON_CELLS = 3600  # 360 / CELL_DEG
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEG_LAT = 111.32


class CoordinateError(ValueError):
    """Raised for coordinates outside WGS84 bounds."""


def check_coordinates(lat: object, lon: object) -> tuple[float, float]:
    """Return (lat, lon) as floats, or raise CoordinateError with a French message."""
    try:
        flat = float(lat)  # type: ignore[arg-type]
        flon = float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CoordinateError("Les coordonnées doivent être des nombres.") from None
    if math.isnan(flat) or math.isnan(flon) or not -90.0 <= flat <= 90.0:
        raise CoordinateError(f"Latitude impossible : {lat} (elle doit être entre -90 et 90).")
    if not -180.0 <= flon <= 180.0:
        raise CoordinateError(f"Longitude impossible : {lon} (elle doit être entre -180 et 180).")
    return flat, flon


def cell_of(lat: float, lon: float) -> int:
    row = int(math.floor((lat + 90.0) / CELL_DEG))
    col = int(math.floor((lon + 180.0) / CELL_DEG)) % _LON_CELLS
    return row * _LON_CELLS + col


def cells_around(lat: float, lon: float, radius_km: float) -> list[int]:
    """All grid cells that the bounding box of the circle (lat, lon, radius) touches."""
    dlat = radius_km / KM_PER_DEG_LAT
    coslat = max(math.cos(math.radians(lat)), 0.01)
    dlon = min(radius_km / (KM_PER_DEG_LAT * coslat), 180.0)
    row_lo = int(math.floor((max(lat - dlat, -90.0) + 90.0) / CELL_DEG))
    row_hi = int(math.floor((min(lat + dlat, 90.0) + 90.0) / CELL_DEG))
    col_lo = int(math.floor((lon - dlon + 180.0) / CELL_DEG))
    col_hi = int(math.floor((lon + dlon + 180.0) / CELL_DEG))
    cols = {c % _LON_CELLS for c in range(col_lo, col_hi + 1)}
    return [r * _LON_CELLS + c for r in range(row_lo, row_hi + 1) for c in sorted(cols)]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance on the WGS84 ellipsoid (geopy); the figure shown to visitors."""
    return float(geodesic((lat1, lon1), (lat2, lon2)).km)


# The haversine sphere differs from the ellipsoid by less than 0.5 %: candidates within
# radius × HAVERSINE_SLACK are kept before the exact geodesic check.
HAVERSINE_SLACK = 1.006
