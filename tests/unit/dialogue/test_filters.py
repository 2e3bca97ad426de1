"""What the visitor asks for besides the topic (bot.dialogue.filters): read from their
words or the NLU's entities, the same for places, events and routes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.dialogue.filters import (
    ALTERNATIVES,
    KIND_INTEREST,
    Filters,
    kinds_in,
    parse,
    unsupported,
)
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


def test_labels() -> None:
    labels = parse("un gîte pas cher accessible en fauteuil pour les enfants").labels()
    assert labels == ["accessible en fauteuil", "pour les enfants", "gîte", "pas cher"]
