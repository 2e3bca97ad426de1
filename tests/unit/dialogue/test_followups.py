"""Questions about the last thing shown (bot.dialogue.followups): which record a question
is about (the one in focus, "le deuxième", a name), what is asked, and answers from the
base only, with the tourist office's contacts when the base does not know."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.followups import (
    Focus,
    answer,
    is_followup,
    names_of,
    office_contacts,
    ordinal_of,
    pick,
    question_of,
)
from bot.dialogue.position import Position
from knowledge.db import transaction
from knowledge.store import Store
from knowledge.text import slugify

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2027, 6, 14)  # a Monday
NOW = datetime(2027, 6, 16, 10, 0, tzinfo=PARIS)  # Wednesday morning
BAVAY = Position(50.2936087618, 3.80308794658, "Bavay", "typed", "59053")
HALL = "test-followups-halle"  # opening hours (closed on Tuesdays), phone, dogs welcome
FORUM = "bavay-forum-antique"  # phone, no hours, no price
REMPARTS = "le-quesnoy-remparts"  # free, nothing else
ROUTE = "route-circuit-des-remparts-le-quesnoy"  # "Boucle balisée en jaune…"
BIKE = "route-velo-bavaisis"  # no word of waymarks


@pytest.fixture(scope="module", autouse=True)
def halle(factory: sessionmaker) -> None:
    """One more place, with hours, a phone and pets allowed."""
    with transaction(factory) as s:
        Store.for_session(s).save_poi({
            "id": HALL, "name": "Halle d'essai", "commune_insee": "59053",
            "latitude": 50.2930, "longitude": 3.8050, "interests": ["patrimoine"],
            "kinds": ["museum"], "source": "tests", "is_example": True,
            "phone": "03 27 00 00 00", "pets_allowed": True,
            "opening_hours": {"specs": [{"days": ["mo", "we", "th", "fr", "sa", "su"],
                                         "opens": "10:00", "closes": "18:00"}]}})


QUESTIONS = [
    ("c'est ouvert quand ?", "hours"), ("c'est ouvert le mardi ?", "hours"),
    ("et le numéro ?", "phone"), ("on peut les appeler ?", "phone"),
    ("c'est combien ?", "price"), ("c'est gratuit ?", "price"),
    ("on peut y aller avec le chien ?", "pets"), ("c'est loin ?", "distance"),
    ("comment j'y vais ?", "directions"), ("c'est où ?", "directions"),
    ("c'est balisé ?", "waymarks"), ("accessible en fauteuil ?", "access"),
    ("ça fait combien de km ?", "distance"), ("c'est long ?", "length"),
    ("il y a un site internet ?", "website"), ("merci beaucoup", None),
]


@pytest.mark.parametrize(("text", "expected"), QUESTIONS, ids=[slugify(t) for t, _ in QUESTIONS])
def test_question_of(text: str, expected: str | None) -> None:
    assert question_of(text) == expected


def test_which_record() -> None:
    focus = Focus("places", ["a", "b", "c"], "a")
    assert ordinal_of("et le deuxième ?") == 1 and ordinal_of("la 3") == 2
    assert ordinal_of("le dernier") == -1 and ordinal_of("et le numéro ?") is None
    assert pick(focus, "c'est ouvert quand ?") == "a"
    assert pick(focus, "et le deuxième, c'est loin ?") == "b"
    assert pick(focus, "le dernier") == "c"
    assert pick(focus, "le cinquième") is None  # only three were shown
    assert pick(focus, "et le musée Matisse ?", {"a": "Forum", "b": "Musée Matisse"}) == "b"
    assert is_followup("c'est balisé ?", focus) and is_followup("et le deuxième ?", focus)
    assert not is_followup("c'est balisé ?", None)
    assert not is_followup("je voudrais un restaurant près de Bavay pour ce soir", focus)


def test_focus_slot() -> None:
    focus = Focus.shown("routes", [{"id": "r1"}, {"id": "r2"}])
    assert focus is not None and focus.current == "r1"
    assert Focus.from_slot(focus.to_slot()) == focus
    assert Focus.from_slot({"type": "nonsense", "ids": ["x"]}) is None
    assert Focus.from_slot(None) is None
    assert Focus.shown("places", []) is None


def test_hours_of_a_place(db: Session) -> None:
    focus = Focus("places", [HALL], HALL)
    got = answer(db, focus, HALL, "hours", "c'est ouvert le mardi ?", BAVAY, NOW)
    assert got is not None and got.missing is None and got.name == "Halle d'essai"
    assert got.lines[0].startswith("Le mardi 22")
    assert "ferm" in got.lines[0].lower()
    assert got.custom is not None and got.custom["items"][0]["id"] == HALL
    today = answer(db, focus, HALL, "hours", "c'est ouvert quand ?", BAVAY, NOW)
    assert today is not None and today.lines[0].startswith("Aujourd'hui")


def test_phone_pets_price_distance(db: Session) -> None:
    focus = Focus("places", [HALL, FORUM, REMPARTS], HALL)
    phone = answer(db, focus, FORUM, "phone", "", BAVAY, NOW)
    assert phone is not None and phone.lines == ["☎️ 03 59 73 15 50"]
    pets = answer(db, focus, HALL, "pets", "", BAVAY, NOW)
    assert pets is not None and pets.missing is None and "chiens" in pets.lines[0]
    free = answer(db, focus, REMPARTS, "price", "", BAVAY, NOW)
    assert free is not None and free.lines == ["Tarifs : gratuit."]
    far = answer(db, focus, REMPARTS, "distance", "", BAVAY, NOW)
    assert far is not None and any("km" in line for line in far.lines)
    assert any("openstreetmap.org" in line for line in far.lines)
    assert not any("hors du Pays de Mormal" in line for line in far.lines)
    museum = "valenciennes-musee-beaux-arts"  # outside the 52 communes: said (issue 16)
    elsewhere = answer(db, Focus("places", [museum], museum), museum, "distance", "", BAVAY,
                       NOW)
    assert elsewhere is not None and any(
        line.startswith("📍 ") and line.endswith("(à vol d'oiseau), hors du Pays de Mormal.")
        for line in elsewhere.lines), elsewhere.lines


def test_what_the_base_does_not_hold_is_said_with_who_to_ask(db: Session) -> None:
    focus = Focus("places", [FORUM], FORUM)
    for question in ("hours", "price", "pets", "access", "waymarks"):
        got = answer(db, focus, FORUM, question, "", BAVAY, NOW)
        assert got is not None and got.missing == question and not got.lines
        assert got.office and "Office de tourisme" in got.office[0]
    assert office_contacts(db, 50.25, 3.62)[0].startswith("Office de tourisme")


def test_routes_and_their_waymarks(db: Session) -> None:
    focus = Focus("routes", [ROUTE, BIKE], ROUTE)
    assert names_of(db, focus)[ROUTE] == "Circuit des remparts du Quesnoy"
    marked = answer(db, focus, ROUTE, "waymarks", "", BAVAY, NOW)
    assert marked is not None and marked.missing is None and "balisée" in marked.lines[0]
    unknown = answer(db, focus, BIKE, "waymarks", "", BAVAY, NOW)
    assert unknown is not None and unknown.missing == "waymarks" and unknown.office
    length = answer(db, focus, ROUTE, "length", "", BAVAY, NOW)
    assert length is not None and "4 km" in length.lines[0] and "facile" in length.lines[0]
    hours = answer(db, focus, ROUTE, "hours", "", None, NOW)
    assert hours is not None and hours.missing == "hours"
    assert hours.custom is not None and hours.custom["items"][0]["distance_km"] is None


def test_events(db: Session) -> None:
    from sqlalchemy import select

    from knowledge.models import Event

    event_id = db.execute(select(Event.id).limit(1)).scalar_one()
    focus = Focus("events", [event_id], event_id)
    when = answer(db, focus, event_id, "hours", "", BAVAY, NOW)
    assert when is not None and when.lines
    assert answer(db, focus, "no-such-event", "hours", "", BAVAY, NOW) is None
