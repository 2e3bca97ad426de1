"""Where the visitor is, said any way (bot.dialogue.position): the role of each town named
in a message, places of the base as positions, everyday words that are not towns, and a
position outside the territory."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker  # the base: tests/unit/dialogue/conftest.py

from bot.dialogue.position import (
    HERE,
    ORIGIN,
    Position,
    entry_points,
    is_outside,
    mentions,
    position_from_coordinates,
    position_from_name,
    position_in_text,
)
from knowledge.gazetteer import Gazetteer
from knowledge.text import slugify

LE_QUESNOY, BAVAY, LANDRECIES, MAROILLES = "59481", "59053", "59331", "59384"


@pytest.fixture(scope="module")
def gazetteer(factory: sessionmaker) -> Gazetteer:
    with factory() as s:
        return Gazetteer.from_session(s)


# (message, INSEE code of the position it gives, or None)
SAID: list[tuple[str, str | None]] = [
    ("on vient de Lille et on arrive au Quesnoy samedi", LE_QUESNOY),
    ("On arrive samedi au Quesnoy, on vient de Valenciennes", LE_QUESNOY),
    ("on loge à Bavay", BAVAY),
    ("nous sommes au Quesnoy", LE_QUESNOY),
    ("on est à landrecies ce week-end", LANDRECIES),
    ("du côté de Landrecies", LANDRECIES),
    ("autour de Bavay, que faire ?", BAVAY),
    ("un musée près du Quesnoy", LE_QUESNOY),
    ("on dort à Maroilles", MAROILLES),
    ("Le Quesnoy", LE_QUESNOY),
    ("je suis à bavay", BAVAY),
    ("on vient de Bavay et on loge à Landrecies", LANDRECIES),
    ("on loge à Landrecies, on vient de Bavay", LANDRECIES),
    ("on arrive à vélo à Ors, qu'est-ce qu'il y a comme patrimoine ?", "59450"),
    ("hors saison, c'est ouvert ?", None),
    # where they come from is never the position
    ("on vient de Lille", None),
    ("depuis Valenciennes, que voir ?", None),
    # everyday words and things are not towns
    ("par contre en fait c'est loin", None),
    ("une ferme pour acheter du maroilles fermier", None),
    ("une tarte au maroilles", None),
    ("une rando de 5 km de long", None),
    ("5 km max", None),
    ("une boucle pas trop longue", None),
    ("on loge dans un gîte", None),
]


@pytest.mark.parametrize(("text", "insee"), SAID, ids=[slugify(t) for t, _ in SAID])
def test_the_position_a_message_gives(text: str, insee: str | None, gazetteer: Gazetteer,
                                      db: Session) -> None:
    found = position_in_text(text, gazetteer, db)
    if insee is None:
        assert found is None or found.position.source == "place", found
    else:
        assert found is not None
        assert found.position.commune == insee
        assert found.position.source == "typed"


def test_roles(gazetteer: Gazetteer) -> None:
    said = mentions("on vient de Lille et on arrive au Quesnoy samedi", gazetteer)
    assert [(m.position.label, m.role) for m in said] == [("Lille", ORIGIN),
                                                         ("Le Quesnoy", HERE)]
    assert not said[0].in_territory and said[1].in_territory


def test_a_place_of_the_base_is_a_position(gazetteer: Gazetteer, db: Session) -> None:
    found = position_in_text("un restaurant près du forum antique", gazetteer, db)
    assert found is not None and found.position.source == "place"
    assert found.position.commune == BAVAY and "Forum antique" in found.position.label
    lake = position_in_text("on est au lac Vauban", gazetteer, db)
    assert lake is not None and lake.position.commune == LE_QUESNOY
    # a town said as where they are wins over a place named without a clue
    town = position_in_text("on arrive au Quesnoy", gazetteer, db)
    assert town is not None and town.position.source == "typed"


def test_a_bare_answer(gazetteer: Gazetteer, db: Session) -> None:
    found = position_from_name("le quenoy", gazetteer, db)  # typo forgiven near us
    assert found is not None and found.commune == LE_QUESNOY and found.source == "typed"
    place = position_from_name("forum antique", gazetteer, db)
    assert place is not None and place.source == "place" and place.commune == BAVAY
    assert position_from_name("Bruxelles", gazetteer, db) is None


def test_a_shared_position(gazetteer: Gazetteer) -> None:
    found = position_from_coordinates(50.2936, 3.8031, gazetteer)
    assert found.source == "shared" and found.commune == BAVAY
    assert found.label == "votre position (près de Bavay)"
    quesnoy = position_from_coordinates(50.2479, 3.6370, gazetteer)
    assert quesnoy.label == "votre position (près du Quesnoy)"


def test_outside_the_territory(gazetteer: Gazetteer) -> None:
    lille = position_in_text("je suis à Lille", gazetteer)
    assert lille is not None and lille.role == HERE
    assert is_outside(lille.position, gazetteer)  # 53 km: beyond the base's 40 km
    assert [p.name for p in entry_points(lille.position, gazetteer)] == [
        "Le Quesnoy", "Bavay", "Landrecies"]
    for town in ("Valenciennes", "Maubeuge", "Bavay"):
        found = position_in_text(f"je suis à {town}", gazetteer)
        assert found is not None and not is_outside(found.position, gazetteer)
    paris = Position(48.8566, 2.3522, "Paris")
    assert is_outside(paris, gazetteer)
    assert not is_outside(paris, gazetteer, limit_km=500)


def test_the_nlu_place_entity_is_weighed_by_the_words(gazetteer: Gazetteer, db: Session) -> None:
    from bot.dialogue.position import read_position

    said = "une ferme pour acheter du maroilles fermier"
    assert read_position(said, "maroilles", gazetteer, db) is None  # the cheese
    assert read_position("on vient de Lille", "Lille", gazetteer, db) is None
    both = read_position("on vient de Lille et on arrive au Quesnoy", "Lille", gazetteer, db)
    assert both is not None and both.commune == LE_QUESNOY
    tomb = read_position("la tombe de Wilfred Owen", "Wilfred Owen", gazetteer, db)
    assert tomb is not None and tomb.source == "place" and tomb.commune == "59450"
    bare = read_position("Maroilles", "Maroilles", gazetteer, db, bare=True)
    assert bare is not None and bare.commune == MAROILLES
