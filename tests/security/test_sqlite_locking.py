"""SQLite under concurrent use (issue 15), over the real servers: before, the tracker file
was in rollback-journal mode, so while an export or the Analyse page streamed it Rasa's
save of a turn failed after 5 s and the turn was lost; and the knowledge base's
connections gave up after the driver's 5 s, so a staff login during a long import failed
with "database is locked" (500)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.request
import uuid
from collections.abc import Generator
from pathlib import Path
from typing import cast

import pytest
import sqlalchemy as sa

from analytics.reader import EVENTS, Event, make_engine, stream_events
from tests.security.conftest import Staff, user, web_app, write_events
from tests.support.servers import Servers

pytestmark = pytest.mark.e2e


def test_a_turn_is_saved_while_an_export_streams_the_tracker(rasa_servers: Servers) -> None:
    url = f"sqlite:///{rasa_servers.env['TRACKER_STORE_DB']}"
    engine = make_engine(url)
    old = time.time() - 3 * 86400
    write_events(engine, [user(f"ancien-{n % 50}", old + n, "bonjour", "greet", "rest")
                          for n in range(6000)])
    sender = f"pendant-export-{uuid.uuid4().hex[:8]}"
    # an export reading the tracker, batch by batch
    stream = cast(Generator[Event, None, None], stream_events(engine))
    next(stream)
    try:
        body = json.dumps({"sender": sender, "message": "bonjour"}).encode()
        req = urllib.request.Request(rasa_servers.rest_webhook, data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            assert resp.status == 200
    finally:
        stream.close()
    with engine.connect() as conn:
        saved = conn.execute(sa.select(sa.func.count()).select_from(EVENTS).where(
            (EVENTS.c.sender_id == sender) & (EVENTS.c.type_name == "user"))).scalar_one()
    engine.dispose()
    assert saved == 1, "the turn was lost"


def test_a_login_waits_for_a_long_write_instead_of_failing(tmp_path: Path) -> None:
    with web_app(tmp_path, accounts=(("edith", "editor"),)) as app:
        staff = Staff(app.url)
        csrf = staff.csrf()
        held = threading.Event()

        def long_import() -> None:  # holds the knowledge base's write lock for 8 s
            conn = sqlite3.connect(tmp_path / "knowledge.sqlite3", isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(8)
            conn.execute("COMMIT")
            conn.close()

        writer = threading.Thread(target=long_import)
        writer.start()
        held.wait(10)
        status = staff.request("/console/connexion", {
            "csrf_token": csrf, "suivant": "/console/", "username": "edith",
            "password": "mot-de-passe-du-test"})[0]
        writer.join()
        assert status == 302
