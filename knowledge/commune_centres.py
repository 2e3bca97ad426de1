"""Where a place known only by its commune is put (issue 16).

La Poste's point of a commune is no town centre (Le Quesnoy's is 1 km west of the Place du
Général-Leclerc). A place whose position is only its commune (`coord_precision: commune`)
and that sits on that point is put instead at its commune's town hall — a record named
"Hôtel de ville …" or "Mairie …" — or else at its church (kind `church`), when the base
holds one at an exact point and published. The place stays commune-level: the bot still
says it knows only the commune; the map pin and the distances start from the village's
centre rather than from the postal centroid.

The point is derived when a place is saved (`store.py`) and once more when the seed has
been loaded (a town hall loaded after the places of its commune). A point given away from
the commune's centroid (by staff, or derived before) is never moved.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.gazetteer import Gazetteer
from knowledge.geo import cell_of, geodesic_km
from knowledge.models import Poi

# A commune-level point this close to the commune's centroid is that centroid.
CENTROID_KM = 0.05
_TOWN_HALL = re.compile(r"^(hotel de ville|mairie)\b")


def centre_point(session: Session, insee: str, exclude: str | None = None,
                 ) -> tuple[float, float] | None:
    """The exact point of the commune's town hall, else of its church; None when the
    base has neither."""
    found = session.execute(
        select(Poi.id, Poi.name_norm, Poi.kinds, Poi.latitude, Poi.longitude)
        .where(Poi.commune_insee == insee, Poi.coord_precision == "exact",
               Poi.published.is_(True))
    ).all()
    ranked = sorted((0 if _TOWN_HALL.match(row.name_norm) else 1, row.id, row)
                    for row in found if row.id != exclude
                    and (_TOWN_HALL.match(row.name_norm) or "church" in (row.kinds or [])))
    if not ranked:
        return None
    best = ranked[0][2]
    return best.latitude, best.longitude


def derived_point(session: Session, gazetteer: Gazetteer, insee: str | None, latitude: float,
                  longitude: float, record_id: str | None = None,
                  ) -> tuple[float, float] | None:
    """The point a commune-level place at (latitude, longitude) is put at instead; None
    when it stays (not on its commune's centroid, or no town hall nor church known)."""
    commune = gazetteer.by_insee(insee or "")
    if commune is None or commune.latitude is None or commune.longitude is None:
        return None
    if geodesic_km(commune.latitude, commune.longitude, latitude, longitude) > CENTROID_KM:
        return None
    return centre_point(session, commune.insee, record_id)


def place_at_commune_centres(session: Session, gazetteer: Gazetteer) -> int:
    """Move every commune-level place still on its commune's centroid to its town hall or
    church; the number moved."""
    moved = 0
    places = session.execute(select(Poi).where(Poi.coord_precision == "commune")).scalars()
    for poi in list(places):
        point = derived_point(session, gazetteer, poi.commune_insee, poi.latitude,
                              poi.longitude, poi.id)
        if point is not None and point != (poi.latitude, poi.longitude):
            poi.latitude, poi.longitude = point
            poi.cell = cell_of(*point)
            moved += 1
    session.flush()
    return moved
