"""Distances and the spatial grid used to prefilter queries.

Every row stores `cell`, the index of the 0.1° × 0.1° grid square it lies in. A query
around a point asks only for the cells its bounding box touches (an indexed `IN`), so it
reads a few thousand rows at most, never the whole table. Candidates are then measured
with the haversine formula (fast) and the ones shown get geopy's geodesic distance.
"""

from __future__ import annotations

import math

from geographiclib.geodesic import Geodesic

_WGS84 = Geodesic.WGS84

CELL_DEG = 0.02  # about 2.2 km × 1.4 km here
_LON_CELLS = 18000  # 360 / CELL_DEG
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEG_LAT = 111.32


class CoordinateError(ValueError):
    """Raised for coordinates outside WGS84 bounds."""


def check_coordinates(lat: object, lon: object) -> tuple[float, float]:
    """Return (lat, lon) as floats, or raise CoordinateError with a French message."""
    if isinstance(lat, bool) or isinstance(lon, bool):
        raise CoordinateError("Les coordonnées doivent être des nombres.")
    try:
        flat = float(lat)  # type: ignore[arg-type]
        flon = float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise CoordinateError("Les coordonnées doivent être des nombres.") from None
    if math.isnan(flat) or not -90.0 <= flat <= 90.0:
        raise CoordinateError(
            f"Latitude impossible : {str(lat)[:20]} (elle doit être entre -90 et 90).")
    if math.isnan(flon) or not -180.0 <= flon <= 180.0:
        raise CoordinateError(
            f"Longitude impossible : {str(lon)[:20]} (elle doit être entre -180 et 180).")
    return flat, flon


def cell_of(lat: float, lon: float) -> int:
    row = int(math.floor((lat + 90.0) / CELL_DEG))
    col = int(math.floor((lon + 180.0) / CELL_DEG)) % _LON_CELLS
    return row * _LON_CELLS + col


def bbox(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) of a box around the circle; longitudes are
    not wrapped (they may pass ±180)."""
    dlat = radius_km / KM_PER_DEG_LAT
    coslat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 0.01)
    dlon = min(radius_km / (KM_PER_DEG_LAT * coslat), 179.0)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def _box(lat: float, lon: float, radius_km: float) -> tuple[int, int, int, int]:
    """Rows and (unwrapped) columns of the cells touched by the circle's bounding box."""
    lat0, lat1, lon0, lon1 = bbox(lat, lon, radius_km)
    row_lo = int(math.floor((max(lat0, -90.0) + 90.0) / CELL_DEG))
    row_hi = int(math.floor((min(lat1, 90.0) + 90.0) / CELL_DEG))
    col_lo = int(math.floor((lon0 + 180.0) / CELL_DEG))
    col_hi = int(math.floor((lon1 + 180.0) / CELL_DEG))
    return row_lo, row_hi, col_lo, col_hi


def _row_ranges(row: int, col_lo: int, col_hi: int) -> list[tuple[int, int]]:
    """Cell key ranges of columns [col_lo, col_hi] of a row, split at the antimeridian."""
    if col_hi < col_lo:
        return []
    if col_hi - col_lo + 1 >= _LON_CELLS:
        return [(row * _LON_CELLS, row * _LON_CELLS + _LON_CELLS - 1)]
    lo, hi = col_lo % _LON_CELLS, col_hi % _LON_CELLS
    base = row * _LON_CELLS
    if lo <= hi:
        return [(base + lo, base + hi)]
    return [(base + lo, base + _LON_CELLS - 1), (base, base + hi)]


def cell_ranges(lat: float, lon: float, radius_km: float,
                inside_km: float | None = None) -> list[tuple[int, int]]:
    """Key ranges (inclusive) of the cells around a point: one or two per row, so a query
    is a handful of indexed range scans. With `inside_km`, the cells lying entirely
    inside that smaller box are left out (a ring: they were read before)."""
    row_lo, row_hi, col_lo, col_hi = _box(lat, lon, radius_km)
    inner = _box(lat, lon, inside_km) if inside_km else None
    out: list[tuple[int, int]] = []
    for row in range(row_lo, row_hi + 1):
        if inner and inner[0] < row < inner[1] and inner[2] + 1 <= inner[3] - 1:
            out += _row_ranges(row, col_lo, inner[2])
            out += _row_ranges(row, inner[3], col_hi)
        else:
            out += _row_ranges(row, col_lo, col_hi)
    return out


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance on the WGS84 ellipsoid; the figure shown to visitors. The same computation
    as geopy's `geodesic` (Karney's algorithm, geographiclib), called directly: geopy's
    wrapper objects cost as much again as the computation itself."""
    return float(_WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]) / 1000.0


# The haversine sphere differs from the ellipsoid by less than 0.5 %: candidates within
# radius × HAVERSINE_SLACK are kept before the exact geodesic check.
HAVERSINE_SLACK = 1.006
