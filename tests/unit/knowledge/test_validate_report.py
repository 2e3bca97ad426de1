"""Issue 16: records no public source confirms are kept for staff but never recommended,
and `python -m knowledge validate` lists them with the reason and says, per commune, how
precise the places' positions are (on the shipped seed; SQLite and PostgreSQL)."""

from __future__ import annotations

import io

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from knowledge import seeding
from knowledge.audit import precision_by_commune
from knowledge.cli import main
from knowledge.models import Poi
from knowledge.queries import PoiQuery, nearby_pois

UNCONFIRMED = {
    "le-quesnoy-la-carpe-d-or": "aucune source publique ne confirme ce restaurant",
    "le-quesnoy-etang-du-fer-a-cheval": "aucune source publique consultée ne confirme",
    "sars-poteries-moulin-delmotte": "aucune source publique ne confirme ce moulin",
    "maroilles-camping": "camping sans nom",
}


def test_unconfirmed_places_are_listed_not_recommended(kb_engine: Engine,
                                                       kb_factory: sessionmaker) -> None:
    with kb_factory() as session, session.begin():
        seeding.seed(session)
    with kb_factory() as session:
        for rid in UNCONFIRMED:
            poi = session.get(Poi, rid)
            assert poi is not None and poi.published is False
            found = nearby_pois(session, PoiQuery(poi.latitude, poi.longitude, radius_km=5,
                                                  kinds=[poi.kind]), limit=50)
            assert rid not in [h.poi.id for h in found.items]
        counts = {c.insee: c for c in precision_by_commune(session)}
    quesnoy = counts["59481"]
    assert quesnoy.in_territory and quesnoy.exact >= 3 and quesnoy.unpublished == 2
    assert counts["59606"].in_territory is False  # Valenciennes
    out = io.StringIO()
    code = main(["--db", kb_engine.url.render_as_string(hide_password=False), "validate"],
                out=out)
    text = out.getvalue()
    assert code == 0, text
    for rid, reason in UNCONFIRMED.items():
        line = next(x for x in text.splitlines() if f" poi {rid} : non publié : " in x)
        assert reason in line
    assert (f"  Le Quesnoy (59481, territoire) : {quesnoy.exact} exacte(s), "
            f"{quesnoy.approximate} approximative(s), {quesnoy.commune} au centre de la "
            "commune ; 2 non publié(s)") in text
    assert "Dans le territoire : " in text and "Hors du territoire : " in text
