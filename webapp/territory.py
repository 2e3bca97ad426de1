"""`GET /widget/territory.json`: the territory the widget draws its map of suggestions on.

The widget (connectors/widget/widget.js) draws the map itself, as inline SVG: the communes
of the Pays de Mormal as dots (the three chief towns named), the bigger towns around as
lighter named dots, and a numbered marker per card. The communes come from the knowledge
base's `communes` table (the seed's `knowledge/seed/*.csv`, through the gazetteer), so the
widget's script does not carry them (its 50 KB budget) and no tile server or third-party
host is involved. The widget asks for this file only when a visitor opens a map; it is the
same for every visitor, hence cached by browsers for a day, and readable from the tourism
sites that embed the widget (`Access-Control-Allow-Origin: *`; no cookie involved).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from knowledge.config import get_settings
from knowledge.gazetteer import Gazetteer, Place
from webapp.keys import KB

NAMED_POPULATION = 3000      # the territory's communes named on the map: its chief towns
NEIGHBOUR_POPULATION = 10000  # the towns around it that are drawn, to find one's bearings
HEADERS = {"Cache-Control": "public, max-age=86400", "Access-Control-Allow-Origin": "*"}


def _dot(place: Place, named: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": place.name, "lat": round(place.latitude, 4),
                           "lon": round(place.longitude, 4)}
    if place.in_territory:
        out["territory"] = True
    if named:
        out["named"] = True
    return out


def territory(gazetteer: Gazetteer, around_km: float) -> dict[str, Any]:
    """The communes of the territory, then the towns of at least NEIGHBOUR_POPULATION
    inhabitants within `around_km` of it (as far as the searches go); coordinates are the
    communes' centres, rounded to 4 decimals (about 10 m)."""
    inside = [_dot(p, (p.population or 0) >= NAMED_POPULATION) for p in gazetteer.territory]
    around = [_dot(p, True) for p in gazetteer.all_places
              if not p.in_territory and (p.population or 0) >= NEIGHBOUR_POPULATION
              and gazetteer.distance_to_territory_km(p.latitude, p.longitude) <= around_km]
    return {"name": "Pays de Mormal", "communes": inside + around}


async def territory_json(request: web.Request) -> web.Response:
    gazetteer = await request.config_dict[KB].gazetteer_async()
    response = web.json_response(territory(gazetteer, get_settings().max_distance_km),
                                 headers=HEADERS)
    response.enable_compression()   # about 5 KB, 2 KB gzipped
    return response


def setup(app: web.Application) -> None:
    app.router.add_get("/widget/territory.json", territory_json)
