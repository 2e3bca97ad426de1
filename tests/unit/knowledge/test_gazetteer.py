"""The local gazetteer of communes: what a visitor types → which commune (SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.gazetteer import Gazetteer
from knowledge.models import Commune

# The gazetteer reads the communes table only: the SQLite knowledge base is enough.
pytestmark = pytest.mark.parametrize("kb_engine", ["sqlite"], indirect=True)


def lookups(gaz: Gazetteer, texts: list[str]) -> dict[str, str | None]:
    out = {}
    for text in texts:
        place = gaz.lookup(text)
        out[text] = place.insee if place else None
    return out


def test_loaded_from_the_knowledge_base_unknown_names_and_nearest(session: Session) -> None:
    gaz = Gazetteer.from_session(session)
    regional = session.execute(
        select(Commune).where(Commune.latitude.is_not(None))).scalars().all()
    assert len(gaz) == len(regional) > 3700
    assert len(gaz.territory) == 52
    assert {p.insee for p in gaz.territory} >= {"59053", "59481", "59331", "59384"}
    bavay = gaz.by_insee("59053")
    assert bavay is not None and bavay.name == "Bavay" and bavay.in_territory
    assert bavay.latitude == pytest.approx(50.2936, abs=1e-3)
    assert bavay.longitude == pytest.approx(3.8031, abs=1e-3)
    assert gaz.by_insee("00000") is None
    # Unknown names; the nearest commune and the distance to the territory.
    for text in ("xyzzy", "Paris", "Tokyo", "Marseille", "", "   ", "le", "a", "zz", "-"):
        assert gaz.lookup(text) is None, text
    nearest = gaz.nearest(50.2936, 3.8031, territory_only=True)
    assert nearest is not None and nearest.insee == "59053"
    assert gaz.distance_to_territory_km(50.2936, 3.8031) < 0.1
    assert 50 < gaz.distance_to_territory_km(50.6292, 3.0573) < 70  # Lille


def test_le_quesnoy_spellings_saints_articles_and_accents(session: Session) -> None:
    gaz = Gazetteer.from_session(session)
    expected = {
        # Le Quesnoy: case, hyphens, without the article, a typo.
        "le quesnoy": "59481", "Le-Quesnoy": "59481", "LE QUESNOY": "59481",
        "quesnoy": "59481", "le quenoy": "59481", "  Le   Quesnoy ! ": "59481",
        # "Saint" and its abbreviation.
        "Saint-Waast": "59548", "st waast": "59548", "St-Waast": "59548",
        "saint waast": "59548",
        # Apostrophes (straight or typographic), accents and articles.
        "l'Orée de Mormal": "59006", "L’Orée de Mormal": "59006",
        "oree de mormal": "59006", "Orée-de-Mormal": "59006",
        # Accents and case.
        "Englefontaine": "59194", "englefontaine": "59194", "ENGLEFONTAINE": "59194",
        "Préseau": "59471", "preseau": "59471", "PRESEAU": "59471",
        "Taisnières-sur-Hon": "59584", "taisnieres sur hon": "59584",
        "Forest-en-Cambrésis": "59246", "forest en cambresis": "59246",
        # Typos on longer names.
        "landreci": "59331", "maroile": "59384", "Maroilles": "59384",
        "englefontain": "59194", "poix du nord": "59464", "Poix-du-Nod": "59464",
    }
    assert lookups(gaz, list(expected)) == expected
    place = gaz.lookup("Le-Quesnoy")
    assert place is not None and place.name == "Le Quesnoy" and place.in_territory


def test_territory_wins_over_homonyms_elsewhere_in_the_region(session: Session) -> None:
    gaz = Gazetteer.from_session(session)
    # Two La Flamengrie: 59232 (Nord, territory, 431 inhabitants) and 02312 (Aisne,
    # bigger). The visitor of the Pays de Mormal means the one of the territory.
    homonyms = session.execute(
        select(Commune.insee, Commune.in_territory, Commune.population)
        .where(Commune.name == "La Flamengrie")
    ).all()
    assert {(h.insee, h.in_territory) for h in homonyms} == {("59232", True), ("02312", False)}
    aisne = next(h for h in homonyms if h.insee == "02312")
    nord = next(h for h in homonyms if h.insee == "59232")
    assert aisne.population > nord.population  # so population alone would pick Aisne
    for text in ("La Flamengrie", "la flamengrie", "flamengrie", "La-Flamengrie"):
        place = gaz.lookup(text)
        assert place is not None and place.insee == "59232", text
    # La Longueville (territory) against Longueville (Pas-de-Calais).
    for text in ("La Longueville", "Longueville"):
        place = gaz.lookup(text)
        assert place is not None and place.insee == "59357", text
    # A commune outside the territory is still found when it is the only one.
    lille = gaz.lookup("Lille")
    assert lille is not None and lille.insee == "59350" and not lille.in_territory
    text_hit = gaz.find_in_text("on dort à la flamengrie ce soir")
    assert text_hit is not None and text_hit.insee == "59232"


def test_find_in_text(session: Session) -> None:
    gaz = Gazetteer.from_session(session)
    expected = {
        "je suis a bavay ce matin": "59053",
        "Je suis à Bavay.": "59053",
        "on arrive au Quesnoy demain": "59481",
        "nous sommes à Saint-Waast": "59548",
        "près de st waast": "59548",
        "on loge a l'oree de mormal": "59006",
        "Des idées à Maroilles ?": "59384",
        "balade autour de Landrecies svp": "59331",
    }
    found = {}
    for text in expected:
        place = gaz.find_in_text(text)
        found[text] = place.insee if place else None
    assert found == expected
    for text in ("bonjour", "je voudrais manger ce soir", "", "a la la", "le de la"):
        assert gaz.find_in_text(text) is None, text
