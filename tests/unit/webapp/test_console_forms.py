"""Issue 17, part A, over HTTP (aiohttp test client): the console's search forgives typos,
the place form puts the everyday fields first and says what the chatbot will say of the
hours, the event form takes dates, a price and a venue the way staff give them, and the
lists name kinds and modes in French."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from html import unescape

from aiohttp.test_utils import TestClient
from sqlalchemy.engine import Engine

from knowledge.config import PARIS
from knowledge.db import session_factory, transaction
from knowledge.models import Event, Poi
from knowledge.store import Store
from tests.unit.webapp.test_console import client, login, token  # noqa: F401  (the client fixture)
from webapp.console.forms import event_price_from_text, event_price_to_text

BAVAY = (50.2936, 3.8031)
FORUM = "Forum antique de Bavay"


def _places(kb_engine: Engine) -> dict[str, str]:
    """A few records, as the shipped data has them (two churches share a name)."""
    ids = {}
    with transaction(session_factory(kb_engine)) as session:
        store = Store.for_session(session)
        for key, name, kinds, insee in (
                ("forum", FORUM, ["museum", "archaeological_site"], "59053"),
                ("church-bavay", "Église Saint-Martin", ["church"], "59053"),
                ("church-quesnoy", "Église Saint-Martin", ["church"], "59481"),
                ("station", "Gare du Quesnoy", ["train_station"], "59481")):
            obj, _ = store.save("poi", {"name": name, "kinds": kinds,
                                        "interests": ["patrimoine"], "commune_insee": insee,
                                        "source": "tests"})
            ids[key] = obj.id
        obj, _ = store.save("event", {
            "title": "Marché de Noël du Quesnoy", "commune_insee": "59481",
            "interests": ["terroir"], "source": "tests",
            "timings": [{"start": "2027-12-12T10:00", "end": "2027-12-12T18:00"}]})
        ids["market"] = obj.id
        obj, _ = store.save("route", {"name": "Circuit des sabotiers", "mode": "hike",
                                      "start_latitude": BAVAY[0], "start_longitude": BAVAY[1],
                                      "source": "tests"})
        ids["route"] = obj.id
    return ids


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [unescape(re.sub(r"<[^>]+>", " ", row)) for row in body.split("</tr>") if "<td" in row]


# --------------------------------------------------------------------------- search, lists
async def test_search_forgives_typos(client: TestClient, kb_engine: Engine) -> None:  # noqa: F811
    _places(kb_engine)
    assert await login(client, "edith") == 302
    for path, typed, found in (
            ("lieux", "forum antik", FORUM),            # as the CLI's search finds it
            ("lieux", "Forum antique", FORUM),          # the exact words still work
            ("lieux", "gare du kesnoy", "Gare du Quesnoy"),
            ("evenements", "marche de noel du kesnoy", "Marché de Noël du Quesnoy"),
            ("itineraires", "circuit des sabotier", "Circuit des sabotiers")):
        page = await (await client.get(f"/console/{path}", params={"q": typed})).text()
        rows = _rows(page)
        assert rows and all(found in row for row in rows), (typed, rows)
    page = await (await client.get("/console/lieux", params={"q": "zoo de lille"})).text()
    assert "0 résultat(s)" in page
    # filters still apply to what the typos found
    page = await (await client.get("/console/lieux", params={
        "q": "forum antik", "published": "non"})).text()
    assert "0 résultat(s)" in page


async def test_lists_name_kinds_and_modes_in_french(
        client: TestClient, kb_engine: Engine) -> None:  # noqa: F811
    _places(kb_engine)
    assert await login(client, "edith") == 302
    places = " ".join(_rows(await (await client.get("/console/lieux")).text()))
    assert "Musée, Site archéologique" in places and "Gare" in places
    assert "museum" not in places and "train_station" not in places
    routes = " ".join(_rows(await (await client.get("/console/itineraires")).text()))
    assert "Randonnée à pied" in routes and "hike" not in routes
    events = " ".join(_rows(await (await client.get("/console/evenements")).text()))
    assert "12/12/2027" in events


# --------------------------------------------------------------------------- place form
async def test_place_form_everyday_fields_first(client: TestClient) -> None:  # noqa: F811
    assert await login(client, "edith") == 302
    page = await (await client.get("/console/lieux/nouveau")).text()
    order = [page.index(f'name="{name}"') for name in (
        "name", "commune", "opening_hours", "price_adult", "phone", "kinds", "latitude")]
    assert order == sorted(order)
    # the 42 kinds in groups, each a fieldset with its legend
    assert page.count('<fieldset class="group">') == 6
    assert "<legend>Patrimoine</legend>" in page and "<legend>Hébergement</legend>" in page
    assert re.search(r'id="h-longitude">Degrés décimaux, ex\. 3,8031', page)
    assert re.search(r'id="h-latitude">Degrés décimaux, ex\. 50,2936', page)


async def test_hours_on_one_line_and_what_the_bot_will_say(
        client: TestClient, kb_engine: Engine) -> None:  # noqa: F811
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/lieux/nouveau")
    typed = "du 1/04 au 31/10 : mardi-dimanche 10h-18h ; fermé le 1er mai"
    said = ("ouvert du 1er avril au 31 octobre, du mardi au dimanche de 10 h à 18 h ; "
            "fermé le 1er mai")
    # read while typing: the preview the form's script asks for
    got = await (await client.get("/console/horaires/apercu", params={
        "texte": typed, "note": "Dernière entrée à 17 h"})).json()
    assert got == {"phrase": said, "known": True, "note": "Dernière entrée à 17 h"}
    bad = await (await client.get("/console/horaires/apercu",
                                  params={"texte": "lundi 25h-26h"})).json()
    assert bad["errors"][0].startswith("Horaires, ligne 1 (« lundi 25h-26h ») : heure")
    resp = await client.post("/console/lieux/nouveau", allow_redirects=False, data={
        "csrf_token": csrf, "name": "Forum d'essai", "kinds": "museum",
        "interests": "patrimoine", "commune": "Bavay", "published": "oui",
        "opening_hours": typed})
    assert resp.status == 303, await resp.text()
    path = resp.headers["Location"].split("?")[0]
    with session_factory(kb_engine)() as session:
        poi = session.get(Poi, path.rsplit("/", 1)[1])
        assert poi is not None and poi.opening_hours["closures"] == ["05-01"]
        assert poi.opening_hours["specs"][0]["valid_from"] == "04-01"
    page = unescape(await (await client.get(path)).text())
    preview = re.search(r'id="p-opening_hours"[^>]*>(.*?)</div>', page, re.S)
    assert preview and re.sub(r"<[^>]+>|\s+", " ", preview.group(1)).split() == \
        f"Le chatbot dira : {said}".split()
    # hours that cannot be read: the error, and no sentence made up
    resp = await client.post("/console/lieux/nouveau", data={
        "csrf_token": csrf, "name": "Forum d'essai 2", "kinds": "museum",
        "interests": "patrimoine", "commune": "Bavay", "opening_hours": "lundi 25h-26h"})
    assert resp.status == 422
    assert "Le chatbot dira :</strong> <span class=\"phrase\">(le texte" in await resp.text()


async def test_preview_needs_an_editor(client: TestClient) -> None:  # noqa: F811
    resp = await client.get("/console/horaires/apercu", params={"texte": "lundi 9h-12h"},
                            allow_redirects=False)
    assert resp.status in (302, 303, 401)
    assert await login(client, "anna") == 302  # an analyst
    resp = await client.get("/console/horaires/apercu", params={"texte": "lundi 9h-12h"})
    assert resp.status == 403


# --------------------------------------------------------------------------- event form
def utc(day: date, hour: int) -> datetime:
    """Paris wall time on ``day`` as the naive UTC the base stores."""
    return datetime.combine(day, time(hour), tzinfo=PARIS).astimezone(timezone.utc).replace(
        tzinfo=None)


def _next_saturday() -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


async def test_event_typed_as_staff_write_it(client: TestClient, kb_engine: Engine) -> None:  # noqa: F811
    ids = _places(kb_engine)
    saturday = _next_saturday()
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/evenements/nouveau")
    page = await (await client.get("/console/evenements/nouveau")).text()
    # the venue chosen among the places' names (two of the same name: with their commune)
    for label in (FORUM, "Église Saint-Martin (Bavay)", "Église Saint-Martin (Le Quesnoy)"):
        assert f'<option value="{label}">' in unescape(page), label
    form = {"csrf_token": csrf, "title": "Atelier mosaïque", "interests": "famille",
            "published": "oui", "dates": f"{saturday:%d/%m} 10h-18h", "price": "gratuit"}
    for venue, message in (
            ("forum antik", f"Lieu inconnu : « forum antik » n'est pas un lieu de la base. "
                            f"Vouliez-vous dire : « {FORUM} » ?"),
            ("Église Saint-Martin", "plusieurs lieux s'appellent « Église Saint-Martin »")):
        resp = await client.post("/console/evenements/nouveau", data={**form, "venue": venue})
        assert resp.status == 422
        error = re.search(r'<span class="field-error" id="e-venue">([^<]*)</span>',
                          await resp.text())
        assert error and message in unescape(error.group(1)), error and error.group(1)
    resp = await client.post("/console/evenements/nouveau", allow_redirects=False,
                             data={**form, "venue": FORUM.upper()})  # case aside
    assert resp.status == 303, await resp.text()
    path = resp.headers["Location"].split("?")[0]
    with session_factory(kb_engine)() as session:
        event = session.get(Event, path.rsplit("/", 1)[1])
        assert event is not None
        assert event.venue_poi_id == ids["forum"] and event.commune_insee == "59053"
        assert event.price == {"free": True}
        [timing] = event.timings
        assert (timing.start, timing.end) == (utc(saturday, 10), utc(saturday, 18))
    page = unescape(await (await client.get(path)).text())
    assert f'name="venue" value="{FORUM}"' in page
    assert 'name="price" value="gratuit"' in page
    assert f"{saturday:%d/%m/%Y} 10h-18h</textarea>" in page
    assert "de 10 h à 18 h</li>" in page and "déjà passée" not in page
    # a date in the past: saved, and warned about
    resp = await client.post(path, allow_redirects=False, data={
        **form, "venue": FORUM, "dates": "05/12/2025 10h-18h"})
    assert resp.status == 303
    page = unescape(await (await client.get(path)).text())
    assert "une date de cet événement est déjà passée" in page
    assert "vendredi 5 décembre 2025, de 10 h à 18 h (passée)" in page


async def test_event_price_kept_when_unchanged(client: TestClient, kb_engine: Engine) -> None:  # noqa: F811
    """An imported price with keys the field does not show is kept as it is on save."""
    with transaction(session_factory(kb_engine)) as session:
        obj, _ = Store.for_session(session).save("event", {
            "title": "Concert importé", "commune_insee": "59053", "source": "OpenAgenda",
            "price": {"text": "5 € ; 3 € enfants", "min": 3, "max": 5},
            "timings": [{"start": "2027-07-14T20:00", "end": "2027-07-14T23:00"}]})
        event_id = obj.id
    assert await login(client, "edith") == 302
    path = f"/console/evenements/{event_id}"
    csrf = await token(client, path)
    page = unescape(await (await client.get(path)).text())
    assert 'name="price" value="5 € ; 3 € enfants"' in page
    resp = await client.post(path, allow_redirects=False, data={
        "csrf_token": csrf, "title": "Concert importé", "commune": "Bavay", "published": "oui",
        "dates": "14/07/2027 20h-23h", "price": "5 € ; 3 € enfants"})
    assert resp.status == 303, await resp.text()
    with session_factory(kb_engine)() as session:
        event = session.get(Event, event_id)
        assert event is not None and event.price == {"text": "5 € ; 3 € enfants", "min": 3,
                                                     "max": 5}


def test_event_price_field() -> None:
    for typed, stored in (("gratuit", {"free": True}), ("Gratuit.", {"free": True}),
                          ("Entrée libre", {"free": True}),
                          ("gratuit, sur réservation", {"free": True, "text": "sur réservation"}),
                          ("Gratuit (sur réservation)", {"free": True,
                                                         "text": "sur réservation"}),
                          ("gratuit pour les moins de 12 ans, 5 € sinon",
                           {"text": "gratuit pour les moins de 12 ans, 5 € sinon"}),
                          ("5 € ; 3 € enfants", {"text": "5 € ; 3 € enfants"}),
                          ("  ", None)):
        assert event_price_from_text(typed) == stored, typed
        assert event_price_from_text(event_price_to_text(stored)) == stored
