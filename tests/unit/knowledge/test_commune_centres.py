"""Issue 16: a place known only by its commune is placed at its commune's town hall, or
else its church, when the base holds one at an exact point — not at La Poste's centroid;
it stays commune-level, and a point given elsewhere is never moved (knowledge/commune_centres.py,
applied by the store and after the seed is loaded)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.commune_centres import place_at_commune_centres
from knowledge.gazetteer import Gazetteer
from knowledge.geo import cell_of, geodesic_km
from knowledge.models import Poi
from knowledge.store import Store

MAROILLES = "59384"
# Test points (not facts about Maroilles): a few hundred metres from its postal centroid.
HALL = (50.1350, 3.7620)
CHURCH = (50.1330, 3.7560)


def place(name: str, kinds: list[str], **extra: Any) -> dict[str, Any]:
    return {"name": name, "kinds": kinds, "interests": ["patrimoine"],
            "commune_insee": MAROILLES, "source": "tests", **extra}


def exact(name: str, kinds: list[str], point: tuple[float, float], **extra: Any,
          ) -> dict[str, Any]:
    return place(name, kinds, latitude=point[0], longitude=point[1],
                 coord_precision="exact", **extra)


def centroid(session: Session) -> tuple[float, float]:
    commune = Gazetteer.from_session(session).by_insee(MAROILLES)
    assert commune is not None
    return commune.latitude, commune.longitude


def test_a_commune_level_place_goes_to_the_town_hall(session: Session) -> None:
    store = Store.for_session(session)
    early, _ = store.save_poi(place("Ferme test", ["farm"]))  # before any town hall
    assert early.coord_precision == "commune"
    assert (early.latitude, early.longitude) == centroid(session)
    store.save_poi(exact("Église test", ["church"], CHURCH))
    store.save_poi(exact("Mairie de Maroilles (test)", ["monument"], HALL))
    # a place saved now is put at the town hall (preferred to the church) at once
    late, _ = store.save_poi(place("Brasserie test", ["brewery"]))
    assert (late.latitude, late.longitude) == HALL and late.coord_precision == "commune"
    assert late.cell == cell_of(*HALL)
    # the one loaded before is moved when the load ends
    assert place_at_commune_centres(session, store.gazetteer) == 1
    assert (early.latitude, early.longitude) == HALL and early.coord_precision == "commune"
    assert early.cell == cell_of(*HALL)
    assert place_at_commune_centres(session, store.gazetteer) == 0  # idempotent


def test_the_church_when_no_town_hall_and_never_a_guess(session: Session) -> None:
    store = Store.for_session(session)
    # neither an unpublished town hall nor a commune-level church is a centre
    store.save_poi(exact("Mairie de Maroilles (test)", ["monument"], HALL, published=False))
    store.save_poi(place("Chapelle test", ["church"]))
    alone, _ = store.save_poi(place("Ferme test", ["farm"]))
    assert (alone.latitude, alone.longitude) == centroid(session)
    store.save_poi(exact("Église test", ["church"], CHURCH))
    moved = place_at_commune_centres(session, store.gazetteer)
    assert moved == 2 and (alone.latitude, alone.longitude) == CHURCH
    # a commune-level point given away from the centroid is kept
    lat, lon = centroid(session)
    given, _ = store.save_poi(place("Moulin test", ["mill"], latitude=lat + 0.01,
                                    longitude=lon, coord_precision="commune"))
    assert (given.latitude, given.longitude) == (lat + 0.01, lon)


def test_the_shipped_seed_keeps_commune_points_honest(session: Session) -> None:
    """On the shipped seed, a commune-level place is on its centroid or on an exact town
    hall or church of its commune — nowhere else."""
    from knowledge.seeding import seed

    seed(session)
    gazetteer = Gazetteer.from_session(session)
    centres = {(p.commune_insee, p.latitude, p.longitude) for p in session.execute(
        select(Poi).where(Poi.coord_precision == "exact")).scalars()}
    for poi in session.execute(select(Poi).where(Poi.coord_precision == "commune")).scalars():
        commune = gazetteer.by_insee(poi.commune_insee)
        on_centroid = commune is not None and geodesic_km(
            commune.latitude, commune.longitude, poi.latitude, poi.longitude) <= 0.05
        assert on_centroid or (poi.commune_insee, poi.latitude, poi.longitude) in centres, poi.id
