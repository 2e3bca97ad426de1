"""What the visitor asks for besides the topic (bot.dialogue.filters): read from their
words or the NLU's entities, the same for places, events and routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from bot.dialogue.filters import (
    ALTERNATIVES,
    KIND_INTEREST,
    Filters,
    kinds_in,
    open_moment,
    parse,
    travelling_only,
    unsupported,
)
from bot.dialogue.periods import PARIS
from knowledge.taxonomy import INTERESTS, KINDS
from knowledge.text import normalize, slugify

# (message, search, expected fields; every other field keeps its default)
PARSED: list[tuple[str, str, dict[str, Any]]] = [
    ("une balade accessible en fauteuil ?", "routes", {"wheelchair": True}),
    ("une promenade pas trop longue, à plat", "routes", {"flat": True, "short": True}),
    ("une rando de 5 km max", "routes", {"max_km": 5.0}),
    ("5 km max", "routes", {"max_km": 5.0}),
    ("pas plus de 8 km", "routes", {"max_km": 8.0}),
    ("une petite boucle", "routes", {"short": True, "loop": True}),
    ("une marche de 10 km", "routes", {"min_km": 6.0, "max_km": 14.0}),
    ("2 h de marche", "routes", {"length_hours": 2.0}),
    ("une boucle de 7,5 km", "routes", {"loop": True, "min_km": 4.5, "max_km": 10.5}),
    ("à moins de 2,5 km", "places", {"radius_km": 2.5}),
    ("une rando pas trop dure", "routes", {"difficulty": "easy"}),
    ("une rando sportive", "routes", {"difficulty": "hard"}),
    ("à moins de 10 km", "places", {"radius_km": 10.0}),
    ("dans un rayon de 5 km", "routes", {"radius_km": 5.0}),
    ("un resto à 5 km max", "places", {"kinds": ["restaurant"], "radius_km": 5.0}),
    ("un estaminet pour manger une flamiche", "places", {"kinds": ["estaminet"]}),
    ("un restaurant pour ce midi", "places", {"kinds": ["restaurant"]}),
    ("un gîte pour ce soir", "places", {"kinds": ["gite"]}),
    ("un hôtel", "places", {"kinds": ["hotel"]}),
    ("un camping", "places", {"kinds": ["campsite"]}),
    ("une piscine", "places", {"kinds": ["swimming_pool"]}),
    ("une ferme pour acheter du maroilles fermier", "places", {"kinds": ["farm"]}),
    ("où acheter du maroilles ?", "places", {"kinds": ["cheese_dairy", "farm", "producer"]}),
    ("où manger à Maroilles ?", "places", {"kinds": ["restaurant", "estaminet"]}),
    ("une randonnée d'une dizaine de km", "routes", {"min_km": 6.0, "max_km": 14.0}),
    ("une boucle à pied de 2h max", "routes", {"loop": True, "max_hours": 2.0}),
    ("pas plus de 3 heures de marche", "routes", {"max_hours": 3.0}),
    ("le marché du Quesnoy", "places", {"kinds": ["market"]}),
    ("l'hôtel de ville", "places", {}),
    ("pas cher", "places", {"price": "cheap"}),
    ("gratuit pour les enfants", "places", {"price": "free", "audience": "enfants"}),
    ("avec ma mère de 80 ans", "places", {"audience": "seniors"}),
    ("pour les personnes âgées", "events", {"audience": "seniors"}),
    ("avec une poussette", "events", {"pushchair": True}),
    ("ouvert maintenant", "places", {"open_now": True}),
    ("qui soit ouvert en ce moment", "places", {"open_now": True}),
    ("on arrive maintenant au Quesnoy, que faire ?", "places", {}),
    ("un resto ouvert le dimanche", "places",
     {"kinds": ["restaurant"], "open_when": "le dimanche"}),
    ("quelque chose d'ouvert ce soir", "places", {"open_when": "ce soir"}),
    ("un café ouvert à 7h", "places", {"kinds": ["cafe"], "open_when": "a 7h"}),
    ("c'est ouvert le mardi ?", "places", {}),  # about the place shown: a follow-up
    ("ils sont ouverts dimanche ?", "places", {}),
    ("un café ouvert", "places", {"kinds": ["cafe"]}),
    ("on peut venir avec le chien ?", "places", {"pets": True}),
    ("voir des animaux", "places", {}),
]


@pytest.mark.parametrize(("text", "search", "expected"), PARSED,
                         ids=[slugify(t) for t, _, _ in PARSED])
def test_parse(text: str, search: str, expected: dict[str, Any]) -> None:
    got = parse(text, {}, search=search)
    defaults = vars(Filters())
    assert {k: v for k, v in vars(got).items() if v != defaults[k]} == expected


def test_entities_are_read() -> None:
    got = parse("", {"kind": "gite", "accessibility": "fauteuil", "audience": "enfants",
                     "difficulty": "easy", "length": "5 km max"}, search="routes")
    assert got.kinds == ["gite"] and got.wheelchair and got.audience == "enfants"
    assert got.difficulty == "easy" and got.max_km == 5.0
    assert parse("", {"kind": ["estaminet", "cafés"]}).kinds == ["estaminet", "cafe"]


def test_the_kind_table_names_taxonomy_keys() -> None:
    for kind, alternatives in ALTERNATIVES.items():
        assert kind in KINDS and set(alternatives) <= set(KINDS)
        assert kind not in alternatives
    assert set(KIND_INTEREST) <= set(KINDS) and set(KIND_INTEREST.values()) <= set(INTERESTS)
    assert kinds_in(normalize("un gîte ou un hôtel")) == ["gite", "hotel"]


def test_what_a_search_cannot_honour_is_listed() -> None:
    wheelchair = parse("accessible en fauteuil", search="routes")
    assert unsupported(wheelchair, "routes") == ["accessible en fauteuil"]
    assert unsupported(wheelchair, "places") == []
    assert unsupported(parse("ouvert maintenant"), "events") == ["ouvert maintenant"]
    assert unsupported(parse("avec le chien"), "places") == ["animaux acceptés"]


def test_the_moment_it_must_be_open() -> None:
    now = datetime(2027, 6, 16, 20, 0, tzinfo=PARIS)  # a Wednesday evening
    sunday = open_moment("le dimanche", now)
    assert sunday is not None and sunday.day == date(2027, 6, 20) and sunday.at is None
    evening = open_moment("demain soir", now)
    assert evening is not None and evening.at == datetime(2027, 6, 17, 21, 0, tzinfo=PARIS)
    noon = open_moment("dimanche midi", now)
    assert noon is not None and noon.at == datetime(2027, 6, 20, 12, 30, tzinfo=PARIS)
    morning = open_moment("à 9 h", now)  # already past: tomorrow
    assert morning is not None and morning.at == datetime(2027, 6, 17, 9, 0, tzinfo=PARIS)
    assert morning.label == "demain à 9 h"
    assert open_moment("à 25 h", now) is None and open_moment("bientôt", now) is None
    assert unsupported(parse("un concert ouvert dimanche"), "events") == ["ouvert dimanche"]


@pytest.mark.parametrize(("text", "only"), [
    ("on arrive à vélo à Ors, qu'est-ce qu'il y a comme patrimoine ?", True),
    ("on est à pied, que voir au Quesnoy ?", True),
    ("on arrive à vélo, une boucle de 20 km ?", False),
    ("une balade à vélo facile", False),
])
def test_how_the_visitor_travels_is_not_a_ride(text: str, only: bool) -> None:
    assert travelling_only(text) is only


def test_labels() -> None:
    labels = parse("un gîte pas cher accessible en fauteuil pour les enfants").labels()
    assert labels == ["accessible en fauteuil", "pour les enfants", "gîte", "pas cher"]
