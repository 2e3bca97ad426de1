"""`/plan` and `/plan.ics` (webapp/plan.py): a day plan's page and calendar, rebuilt from
the link's query and the base; malformed links get a French 400."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import Engine

from knowledge.db import session_factory
from knowledge.store import Store
from webapp.app import create_app
from webapp.plan import _fold, parse_plan, plan_ics, read_stops
from webapp.settings import WebSettings

QUERY = ("jour=2027-06-19&lieu=Bavay&etapes=10:00~90~places~test-forum,"
         "12:30~75~places~test-resto,14:30~120~places~test-gone")


@pytest.fixture
async def client(kb_engine: Engine) -> AsyncIterator[TestClient]:
    with session_factory(kb_engine)() as s, s.begin():
        store = Store.for_session(s)
        store.save_poi({"id": "test-forum", "name": "Forum d'essai, musée; antique",
                        "commune_insee": "59053", "latitude": 50.2986, "longitude": 3.7911,
                        "kinds": ["museum"], "interests": ["patrimoine"], "source": "tests",
                        "address": "Allée Chanoine Bievelet", "website": "https://example.org/f"})
        store.save_poi({"id": "test-resto", "name": "Restaurant d'essai",
                        "commune_insee": "59053", "latitude": 50.2950, "longitude": 3.7990,
                        "kinds": ["restaurant"], "interests": ["gastronomie"],
                        "source": "tests"})
    settings = WebSettings(knowledge_url=kb_engine.url.render_as_string(hide_password=False),
                           tracker_store_db=":memory:", rasa_url="http://127.0.0.1:1",
                           rasa_api_token="", secret_key=b"k" * 32, secure_cookies=False)
    async with TestClient(TestServer(create_app(settings))) as c:
        yield c


async def test_the_ics_has_one_event_per_stop_still_in_the_base(client: TestClient) -> None:
    resp = await client.get(f"/plan.ics?{QUERY}")
    assert resp.status == 200
    assert resp.content_type == "text/calendar"
    assert "attachment" in resp.headers["Content-Disposition"]
    body = await resp.text()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 2            # the removed stop is not in the agenda
    # 10:00 in Paris on 19 June 2027 (summer time) is 08:00 UTC.
    assert "DTSTART:20270619T080000Z" in body and "DTEND:20270619T093000Z" in body
    assert "DTSTART:20270619T103000Z" in body
    assert "SUMMARY:Forum d'essai\\, musée\\; antique" in body
    assert "LOCATION:Allée Chanoine Bievelet\\, Bavay" in body
    assert "GEO:50.29860;3.79110" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


async def test_the_page_lists_the_stops_in_order_and_says_what_is_gone(
        client: TestClient) -> None:
    resp = await client.get(f"/plan?{QUERY}")
    assert resp.status == 200
    html = await resp.text()
    assert html.index("Forum d&#39;essai") < html.index("Restaurant d&#39;essai")
    assert "Étape retirée" in html and "office de tourisme" in html
    assert "samedi 19 juin 2027" in html.lower()
    assert 'href="/plan.ics?' in html


@pytest.mark.parametrize("query", [
    "jour=2027-13-01&etapes=10:00~90~places~test-forum",
    "jour=2027-06-19&etapes=",
    "jour=2027-06-19&etapes=25:00~90~places~test-forum",
    "jour=2027-06-19&etapes=10:00~0~places~test-forum",
    "jour=2027-06-19&etapes=10:00~90~people~test-forum",
    "jour=2027-06-19&etapes=10:00~90~places~<script>",
    "jour=2027-06-19&etapes=" + ",".join(["10:00~90~places~a"] * 7),
])
async def test_a_malformed_link_is_refused_in_french(client: TestClient, query: str) -> None:
    resp = await client.get(f"/plan.ics?{query}", headers={"Accept": "application/json"})
    assert resp.status == 400
    assert (await resp.json())["error"] == "Requête invalide"


def test_long_lines_are_folded() -> None:
    folded = _fold("DESCRIPTION:" + "é" * 80)
    assert all(len(line.encode()) <= 75 for line in folded)
    assert "".join(line[1:] if i else line for i, line in enumerate(folded)) == \
        "DESCRIPTION:" + "é" * 80


def test_a_plan_without_stops_in_the_base_is_an_empty_calendar(kb_engine: Engine) -> None:
    day, label, steps = parse_plan({"jour": "2027-06-19", "etapes": "10:00~60~routes~none"})
    with session_factory(kb_engine)() as s:
        stops = read_stops(s, steps)
    ics = plan_ics(day, label, stops, datetime(2027, 6, 1, tzinfo=timezone.utc))
    assert "BEGIN:VEVENT" not in ics and label == "Pays de Mormal"
