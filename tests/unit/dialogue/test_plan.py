"""Day plans (bot/dialogue/plan.py) on the seeded base: distances, hours, lunch, audience,
rain, events of the day, honest gaps, and the words that ask for a plan."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.orm import Session

from bot.dialogue.plan import (
    CHILD_WALK_MAX_KM,
    HOP_KM,
    INDOOR_VISIT_KINDS,
    LUNCH_KINDS,
    PLAN_RADIUS_KM,
    Plan,
    build_plan,
    plan_day,
    plan_replies,
    plan_span,
)
from bot.dialogue.position import Position
from knowledge.config import PARIS
from knowledge.geo import geodesic_km
from knowledge.models import Event, Poi, Route

BAVAY = Position(50.2983, 3.7942, "Bavay", "typed", "59053")
LE_QUESNOY = Position(50.2478, 3.6367, "Le Quesnoy", "typed", "59481")
SATURDAY = date(2027, 6, 19)
SUNDAY = date(2027, 6, 20)
MONDAY = date(2027, 6, 21)
MODELS = {"places": Poi, "events": Event, "routes": Route}


def _point(db: Session, stop: dict) -> tuple[float, float]:
    record = db.get(MODELS[stop["item_type"]], stop["id"])
    assert record is not None, f"{stop['id']} is not a record of the base"
    if stop["item_type"] == "routes":
        return record.start_latitude, record.start_longitude
    return record.latitude, record.longitude


def _check_geometry(db: Session, plan: Plan) -> None:
    """Every stop a record of the base, within the plan's radius, close to the previous
    one, in time order, with the leg the payload says."""
    prev = None
    starts = []
    for stop in plan.stops:
        lat, lon = _point(db, stop)
        assert geodesic_km(plan.where.latitude, plan.where.longitude, lat, lon) \
            <= PLAN_RADIUS_KM + 0.05
        if prev is not None:
            leg = geodesic_km(prev[0], prev[1], lat, lon)
            assert leg <= HOP_KM + 0.05
            assert stop["leg_km"] == pytest.approx(leg, abs=0.06)
        else:
            assert stop["leg_km"] is None
        prev = (lat, lon)
        starts.append(datetime.fromisoformat(stop["at"]))
        assert datetime.fromisoformat(stop["end"]) > starts[-1]
    assert starts == sorted(starts)
    ends = [datetime.fromisoformat(s["end"]) for s in plan.stops]
    assert all(ends[i] <= starts[i + 1] for i in range(len(starts) - 1)), "stops overlap"


def test_a_day_at_bavay_is_a_visit_lunch_and_an_outing_close_together(db: Session) -> None:
    plan = build_plan(db, BAVAY, SATURDAY, "day")
    assert 2 <= len(plan.stops) <= 4
    assert [s["slot"] for s in plan.stops][:3] == ["visit", "lunch", "outing"]
    assert plan.gaps == []
    _check_geometry(db, plan)
    lunch = plan.stops[1]
    at = datetime.fromisoformat(lunch["at"]).astimezone(PARIS)
    assert (at.hour, at.minute) == (12, 30) and at.date() == SATURDAY
    poi = db.get(Poi, lunch["id"])
    assert {poi.kind, *poi.kinds} & set(LUNCH_KINDS)
    assert len({s["id"] for s in plan.stops}) == len(plan.stops)


def test_opening_hours_are_respected_when_known(db: Session) -> None:
    first = build_plan(db, BAVAY, SATURDAY, "day")
    visit, lunch = first.stops[0], first.stops[1]
    assert not visit["hours_known"]
    # The visit chosen first is closed on Saturdays; the restaurant opens only at 19 h.
    db.get(Poi, visit["id"]).opening_hours = {
        "specs": [{"days": ["mo", "tu", "we", "th", "fr"], "opens": "09:00", "closes": "18:00"}]}
    db.get(Poi, lunch["id"]).opening_hours = {
        "specs": [{"opens": "19:00", "closes": "22:00"}]}
    db.flush()
    again = build_plan(db, BAVAY, SATURDAY, "day")
    ids = [s["id"] for s in again.stops]
    assert visit["id"] not in ids and lunch["id"] not in ids
    # Open on Saturday from 10 h to 18 h: chosen again, and said to be known open.
    db.get(Poi, visit["id"]).opening_hours = {"specs": [{"opens": "10:00", "closes": "18:00"}]}
    db.flush()
    third = build_plan(db, BAVAY, SATURDAY, "day")
    assert third.stops[0]["id"] == visit["id"] and third.stops[0]["hours_known"]


def test_rain_keeps_every_stop_indoors(db: Session) -> None:
    plan = build_plan(db, LE_QUESNOY, SATURDAY, "day", rain=True)
    assert plan.stops
    _check_geometry(db, plan)
    for stop in plan.stops:
        assert stop["item_type"] != "routes"
        if stop["slot"] != "lunch" and stop["item_type"] == "places":
            poi = db.get(Poi, stop["id"])
            assert {poi.kind, *poi.kinds} & set(INDOOR_VISIT_KINDS)


def test_children_get_short_walks_and_their_events(db: Session) -> None:
    plan = build_plan(db, BAVAY, SUNDAY, "day", audience="enfants")
    _check_geometry(db, plan)
    kinds = {s["item_type"]: s for s in plan.stops}
    # The seeded children's workshop at the Forum antique, Sunday 14 h 30, is the outing.
    assert "events" in kinds and kinds["events"]["id"] == "evt-atelier-enfants-forum-antique"
    assert datetime.fromisoformat(kinds["events"]["at"]).astimezone(PARIS).hour == 14
    quesnoy = build_plan(db, LE_QUESNOY, SATURDAY, "afternoon", audience="enfants")
    for stop in quesnoy.stops:
        if stop["item_type"] == "routes":
            assert db.get(Route, stop["id"]).length_km <= CHILD_WALK_MAX_KM


def test_an_evening_event_of_that_day_ends_the_day(db: Session) -> None:
    plan = build_plan(db, BAVAY, MONDAY, "day")
    assert plan.stops[-1]["id"] == "evt-fete-musique-bavay"
    assert plan.stops[-1]["slot"] == "evening"
    _check_geometry(db, plan)


def test_a_slot_the_base_cannot_fill_is_a_gap_said_honestly(db: Session) -> None:
    for poi in db.query(Poi):
        if {poi.kind, *poi.kinds} & set(LUNCH_KINDS):
            poi.published = False
    db.flush()
    plan = build_plan(db, BAVAY, SATURDAY, "day")
    assert "lunch" in plan.gaps
    assert all(s["slot"] != "lunch" for s in plan.stops)
    reply = plan_replies(plan, "http://127.0.0.1:8080")[0]
    assert "restaurant" in reply.text and "office de tourisme" in reply.text


def test_nothing_around_gives_an_honest_empty_plan(db: Session) -> None:
    nowhere = Position(49.60, 2.90, "Compiègne", "typed")  # nothing of the base near
    plan = build_plan(db, nowhere, SATURDAY, "day")
    assert plan.stops == [] and set(plan.gaps) == {"visit", "lunch", "outing"}
    reply = plan_replies(plan, "http://x")[0]
    assert reply.response == "plan_empty" and reply.custom is None


def test_the_payload_lists_the_stops_and_links_to_the_page_and_ics(db: Session) -> None:
    plan = build_plan(db, BAVAY, SATURDAY, "afternoon")
    reply = plan_replies(plan, "https://example.org/")[0]
    custom = reply.custom
    assert custom["type"] == "plan" and custom["day"] == "2027-06-19"
    assert [i["id"] for i in custom["items"]] == [s["id"] for s in plan.stops]
    link = urlsplit(custom["link"])
    assert link.netloc == "example.org" and link.path == "/plan"
    assert urlsplit(custom["ics"]).path == "/plan.ics"
    query = parse_qs(link.query)
    assert query["jour"] == ["2027-06-19"] and query["lieu"] == ["Bavay"]
    steps = query["etapes"][0].split(",")
    assert len(steps) == len(plan.stops)
    assert steps[0].startswith("14:00~") and steps[0].endswith(plan.stops[0]["id"])
    assert "1. 14 h" in reply.text and custom["link"] in reply.text


@pytest.mark.parametrize(("text", "span"), [
    ("on a une journée à Bavay, vous proposez quoi ?", "day"),
    ("que faire ce week-end avec les enfants", "day"),
    ("un après-midi au Quesnoy s'il pleut", "afternoon"),
    ("une matinée à Bavay", "morning"),
    ("on a toute la journée de libre au Quesnoy", "day"),
    ("qu'est-ce qu'on peut faire cet aprem ?", "afternoon"),
    ("un programme pour la journée ?", "day"),
    ("des concerts cet après-midi ?", None),
    ("c'est ouvert l'après-midi ?", None),
    ("le forum antique est ouvert samedi après-midi ?", None),
    ("une journée de rando en forêt", None),
    ("un resto ce midi", None),
    ("quoi faire s'il pleut ?", None),
    ("s'il pleut toute la journée, que faire à Bavay ?", "day"),
    ("c'est ouvert toute la journée ?", None),
    ("il va pleuvoir toute la journée ?", None),
    ("la journée du patrimoine c'est quand ?", None),
    ("les journées des moulins, c'est où ?", None),
    ("le programme du festival ?", None),
])
def test_the_words_that_ask_for_a_plan(text: str, span: str | None) -> None:
    assert plan_span(text) == span


def test_the_day_of_the_plan() -> None:
    morning = datetime(2027, 6, 19, 7, 0, tzinfo=timezone.utc)  # 9 h in Paris
    evening = morning + timedelta(hours=10)
    assert plan_day(morning, "day", None) == SATURDAY
    assert plan_day(evening, "day", None) == SUNDAY
    assert plan_day(morning + timedelta(hours=5), "afternoon", None) == SATURDAY
    assert plan_day(evening, "day", MONDAY) == MONDAY


def test_a_plan_for_today_leaves_out_what_has_passed(db: Session) -> None:
    at_one = datetime(2027, 6, 19, 13, 0, tzinfo=PARIS)
    plan = build_plan(db, BAVAY, SATURDAY, "day", now=at_one)
    assert plan.day == SATURDAY and plan.stops
    assert "visit" not in [s["slot"] for s in plan.stops] and "visit" not in plan.gaps
    assert all(datetime.fromisoformat(s["at"]) >= at_one for s in plan.stops)
    late = build_plan(db, BAVAY, SATURDAY, "afternoon", now=at_one.replace(hour=21))
    assert late.day == SUNDAY and [s["slot"] for s in late.stops][0] == "visit"
