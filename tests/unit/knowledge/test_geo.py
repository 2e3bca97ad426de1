"""Coordinates at the edges, and the grid cells the spatial prefilter reads."""

from __future__ import annotations

import math
import random

import pytest

from knowledge.geo import (
    CoordinateError,
    cell_of,
    cell_ranges,
    check_coordinates,
    haversine_km,
)


@pytest.mark.parametrize(("lat", "lon"), [
    (95, 3.8), (-91, 0), (50, 181), (50, float("nan")), (float("nan"), 3), ("abc", 3),
    (None, 3), (True, True), ([50], 3), (float("inf"), 3),
])
def test_impossible_coordinates_are_refused_in_french(lat: object, lon: object) -> None:
    with pytest.raises(CoordinateError) as err:
        check_coordinates(lat, lon)
    assert "impossible" in str(err.value) or "nombres" in str(err.value)


def test_numbers_as_strings_are_accepted() -> None:
    assert check_coordinates("50.2936", "3.8031") == (50.2936, 3.8031)


def test_every_point_within_the_radius_lies_in_a_cell_read() -> None:
    rng = random.Random(3)
    for _ in range(300):
        lat, lon = rng.uniform(42, 51), rng.uniform(-5, 8)
        radius = rng.uniform(0.5, 40)
        ranges = cell_ranges(lat, lon, radius)
        for _ in range(20):  # random points inside the circle
            bearing, dist = rng.uniform(0, 2 * math.pi), radius * math.sqrt(rng.random())
            plat = lat + dist * math.cos(bearing) / 111.32
            plon = lon + dist * math.sin(bearing) / (111.32 * math.cos(math.radians(plat)))
            if haversine_km(lat, lon, plat, plon) > radius:
                continue
            cell = cell_of(plat, plon)
            assert any(lo <= cell <= hi for lo, hi in ranges)


def test_a_ring_leaves_out_only_cells_wholly_inside_the_inner_box() -> None:
    lat, lon = 50.29, 3.80
    inner = {c for lo, hi in cell_ranges(lat, lon, 4) for c in range(lo, hi + 1)}
    outer = {c for lo, hi in cell_ranges(lat, lon, 8) for c in range(lo, hi + 1)}
    ring = {c for lo, hi in cell_ranges(lat, lon, 8, 4) for c in range(lo, hi + 1)}
    assert ring <= outer and outer - ring <= inner
    # the border cells of the inner box are read again (they stick out of it)
    assert ring & inner
