"""The Analyse page, inside the console package (webapp/console/analysis.py): served at
/console/analyse to analysts from its template console/analysis.html, with its downloads;
the app reads its shared resources from webapp/keys.py."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from analytics import live
from analytics.reader import EVENTS, make_engine
from analytics.synthetic import fill
from knowledge.db import make_engine as make_kb_engine
from knowledge.db import session_factory, transaction
from webapp import app as app_module
from webapp import keys
from webapp.app import create_app
from webapp.console.accounts import add_user
from webapp.console.models import ensure_tables
from webapp.settings import WebSettings

PASSWORD = "un-mot-de-passe-solide"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("TRACKER_STORE_URL", "")
    tracker = tmp_path / "tracker.sqlite3"
    fill(make_engine(f"sqlite:///{tracker}"), 30, start=time.time() - 3 * 86400, days=2)
    kb_url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    engine = make_kb_engine(kb_url)
    ensure_tables(engine)
    with transaction(session_factory(engine)) as session:
        add_user(session, "anna", PASSWORD, "analyst")
    engine.dispose()
    settings = WebSettings(knowledge_url=kb_url, tracker_store_db=str(tracker),
                           rasa_url="http://127.0.0.1:1", rasa_api_token="",
                           secret_key=b"k" * 32, secure_cookies=False, daily_retention=False)
    async with TestClient(TestServer(create_app(settings))) as c:
        yield c


async def test_the_analysis_page_is_served_from_the_console(client: TestClient) -> None:
    assert app_module.SETTINGS is keys.SETTINGS  # one key, re-exported by the factory
    page = await client.get("/console/analyse", allow_redirects=False)
    assert page.status == 302  # a login first
    login = await client.get("/console/connexion")
    csrf = TOKEN.search(await login.text())
    assert csrf
    resp = await client.post("/console/connexion", allow_redirects=False, data={
        "csrf_token": csrf.group(1), "username": "anna", "password": PASSWORD})
    assert resp.status in (302, 303)
    page = await client.get("/console/analyse")
    html = await page.text()
    assert page.status == 200 and "Analyse des conversations" in html
    assert "relisant toutes les conversations enregistrées" in html  # no consumer: rescan
    assert "Bavay" in html or "Le Quesnoy" in html or "Landrecies" in html  # communes
    csv = await client.get("/console/analyse/export/summary.csv")
    assert csv.status == 200 and "conversations" in await csv.text()


async def test_the_page_reads_the_consumers_counters_and_says_so(
        client: TestClient, tmp_path: Path) -> None:
    """Once the event broker's consumer has counted the conversations, the page shows the
    same figures from its counters, with the time of the newest event counted."""
    login = await client.get("/console/connexion")
    csrf = TOKEN.search(await login.text())
    assert csrf
    await client.post("/console/connexion", data={
        "csrf_token": csrf.group(1), "username": "anna", "password": PASSWORD})
    before = await (await client.get("/console/analyse")).text()
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(EVENTS.c.sender_id, EVENTS.c.data)).all()
    live.create_tables(engine)
    live.record_events(engine, [live.BrokerEvent(r.sender_id, json.loads(r.data))
                                for r in rows])
    engine.dispose()
    after = await (await client.get("/console/analyse")).text()
    assert "compteurs journaliers tenus à jour" in after
    assert "Dernier événement compté : le " in after
    assert "Les textes des messages ne sont pas dans les compteurs" in after
    shown = re.compile(r'data-figure="(\w+)">([^<]*)<')
    assert shown.findall(after) == shown.findall(before)
    assert dict(shown.findall(after))["conversations"] not in ("", "0")
