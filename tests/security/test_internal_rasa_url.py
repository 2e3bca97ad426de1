"""The Rasa API token never crosses the public address (issue 15): before, the web app
posted widget clicks to RASA_PUBLIC_URL/conversations/…?token=…, so the reverse proxy had
to forward Rasa's admin API. Over the real web app, with two recording servers standing
for the public address (the proxy) and the internal one (Rasa's API)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from analytics.reader import make_engine
from analytics.synthetic import create_events_table
from tests.security.conftest import event, web_app, write_events

pytestmark = pytest.mark.e2e

TOKEN = "jeton-api-rasa-du-test"
CARD = {"type": "places", "items": [{"id": "bavay-forum-antique",
                                     "name": "Forum antique de Bavay", "kind": "museum"}]}


@contextmanager
def recorder() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server that answers 200 to everything and keeps the paths it was asked."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            seen.append(self.path)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_clicks_reach_rasa_by_the_internal_url_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    create_events_table(engine)
    write_events(engine, [event("visiteur-1", "bot", time.time(), text="Voici",
                                data={"custom": CARD})])
    engine.dispose()
    with recorder() as (public, public_seen), recorder() as (internal, internal_seen):
        env = {"RASA_PUBLIC_URL": public, "RASA_INTERNAL_URL": internal,
               "RASA_API_TOKEN": TOKEN}
        with web_app(tmp_path, env, ()) as app:
            click = json.dumps({"sender": "visiteur-1", "type": "click",
                                "item": "bavay-forum-antique", "target": "website"})
            req = urllib.request.Request(f"{app.url}/api/interactions", data=click.encode(),
                                         headers={"Content-Type": "text/plain"})
            with urllib.request.urlopen(req, timeout=30) as resp:
                assert resp.status == 204
            page = urllib.request.urlopen(f"{app.url}/", timeout=30).read().decode()
    assert public_seen == []
    assert len(internal_seen) == 1 and internal_seen[0].startswith(
        "/conversations/visiteur-1/tracker/events?") and f"token={TOKEN}" in internal_seen[0]
    assert public in page and internal not in page and TOKEN not in page  # the widget's
