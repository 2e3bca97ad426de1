"""Console: opening hours and prices of a POI, typed in plain French (issue 6) — the bot
sees the hours at once, errors are shown next to the field, and hours the form cannot
show (imported ones) are kept as they are on save."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.dialogue.recommend import place_info
from knowledge.db import session_factory, transaction
from knowledge.models import Poi
from knowledge.queries import PoiQuery, nearby_pois
from knowledge.store import Store
from tests.unit.webapp.test_console import client, login, token  # noqa: F401  (the client fixture)
from webapp.console.models import AuditEntry

PARIS = ZoneInfo("Europe/Paris")
BAVAY = (50.2936, 3.8031)
FORM = {"name": "Musée des horaires", "kinds": "museum", "interests": "patrimoine",
        "latitude": "50,2936", "longitude": "3,8031", "published": "oui"}


def _open_ids(kb_engine: Engine, at: datetime) -> list[str]:
    with session_factory(kb_engine)() as session:
        page = nearby_pois(session, PoiQuery(*BAVAY, radius_km=5, open_now=True, at=at),
                           limit=20)
        return [hit.poi.id for hit in page.items]


async def test_hours_and_prices_typed_in_the_console_reach_the_bot(
        client: TestClient, kb_engine: Engine) -> None:  # noqa: F811
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/lieux/nouveau")
    page = await (await client.get("/console/lieux/nouveau")).text()
    assert 'name="opening_hours"' in page and "lundi-vendredi 9h-12h 14h-18h" in page
    resp = await client.post("/console/lieux/nouveau", allow_redirects=False, data={
        **FORM, "csrf_token": csrf,
        "opening_hours": "mardi-dimanche 10h-12h30 14h-18h\nlundi fermé\nfermé le 25/12",
        "hours_note": "Dernière entrée 30 min avant la fermeture.",
        "price_adult": "8,50", "price_child": "0", "price_note": "Gratuit le 1er dimanche"})
    assert resp.status == 303, await resp.text()
    path = resp.headers["Location"].split("?")[0]
    poi_id = path.rsplit("/", 1)[1]
    with session_factory(kb_engine)() as session:
        poi = session.get(Poi, poi_id)
        assert poi is not None and poi.has_hours
        assert poi.opening_hours["closures"] == ["12-25"]
        assert poi.prices == {"adult": 8.5, "child": 0.0, "note": "Gratuit le 1er dimanche",
                              "text": "Adulte 8,50 €, enfant gratuit. Gratuit le 1er dimanche"}
    # Tuesday 13 July 2027: open at 11:00, closed at 13:00 (lunch) and on Monday.
    assert poi_id in _open_ids(kb_engine, datetime(2027, 7, 13, 11, 0, tzinfo=PARIS))
    assert poi_id not in _open_ids(kb_engine, datetime(2027, 7, 13, 13, 0, tzinfo=PARIS))
    assert poi_id not in _open_ids(kb_engine, datetime(2027, 7, 12, 11, 0, tzinfo=PARIS))
    assert poi_id not in _open_ids(kb_engine, datetime(2027, 12, 25, 11, 0, tzinfo=PARIS))
    with session_factory(kb_engine)() as session:
        reply = place_info(session, "", None, None,
                           now=datetime(2027, 7, 13, 11, 0, tzinfo=PARIS), poi_id=poi_id)[0]
    assert "Aujourd'hui : 10 h – 12 h 30, 14 h – 18 h" in (reply.text or "")
    assert "Tarifs : Adulte 8,50 €, enfant gratuit" in (reply.text or "")
    assert reply.custom["items"][0]["open_now"] is True  # type: ignore[index]
    # Shown again the same way to edit them.
    text = await (await client.get(path)).text()
    assert "mardi-dimanche 10h-12h30 14h-18h\nfermé le 25/12</textarea>" in text
    assert 'name="price_adult" value="8,50"' in text


async def test_hours_errors_are_shown_next_to_the_field(client: TestClient) -> None:  # noqa: F811
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/lieux/nouveau")
    resp = await client.post("/console/lieux/nouveau", data={
        **FORM, "csrf_token": csrf, "opening_hours": "lundi 9h-12h\nmardi 25h-26h",
        "price_adult": "huit"})
    assert resp.status == 422
    text = await resp.text()
    error = re.search(r'<span class="field-error" id="e-opening_hours">([^<]*)</span>', text)
    assert error and "Horaires, ligne 2 (« mardi 25h-26h ») : heure impossible" in \
        error.group(1).replace("&#34;", '"'), text
    assert 'href="#f-opening_hours"' in text
    assert re.search(r'<textarea id="f-opening_hours"[^>]*aria-invalid="true"', text)
    assert "lundi 9h-12h\nmardi 25h-26h</textarea>" in text  # what was typed is kept
    assert re.search(r'id="e-price_adult">Tarif adulte : montant illisible', text)


async def test_edit_keeps_imported_hours_and_prices(
        client: TestClient, kb_engine: Engine) -> None:  # noqa: F811
    # One record the form can show (it round-trips), one it cannot (kept read-only).
    shown = {"specs": [{"days": ["sa", "su"], "opens": "10:00", "closes": "12:00",
                        "valid_from": "2027-04-01", "valid_through": "2027-09-30"},
                       {"days": ["su", "sa"], "opens": "14:00", "closes": "00:00",
                        "valid_from": "2027-04-01", "valid_through": "2027-09-30"}],
             "closures": ["2027-05-01"], "note": "Du 01/04/2027 au 30/09/2027 : visites"}
    odd = {"specs": [{"days": ["mo"]}, {"days": ["mo"], "opens": "09:00", "closes": "10:00"}],
           "closures": [], "note": None}
    ids = {}
    with transaction(session_factory(kb_engine)) as session:
        store = Store.for_session(session)
        for key, hours, prices in (("shown", shown, {"text": "de 3 à 8 €"}),
                                   ("odd", odd, {"adulte": "5 €"})):
            obj, _ = store.save("poi", {
                "name": f"Lieu importé {key}", "kinds": ["museum"], "interests": ["patrimoine"],
                "latitude": BAVAY[0], "longitude": BAVAY[1], "source": "DATAtourisme",
                "source_id": key, "opening_hours": hours, "prices": prices})
            ids[key] = obj.id
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/lieux/nouveau")
    for key in ("shown", "odd"):
        path = f"/console/lieux/{ids[key]}"
        page = await (await client.get(path)).text()
        hours_text = re.search(r'<textarea id="f-opening_hours"[^>]*>([^<]*)</textarea>', page)
        note = re.search(r'<textarea id="f-hours_note"[^>]*>([^<]*)</textarea>', page)
        price_note = re.search(r'id="f-price_note" name="price_note" value="([^"]*)"', page)
        assert hours_text and note and price_note
        if key == "shown":
            assert hours_text.group(1).startswith("du 01/04/2027 au 30/09/2027 : samedi, "
                                                  "dimanche 10h-12h 14h-24h")
            assert "conservés tels quels" not in page
        else:
            assert hours_text.group(1) == "" and "conservés tels quels" in page
            assert 'name="hours_locked" value="oui"' in page
            assert "lundi ouvert\nlundi 9h-10h" in page and "adulte : 5 €" in page
        form = {"csrf_token": csrf, "name": f"Lieu importé {key}", "kinds": "museum",
                "interests": "patrimoine", "latitude": str(BAVAY[0]),
                "longitude": str(BAVAY[1]), "phone": "03 27 00 00 00", "published": "oui",
                "opening_hours": hours_text.group(1).replace("&#39;", "'"),
                "hours_note": note.group(1).replace("&#39;", "'"),
                "price_note": price_note.group(1).replace("&#39;", "'")}
        for name in re.findall(r'<input type="hidden" name="(\w+_locked)" value="oui">', page):
            form[name] = "oui"
        resp = await client.post(path, allow_redirects=False, data=form)
        assert resp.status == 303, await resp.text()
    with session_factory(kb_engine)() as session:
        for key, hours in (("shown", shown), ("odd", odd)):
            poi = session.get(Poi, ids[key])
            assert poi is not None and poi.phone == "03 27 00 00 00"
            assert poi.opening_hours == hours  # exactly as imported
        assert session.get(Poi, ids["shown"]).prices == {"text": "de 3 à 8 €"}
        assert session.get(Poi, ids["odd"]).prices == {"adulte": "5 €"}
        edits = session.execute(select(AuditEntry).where(AuditEntry.action == "edit")).scalars()
        for entry in edits:
            assert entry.before["opening_hours"] == entry.after["opening_hours"]
            assert entry.before["prices"] == entry.after["prices"]
    # Ticking "Remplacer" replaces the hours the form could not show.
    resp = await client.post(f"/console/lieux/{ids['odd']}", allow_redirects=False, data={
        **form, "hours_replace": "oui", "opening_hours": "lundi 9h-10h"})
    assert resp.status == 303
    with session_factory(kb_engine)() as session:
        poi = session.get(Poi, ids["odd"])
        assert poi is not None and poi.opening_hours["specs"] == [
            {"days": ["mo"], "opens": "09:00", "closes": "10:00"}]
        assert poi.prices == {"adulte": "5 €"}  # not ticked for the prices: kept
