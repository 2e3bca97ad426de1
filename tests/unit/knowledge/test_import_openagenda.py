"""OpenAgenda imports: real v2 samples, an agenda as a full feed, broken files, and the
live client against a local stand-in of the API — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.orm import sessionmaker

from knowledge.importers import OpenAgendaError, fetch_openagenda, import_file
from knowledge.importers.openagenda import source_of
from knowledge.models import Event
from knowledge.queries import events_between
from tests.support.import_helpers import FIXTURES, SAMPLES, WIDE_KM, get, snapshot

AGENDA_FILE = FIXTURES / "openagenda" / "territory_events.json"
SOURCE = source_of("77000001")


def _events() -> list[dict[str, Any]]:
    return json.loads(AGENDA_FILE.read_text(encoding="utf-8"))["events"]


@pytest.mark.parametrize("name, count", [
    ("oa-v2_albi_events.json", 50), ("oa-v2_events.response.json", 6),
    ("oa-v2_single_event_response.json", 1), ("oa-v2_sdk_events_fixture.json", 1),
    ("oa-v1_legacy_event.json", 1),
])
def test_each_real_sample_imports(kb_factory: sessionmaker, monkeypatch: pytest.MonkeyPatch,
                                  name: str, count: int) -> None:
    monkeypatch.setenv("KNOWLEDGE_MAX_DISTANCE_KM", WIDE_KM)
    report = import_file(kb_factory, SAMPLES / "openagenda" / name)
    assert report.committed and not report.rejected, report.summary_fr()
    assert (len(report.added), report.source) == (count, "OpenAgenda")
    before = snapshot(kb_factory)
    again = import_file(kb_factory, SAMPLES / "openagenda" / name)
    assert (again.added, again.changed, again.unchanged) == ([], [], count)
    assert snapshot(kb_factory) == before


def test_albi_sample_fields(kb_factory: sessionmaker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_MAX_DISTANCE_KM", WIDE_KM)
    report = import_file(kb_factory, SAMPLES / "openagenda" / "oa-v2_albi_events.json")
    assert report.full_feed  # a plain list of events: the whole agenda
    talk = get(kb_factory, Event, source_id="94820242")
    assert talk.source == "OpenAgenda, agenda 48353388"
    assert talk.interests == ["culture"]  # keywords "conférence", "université pour tous"
    brocante = get(kb_factory, Event, source_id="48516406")
    assert brocante.venue_name == "Halle du Castelviel" and brocante.latitude == 43.926712
    assert [(t.start.isoformat(), t.end.isoformat()) for t in brocante.timings] == [
        ("2023-11-25T06:00:00", "2023-11-25T11:30:00")]
    assert brocante.image.startswith("https://cdn.openagenda.com/")


def test_territory_agenda_edge_cases(kb_factory: sessionmaker) -> None:
    report = import_file(kb_factory, AGENDA_FILE)
    assert report.committed and report.full_feed and len(report.added) == 3
    concert = get(kb_factory, Event, source_id="90000001")
    assert (concert.latitude, concert.longitude) == (50.295, 3.8)  # strings in the file
    assert concert.interests == ["culture"] and concert.source == SOURCE
    assert concert.venue_name == "Kiosque (essai)" and concert.published
    hike = get(kb_factory, Event, source_id="90000002")
    assert hike.title == "Test hike (essai)"  # English only
    assert hike.interests == ["randonnee"] and hike.coord_precision == "commune"
    assert hike.commune_insee == "59481" and len(hike.timings) == 2
    cancelled = get(kb_factory, Event, source_id="90000003")
    assert cancelled.published is False and "annulé" in cancelled.notes


def test_an_agenda_file_is_a_full_feed(kb_factory: sessionmaker, tmp_path: Path) -> None:
    import_file(kb_factory, AGENDA_FILE)
    events = _events()
    events[0]["title"] = {"fr": "Concert d'essai déplacé"}
    events[0]["updatedAt"] = "2026-04-01T09:00:00.000Z"
    smaller = tmp_path / "agenda.json"
    smaller.write_text(json.dumps({"total": 2, "events": events[:2]}), encoding="utf-8")
    report = import_file(kb_factory, smaller, "openagenda")
    concert = get(kb_factory, Event, source_id="90000001")
    assert report.changed == [concert.id] and concert.title == "Concert d'essai déplacé"
    # The cancelled event left the agenda but was already unpublished: nothing to do.
    assert report.unpublished == [] and report.unchanged == 1
    smaller.write_text(json.dumps({"total": 1, "events": events[:1]}), encoding="utf-8")
    report = import_file(kb_factory, smaller, "openagenda")
    assert report.unpublished == [get(kb_factory, Event, source_id="90000002").id]
    # One page of a longer agenda (total 3, one event) is not the whole agenda.
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"total": 3, "events": _events()[2:]}), encoding="utf-8")
    report = import_file(kb_factory, page, "openagenda")
    assert not report.full_feed and report.unpublished == []


@pytest.mark.parametrize("shape", ["single-event response", "bare event"])
def test_one_event_file_unpublishes_nothing(kb_factory: sessionmaker, tmp_path: Path,
                                            shape: str) -> None:
    """A file of one event of the agenda is not the agenda: the others stay published."""
    import_file(kb_factory, AGENDA_FILE)
    event = _events()[0]
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"event": event} if shape == "single-event response" else event),
                   encoding="utf-8")
    report = import_file(kb_factory, one, "openagenda")
    assert report.committed and not report.full_feed
    assert report.unpublished == [] and report.unchanged == 1
    assert get(kb_factory, Event, source_id="90000002").published


@pytest.mark.parametrize("name, expected", [
    ("truncated.json", [(None, None, "JSON illisible")]),
    ("wrong_types.json", [("90000021", "timings[0].begin",
                           "date manquante ou mal formée (reçu 1783958400)."),
                          (None, "uid", "identifiant manquant")]),
])
def test_broken_files_change_nothing(kb_factory: sessionmaker, name: str,
                                     expected: list[tuple[str | None, str | None, str]]) -> None:
    import_file(kb_factory, AGENDA_FILE)
    before = snapshot(kb_factory)
    report = import_file(kb_factory, FIXTURES / "openagenda" / name)
    assert not report.committed
    got = [(r.record_id, r.field, r.reason) for r in report.rejected]
    assert [g[:2] for g in got] == [e[:2] for e in expected]
    assert all(g[2].startswith(e[2]) for g, e in zip(got, expected, strict=True))
    assert all(r.file == name for r in report.rejected)
    assert snapshot(kb_factory) == before


class _FakeApi:
    """A stand-in of api.openagenda.com/v2 on 127.0.0.1, paging two events at a time."""

    def __init__(self) -> None:
        self.events = _events()
        self.requests: list[dict[str, list[str]]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                api.requests.append({"path": [url.path], **query})
                if query.get("key") != ["secret"]:
                    return self._send(403, {"message": "invalid key"})
                if url.path != "/v2/agendas/77000001/events":
                    return self._send(404, {"message": "not found"})
                start = int(query.get("after[]", ["0"])[0])
                page = api.events[start:start + 2]
                after = [start + len(page)] if page else None
                self._send(200, {"success": True, "total": len(api.events),
                                 "events": page, "after": after})

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v2"


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[_FakeApi]:
    api = _FakeApi()
    # Polled every 10 ms: shutdown() waits for the next poll (0.5 s by default).
    thread = threading.Thread(target=api.server.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    monkeypatch.setenv("OPENAGENDA_API_URL", api.url)
    monkeypatch.setenv("OPENAGENDA_KEY", "secret")
    yield api
    api.server.shutdown()
    api.server.server_close()


def test_live_client_pages_with_after(fake_api: _FakeApi) -> None:
    uids = [e["uid"] for e in fetch_openagenda("77000001")]
    assert uids == [90000001, "90000002", 90000003]
    assert [r.get("after[]") for r in fake_api.requests] == [None, ["2"], ["3"]]
    assert all(r["key"] == ["secret"] and r["relative[]"] == ["current", "upcoming"]
               for r in fake_api.requests)
    with pytest.raises(OpenAgendaError, match="introuvable"):
        list(fetch_openagenda("123"))
    with pytest.raises(OpenAgendaError, match="clé OpenAgenda refusée"):
        list(fetch_openagenda("77000001", key="wrong"))


def test_live_import_is_a_full_feed(kb_factory: sessionmaker, fake_api: _FakeApi) -> None:
    from knowledge.importers import import_openagenda

    report = import_openagenda(kb_factory, "77000001")
    assert report.committed and report.full_feed and len(report.added) == 3
    assert get(kb_factory, Event, source_id="90000001").source == SOURCE
    fake_api.events = fake_api.events[:2]
    report = import_openagenda(kb_factory, "77000001", dry_run=True)
    assert report.unpublished == [] and report.unchanged == 2  # the gone one was cancelled
    fake_api.events = fake_api.events[:1]
    report = import_openagenda(kb_factory, "77000001")
    assert report.unpublished == [get(kb_factory, Event, source_id="90000002").id]
    before = snapshot(kb_factory)
    report = import_openagenda(kb_factory, "77000001", key="wrong")
    assert not report.committed and "clé OpenAgenda refusée" in report.rejected[0].reason
    assert snapshot(kb_factory) == before


def test_the_bot_sees_imported_events_at_once(kb_factory: sessionmaker,
                                              tmp_path: Path) -> None:
    """Published events are listed by the bot's query right away; cancelled or unpublished
    ones are not."""
    import_file(kb_factory, AGENDA_FILE)

    def listed() -> set[str]:
        with kb_factory() as session:
            page = events_between(session, datetime(2026, 7, 1, tzinfo=timezone.utc),
                                  datetime(2026, 10, 1, tzinfo=timezone.utc),
                                  latitude=50.2936, longitude=3.8031, limit=10)
        return {hit.event.source_id for hit in page.items}

    assert listed() == {"90000001", "90000002"}  # 90000003 is cancelled
    smaller = tmp_path / "agenda.json"
    smaller.write_text(json.dumps({"total": 1, "events": _events()[:1]}), encoding="utf-8")
    import_file(kb_factory, smaller, "openagenda")
    assert listed() == {"90000001"}


def test_a_folder_of_pages_is_one_agenda(kb_factory: sessionmaker, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    events = _events()
    for i, chunk in enumerate((events[:2], events[2:], [])):  # the last page is empty
        (pages / f"page-{i}.json").write_text(
            json.dumps({"success": True, "total": 3, "events": chunk}), encoding="utf-8")
    report = import_file(kb_factory, pages)  # format guessed from the first page
    assert report.committed and report.full_feed and len(report.added) == 3
    (pages / "page-1.json").unlink()  # a page missing: not the whole agenda any more
    report = import_file(kb_factory, pages, dry_run=True)
    assert not report.full_feed and report.unpublished == [] and report.unchanged == 2


def test_the_agenda_can_be_named_for_a_file(kb_factory: sessionmaker,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_MAX_DISTANCE_KM", WIDE_KM)
    sample = SAMPLES / "openagenda" / "oa-v2_events.response.json"
    report = import_file(kb_factory, sample, dry_run=True)
    assert report.ok  # events say their origin agenda
    import_file(kb_factory, sample, agenda="5554444")
    assert get(kb_factory, Event, source_id="80533203").source == "OpenAgenda, agenda 5554444"
