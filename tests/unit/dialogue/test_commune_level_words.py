"""Issue 16: a place known only by its commune (coord_precision "commune") is never given
as a precise location: "c'est loin ?" says the commune and a rough distance, the map link
says it leads to the commune's centre, a day plan's leg to or from it is not measured to
100 m; a place with an exact point keeps its figure to the tenth."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from bot.dialogue.followups import Focus, answer
from bot.dialogue.payloads import PlanStop, poi_item
from bot.dialogue.plan import leg_fr
from bot.dialogue.position import Position
from bot.dialogue.recommend import place_info
from knowledge.models import Poi
from knowledge.queries import PoiHit

NOW = datetime(2027, 6, 14, 10, tzinfo=timezone.utc)
LE_QUESNOY = Position(50.2479, 3.6370, "Le Quesnoy", "typed", "59481")
CHURCH = "maroilles-eglise-saint-humbert"        # commune-level, in Maroilles
TOWN_HALL = "le-quesnoy-hotel-de-ville-beffroi"  # commune-level, in Le Quesnoy
OFFICE = "le-quesnoy-office-de-tourisme"         # exact
STATION = "le-quesnoy-gare"                      # exact
MARKET = "le-quesnoy-marche"                     # commune-level, in Le Quesnoy
TENTH = re.compile(r"\d,\d km")


def _distance(db: Session, record: str) -> list[str]:
    got = answer(db, Focus("places", [record], record), record, "distance", "c'est loin ?",
                 LE_QUESNOY, NOW)
    assert got is not None
    return got.lines


def test_how_far_a_commune_level_place_is(db: Session) -> None:
    assert db.get(Poi, CHURCH).coord_precision == "commune"
    lines = _distance(db, CHURCH)
    said = "\n".join(lines)
    assert "Maroilles" in lines[0]                    # where it is: the commune
    assert not TENTH.search(said)                     # no figure as if exact
    assert "environ 16 km" in said and "position approximative" in said
    assert any(line.startswith("🗺️ Carte (centre de la commune)") for line in lines)


def test_a_commune_level_place_in_the_visitor_s_commune(db: Session) -> None:
    said = "\n".join(_distance(db, TOWN_HALL))
    assert "Quesnoy" in said and "position approximative" in said
    assert not re.search(r"\d km", said)


def test_an_exact_place_keeps_its_figure(db: Session) -> None:
    assert db.get(Poi, OFFICE).coord_precision == "exact"
    lines = _distance(db, OFFICE)
    assert TENTH.search("\n".join(lines)) and "position approximative" not in "\n".join(lines)
    assert any(line.startswith("🗺️ Carte : ") for line in lines)


def test_place_info_s_map_link_says_commune_centre(db: Session) -> None:
    [reply] = place_info(db, "", "adresse", LE_QUESNOY, NOW, poi_id=CHURCH)
    assert "Carte (centre de la commune) : https://www.openstreetmap.org/" in reply.text
    [reply] = place_info(db, "", "adresse", LE_QUESNOY, NOW, poi_id=OFFICE)
    assert "\nCarte : https://www.openstreetmap.org/" in reply.text


def _stop(db: Session, record: str, leg_km: float | None, mode: str = "voiture") -> PlanStop:
    return PlanStop(id=record, slot="visit", label="Visite", at="2027-06-19T10:00:00+02:00",
                    end="2027-06-19T11:30:00+02:00", item_type="places",
                    item=poi_item(PoiHit(db.get(Poi, record), 0.0, None, 1.0)),
                    leg_km=leg_km, leg_mode=mode, hours_known=False)


def test_a_plan_leg_to_a_commune_level_place_is_rough(db: Session) -> None:
    office, church = _stop(db, OFFICE, None), _stop(db, CHURCH, 16.43)
    assert leg_fr(church, office) == "environ 16 km en voiture"
    assert leg_fr(_stop(db, OFFICE, 16.43), church) == "environ 16 km en voiture"
    # two places on the same commune point: in the same commune, not "sur place"
    assert leg_fr(_stop(db, MARKET, 0.0, "pied"), _stop(db, TOWN_HALL, None)) \
        == "dans la même commune"
    # between exact points: measured
    assert leg_fr(_stop(db, STATION, 1.24), office) == "1,2 km en voiture"
    assert leg_fr(_stop(db, STATION, 0.1, "pied"), office) == "sur place"
