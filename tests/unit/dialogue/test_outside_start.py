"""Issue 16: from a town outside the 52 communes (Ors, Valenciennes) the visitor's own
town's places come first — day plans and the tourist offices follow the searches' rule
(distance only); from inside the territory, local places and offices first."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy.orm import Session

from bot.dialogue.followups import Focus, answer, office_contacts
from bot.dialogue.plan import build_plan
from bot.dialogue.position import Position
from bot.dialogue.recommend import tourist_office
from knowledge.gazetteer import Gazetteer

NOW = datetime(2027, 6, 14, 10, tzinfo=timezone.utc)
SATURDAY = date(2027, 6, 19)
BUREAU = "le-quesnoy-office-de-tourisme"
VALENCIENNES_OFFICE = "poi-office-de-tousime-et-des-congres-de-valenciennes-metropole"
MUSEUM = "valenciennes-musee-beaux-arts"


def at(db: Session, name: str) -> Position:
    place = Gazetteer.from_session(db).lookup(name)
    assert place is not None
    return Position(place.latitude, place.longitude, name, "typed", place.insee)


def test_a_day_plan_from_a_town_outside_starts_there(db: Session) -> None:
    for town in ("Ors", "Valenciennes"):
        plan = build_plan(db, at(db, town), SATURDAY, "day")
        assert plan.stops and plan.stops[0]["item"]["commune"] == town, plan.stops[0]["id"]
    plan = build_plan(db, at(db, "Le Quesnoy"), SATURDAY, "day")
    assert all(s["item"].get("in_territory", True) for s in plan.stops)


def test_the_offices_from_a_town_outside_are_the_nearest(db: Session) -> None:
    gazetteer = Gazetteer.from_session(db)
    ids = [i["id"] for i in tourist_office(db, gazetteer, at(db, "Valenciennes")).custom["items"]]
    assert ids[0] == VALENCIENNES_OFFICE
    for where in (None, at(db, "Le Quesnoy")):
        ids = [i["id"] for i in tourist_office(db, gazetteer, where).custom["items"]]
        assert ids[0] == BUREAU


def test_who_to_ask_follows_the_visitor_s_position(db: Session) -> None:
    focus = Focus("places", [MUSEUM], MUSEUM)
    outside = answer(db, focus, MUSEUM, "pets", "", at(db, "Valenciennes"), NOW)
    inside = answer(db, focus, MUSEUM, "pets", "", at(db, "Le Quesnoy"), NOW)
    assert outside is not None and inside is not None
    assert outside.missing == inside.missing == "pets"
    assert outside.office[0].startswith("Office de tousime et des congrès de Valenciennes")
    assert inside.office[0].startswith("Office de tourisme de l'Avesnois – bureau du Quesnoy")
    here = at(db, "Valenciennes")
    assert office_contacts(db, here.latitude, here.longitude, local=False) == outside.office
