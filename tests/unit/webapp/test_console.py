"""Staff console over HTTP (aiohttp test client), on SQLite and on PostgreSQL: accounts
and roles, CSRF, rate-limited login, data pages with validation and the audit log."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.engine import Engine

from knowledge import importers
from knowledge.db import outdated_tables, session_factory, transaction
from knowledge.models import Event, Poi
from tests.support.paths import SAMPLES
from webapp.app import create_app
from webapp.console import __main__ as accounts_cli
from webapp.console import imports
from webapp.console.accounts import add_user
from webapp.console.models import AuditEntry, ConsoleBase, ensure_tables
from webapp.settings import WebSettings

PASSWORD = "un-mot-de-passe-solide"
OPENAGENDA = SAMPLES / "openagenda" / "oa-v2_events.response.json"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
async def client(kb_engine: Engine) -> AsyncIterator[TestClient]:
    ConsoleBase.metadata.drop_all(kb_engine)  # the PostgreSQL database is shared
    ensure_tables(kb_engine)
    with transaction(session_factory(kb_engine)) as session:
        for name, role in (("edith", "editor"), ("adam", "admin"), ("anna", "analyst")):
            add_user(session, name, PASSWORD, role)
    settings = WebSettings(knowledge_url=_url(kb_engine), tracker_store_db=":memory:",
                           rasa_url="http://127.0.0.1:1", rasa_api_token="",
                           secret_key=b"k" * 32, secure_cookies=False)
    async with TestClient(TestServer(create_app(settings))) as c:
        yield c


async def token(client: TestClient, path: str = "/console/connexion") -> str:
    resp = await client.get(path)
    match = TOKEN.search(await resp.text())
    assert match, await resp.text()
    return match.group(1)


async def login(client: TestClient, name: str, password: str = PASSWORD) -> int:
    csrf = await token(client)
    resp = await client.post("/console/connexion", allow_redirects=False, data={
        "csrf_token": csrf, "username": name, "password": password})
    return resp.status


async def test_pages_need_a_login_and_send_security_headers(client: TestClient) -> None:
    resp = await client.get("/console/lieux", allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"].startswith("/console/connexion?suivant=")
    page = await client.get("/console/connexion")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


async def test_wrong_password_is_refused_and_right_one_logs_in(client: TestClient) -> None:
    assert await login(client, "edith", "pas-le-bon-mot") == 401
    assert await login(client, "personne", PASSWORD) == 401
    before = await token(client)
    cookie_before = client.session.cookie_jar.filter_cookies(client.make_url("/"))
    assert await login(client, "edith") == 302
    # A new session at login (no fixation): new cookie, new CSRF token.
    cookie_after = client.session.cookie_jar.filter_cookies(client.make_url("/"))
    assert cookie_after["mormal_console"].value != cookie_before["mormal_console"].value
    assert await token(client, "/console/") != before
    home = await client.get("/console/")
    assert "Bonjour edith" in await home.text()


async def test_post_without_csrf_token_is_refused(client: TestClient) -> None:
    resp = await client.post("/console/connexion", data={"username": "edith",
                                                         "password": PASSWORD})
    assert resp.status == 403
    assert "Jeton de sécurité" in await resp.text()
    assert await login(client, "edith") == 302
    created = await client.post("/console/lieux/nouveau", data={
        "csrf_token": "faux", "name": "Sans jeton", "kinds": "museum",
        "interests": "culture", "commune": "Bavay"})
    assert created.status == 403


async def test_login_is_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        assert await login(client, "edith", "mauvais-mot") == 401
    assert await login(client, "edith") == 429  # even the right password, for now
    page = await client.get("/console/connexion")
    csrf = TOKEN.search(await page.text()).group(1)  # type: ignore[union-attr]
    resp = await client.post("/console/connexion", data={
        "csrf_token": csrf, "username": "edith", "password": PASSWORD})
    assert "Trop de tentatives" in await resp.text()
    assert resp.headers["Retry-After"].isdigit()
    # The address is not blocked for the other accounts (colleagues behind one router)...
    assert await login(client, "adam") == 302
    client.session.cookie_jar.clear()
    # ...until 20 failures from it, whatever the names tried.
    for n in range(15):
        assert await login(client, f"inconnu{n}", "mauvais-mot") == 401
    assert await login(client, "adam") == 429


async def test_roles(client: TestClient) -> None:
    assert await login(client, "edith") == 302
    assert (await client.get("/console/comptes")).status == 403
    csrf = await token(client, "/console/")
    resp = await client.post("/console/comptes", data={
        "csrf_token": csrf, "action": "add", "username": "intrus", "password": PASSWORD,
        "role": "admin"})
    assert resp.status == 403
    client.session.cookie_jar.clear()
    assert await login(client, "anna") == 302
    assert (await client.get("/console/lieux")).status == 403
    assert 'href="/console/analyse"' in await (await client.get("/console/")).text()


async def test_admin_manages_accounts(client: TestClient, kb_engine: Engine) -> None:
    assert await login(client, "adam") == 302
    csrf = await token(client, "/console/comptes")
    resp = await client.post("/console/comptes", data={
        "csrf_token": csrf, "action": "add", "username": "nouvelle", "password": PASSWORD,
        "role": "editor"})
    assert "Compte créé : nouvelle" in await resp.text()
    resp = await client.post("/console/comptes", data={
        "csrf_token": csrf, "action": "disable", "username": "edith"})
    assert resp.status == 200
    client.session.cookie_jar.clear()
    assert await login(client, "edith") == 401  # disabled
    assert await login(client, "nouvelle") == 302


async def test_create_edit_unpublish_with_audit(client: TestClient, kb_engine: Engine) -> None:
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/lieux/nouveau")
    bad = await client.post("/console/lieux/nouveau", data={
        "csrf_token": csrf, "name": "Ferme test", "kinds": "farm", "interests": "terroir",
        "latitude": "95", "longitude": "3.8", "published": "oui"})
    assert bad.status == 422
    assert "Latitude impossible" in await bad.text()
    resp = await client.post("/console/lieux/nouveau", allow_redirects=False, data={
        "csrf_token": csrf, "name": "Ferme test", "kinds": "farm", "interests": "terroir",
        "commune": "bavay", "published": "oui"})
    assert resp.status == 303, await resp.text()
    path = resp.headers["Location"].split("?")[0]
    record_id = path.rsplit("/", 1)[1]
    page = await client.get(path)
    text = await page.text()
    assert 'class="marker"' in text and "Coordonnées" in text
    resp = await client.post(path, allow_redirects=False, data={
        "csrf_token": csrf, "name": "Ferme test", "kinds": "farm", "interests": "terroir",
        "commune": "Bavay", "phone": "03 27 00 00 00", "published": "oui"})
    assert resp.status == 303
    resp = await client.post(f"{path}/publication", allow_redirects=False, data={
        "csrf_token": csrf, "action": "unpublish"})
    assert resp.status == 303
    with session_factory(kb_engine)() as session:
        poi = session.get(Poi, record_id)
        assert poi is not None and poi.phone == "03 27 00 00 00" and not poi.published
        assert poi.commune_insee == "59053"  # Bavay, from the typed commune name
        log = list(session.execute(select(AuditEntry).where(AuditEntry.record_id == record_id)
                                   .order_by(AuditEntry.id)).scalars())
    assert [e.action for e in log] == ["create", "edit", "unpublish"]
    assert log[0].before is None and log[0].after["name"] == "Ferme test"
    assert log[1].before["phone"] is None and log[1].after["phone"] == "03 27 00 00 00"
    assert all(e.username == "edith" for e in log)
    journal = await (await client.get(f"/console/journal?record_id={record_id}")).text()
    assert "3 entrée(s)" in journal
    # the changed field, named as in the form, with its values before and after
    assert '<th scope="row">Téléphone</th><td>—</td><td>03 27 00 00 00</td>' in journal
    listing = await client.get("/console/lieux?q=ferme+test&published=non")
    assert "1 résultat(s)" in await listing.text()
    assert "0 résultat(s)" in await (await client.get(
        "/console/lieux?q=ferme+test&published=oui")).text()


async def test_errors_are_shown_next_to_their_fields(client: TestClient) -> None:
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/lieux/nouveau")
    resp = await client.post("/console/lieux/nouveau", data={
        "csrf_token": csrf, "name": "", "kinds": "farm", "latitude": "95",
        "longitude": "3.8", "email": "pas-une-adresse", "published": "oui"})
    assert resp.status == 422
    text = await resp.text()
    for field, message in (("name", "Le nom est obligatoire"), ("interests", "Intérêt : au"),
                           ("latitude", "Latitude impossible"), ("email", "pas-une-adresse")):
        error = re.search(rf'<span class="field-error" id="e-{field}">([^<]*)</span>', text)
        assert error and message in error.group(1), (field, text)
        assert f'href="#f-{field}"' in text  # the summary links to the field
    assert re.search(r'<input id="f-latitude"[^>]*aria-describedby="h-latitude e-latitude"'
                     r' aria-invalid="true"', text)
    assert 'id="e-longitude"' not in text
    assert 'value="pas-une-adresse"' in text  # what was typed is kept


async def test_form_problems_are_shown_next_to_their_fields_too(client: TestClient) -> None:
    """Problems found by the form itself (commune, dates) and by validation (a venue
    that does not exist) are placed by the field they name, not by their wording."""
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/evenements/nouveau")
    resp = await client.post("/console/evenements/nouveau", data={
        "csrf_token": csrf, "title": "Fête", "commune": "Trifouillis", "published": "oui",
        "dates": "31/02/2027 10:00 ; 31/02/2027 18:00"})
    assert resp.status == 422
    text = await resp.text()
    for field, message in (("commune", "Trifouillis"), ("dates", "ligne 1")):
        error = re.search(rf'<span class="field-error" id="e-{field}">([^<]*)</span>', text)
        assert error and message in error.group(1), (field, text)
    resp = await client.post("/console/evenements/nouveau", data={
        "csrf_token": csrf, "title": "Fête", "commune": "Bavay", "published": "oui",
        "venue": "lieu-qui-n-existe-pas", "dates": "14/07/2027 10h ; 14/07/2027 18h"})
    assert resp.status == 422
    error = re.search(r'<span class="field-error" id="e-venue">([^<]*)</span>',
                      await resp.text())
    assert error and "Lieu inconnu" in error.group(1) and "lieu-qui-n-existe-pas" in \
        error.group(1)


async def test_french_decimal_commas_and_dates(client: TestClient, kb_engine: Engine) -> None:
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/lieux/nouveau")
    resp = await client.post("/console/lieux/nouveau", allow_redirects=False, data={
        "csrf_token": csrf, "name": "Ferme à la virgule", "kinds": "farm",
        "interests": "terroir", "latitude": "50,2936", "longitude": "3,8031",
        "published": "oui"})
    assert resp.status == 303, await resp.text()
    poi_id = resp.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    bad = await client.post("/console/evenements/nouveau", data={
        "csrf_token": csrf, "title": "Fête", "commune": "Bavay", "published": "oui",
        "dates": "31/02/2027 10:00 ; 31/02/2027 18:00"})
    assert bad.status == 422
    assert re.search(r'id="e-dates">Dates, ligne 1 \(« 31/02/2027 10:00 ; 31/02/2027 18:00 »\)'
                     r' : date impossible « 31/02/2027 »', await bad.text())
    resp = await client.post("/console/evenements/nouveau", allow_redirects=False, data={
        "csrf_token": csrf, "title": "Fête du 14 juillet", "commune": "Bavay",
        "published": "oui", "dates": "14/07/2027 10h ; 14/07/2027 18:30\n15/07/2027 ; 15/07/2027"})
    assert resp.status == 303, await resp.text()
    path = resp.headers["Location"].split("?")[0]
    page = await (await client.get(path)).text()
    # shown again the way staff write them (a whole day: the date alone)
    assert "14/07/2027 10h-18h30\n15/07/2027</textarea>" in page
    with session_factory(kb_engine)() as session:
        poi = session.get(Poi, poi_id)
        assert poi is not None and (poi.latitude, poi.longitude) == (50.2936, 3.8031)
        event = session.get(Event, path.rsplit("/", 1)[1])
        assert event is not None
        assert [(t.start, t.end) for t in sorted(event.timings, key=lambda t: t.start)] == [
            (datetime(2027, 7, 14, 8, 0), datetime(2027, 7, 14, 16, 30)),  # UTC
            (datetime(2027, 7, 14, 22, 0), datetime(2027, 7, 15, 21, 59))]


def _upload(csrf: str | None, name: str, content: bytes, fmt: str = "auto") -> FormData:
    form = FormData()
    if csrf is not None:
        form.add_field("csrf_token", csrf)
    form.add_field("fichier", io.BytesIO(content), filename=name)
    form.add_field("format", fmt)
    return form


async def test_import_preview_then_confirm(client: TestClient, kb_engine: Engine,
                                           tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "UPLOAD_DIR", tmp_path)
    stale = tmp_path / "abandonne.json"
    stale.write_text("{}")
    os.utime(stale, (time.time() - 9 * 3600,) * 2)
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/import")
    assert (await client.post("/console/import", data=_upload(None, "a.json", b"{}"))
            ).status == 403
    refused = await client.post("/console/import", data=_upload(csrf, "a.exe", b"MZ"))
    assert refused.status == 400 and "Type de fichier refusé" in await refused.text()
    big = await client.post("/console/import",
                            data=_upload(csrf, "gros.json", b" " * (imports.MAX_UPLOAD + 1)))
    assert big.status == 413 and "trop volumineux" in await big.text()
    broken = await client.post("/console/import", data=_upload(
        csrf, "agenda-casse.json", b'{"events": [', "openagenda"))
    text = await broken.text()
    assert "<td>agenda-casse.json</td>" in text  # the staff's file name, not the stored one
    assert "Fiches refusées" in text and "Confirmer l&#39;import" not in text

    data = json.loads(OPENAGENDA.read_text(encoding="utf-8"))
    for i, event in enumerate(data["events"]):  # the sample's events are in Caen
        event["location"] = {**(event.get("location") or {}), "latitude": 50.2936 + i / 1000,
                             "longitude": 3.8031, "insee": "59053", "city": "Bavay"}
    body = json.dumps(data).encode()
    preview = await client.post("/console/import", data=_upload(
        csrf, "../../agenda.json", body, "openagenda"))
    text = await preview.text()
    assert preview.status == 200 and "Aperçu de l&#39;import" in text, text
    assert f"{len(data['events'])} ajout(s)" in text
    uploaded = [p for p in tmp_path.iterdir()]
    assert not stale.exists() and len(uploaded) == 1  # the abandoned upload was swept
    assert uploaded[0].suffix == ".json" and ".." not in uploaded[0].name
    with session_factory(kb_engine)() as session:  # a dry run writes nothing
        assert session.execute(select(Event)).first() is None
    upload_token = re.search(r'name="token" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    assert (await client.post("/console/import/confirmer", data={"token": upload_token})
            ).status == 403
    assert (await client.post("/console/import/confirmer", data={
        "csrf_token": csrf, "token": "un-autre"})).status == 400
    done = await client.post("/console/import/confirmer", data={
        "csrf_token": csrf, "token": upload_token})
    assert "Import enregistré" in await done.text()
    assert list(tmp_path.iterdir()) == []  # the upload is deleted once imported
    with session_factory(kb_engine)() as session:
        assert len(session.execute(select(Event)).all()) == len(data["events"])
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "import")
                                ).scalar_one()
    assert entry.username == "edith" and entry.record_id.endswith("agenda.json")
    assert entry.after["n_added"] == len(data["events"])
    created = session.execute(select(AuditEntry).where(AuditEntry.action == "create")
                              ).scalars().all()
    assert len(created) == len(data["events"])  # one journal row per added record
    assert all(e.record_type == "event" and e.before is None and e.after["id"] == e.record_id
               and e.username == "edith" for e in created)
    again = await client.post("/console/import/confirmer", data={
        "csrf_token": csrf, "token": upload_token})
    assert again.status == 400  # confirmed once only

    # A new version of the agenda: one event renamed, the last one gone.
    renamed = data["events"][0]
    renamed["title"] = {"fr": "Lecture renommée (essai)"}
    gone_uid = str(data["events"][-1]["uid"])
    data["events"] = data["events"][:-1]
    data["total"] = len(data["events"])
    preview = await client.post("/console/import", data=_upload(
        csrf, "agenda-v2.json", json.dumps(data).encode(), "openagenda"))
    text = await preview.text()
    assert "1 modification(s)" in text and "1 dépublication(s)" in text, text
    upload_token = re.search(r'name="token" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    done = await client.post("/console/import/confirmer", data={
        "csrf_token": csrf, "token": upload_token})
    assert "Import enregistré" in await done.text()
    with session_factory(kb_engine)() as session:
        edits = session.execute(select(AuditEntry).where(AuditEntry.action == "edit")
                                ).scalars().all()
        unpublished = session.execute(select(AuditEntry).where(
            AuditEntry.action == "unpublish")).scalar_one()
        gone = session.execute(select(Event).where(Event.source_id == gone_uid)).scalar_one()
    assert len(edits) == 1 and edits[0].username == "edith"
    assert edits[0].before["title"] != edits[0].after["title"] == "Lecture renommée (essai)"
    assert unpublished.record_id == gone.id and not gone.published
    assert (unpublished.before["published"], unpublished.after["published"]) == (True, False)
    journal = await (await client.get(f"/console/journal?record_id={edits[0].record_id}")
                     ).text()
    assert "modification" in journal and "Titre" in journal  # the changed field, in French


async def test_a_refused_import_writes_no_journal_row(client: TestClient, kb_engine: Engine,
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit rows are written in the import's transaction: a failure loses both."""
    monkeypatch.setattr(imports, "UPLOAD_DIR", tmp_path)
    assert await login(client, "edith") == 302
    csrf = await token(client, "/console/import")
    data = json.loads(OPENAGENDA.read_text(encoding="utf-8"))
    for event in data["events"]:
        event["location"] = {**(event.get("location") or {}), "latitude": 50.2936,
                             "longitude": 3.8031, "insee": "59053", "city": "Bavay"}
    preview = await client.post("/console/import", data=_upload(
        csrf, "agenda.json", json.dumps(data).encode(), "openagenda"))
    upload_token = re.search(r'name="token" value="([^"]+)"',  # type: ignore[union-attr]
                             await preview.text()).group(1)

    def broken_commit(session: object, report: object) -> None:
        raise RuntimeError("panne simulée")

    original = importers.import_file

    def failing(*args: object, **kwargs: object) -> object:
        kwargs["before_commit"] = broken_commit
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importers, "import_file", failing)  # imports.py imports it late
    resp = await client.post("/console/import/confirmer", data={
        "csrf_token": csrf, "token": upload_token})
    assert resp.status == 500
    with session_factory(kb_engine)() as session:
        assert session.execute(select(AuditEntry)).first() is None
        assert session.execute(select(Event)).first() is None


async def test_validation_report_page(client: TestClient) -> None:
    assert await login(client, "edith") == 302
    resp = await client.get("/console/verification")
    assert resp.status == 200
    assert "erreur(s)" in await resp.text()


def test_accounts_command_line(kb_engine: Engine, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleBase.metadata.drop_all(kb_engine)
    db = ["--db", _url(kb_engine)]
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert accounts_cli.main([*db, "users", "add", "claire", "--role", "admin",
                              "--password-stdin"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("court\n"))
    assert accounts_cli.main([*db, "users", "add", "bob", "--role", "editor",
                              "--password-stdin"]) == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert accounts_cli.main([*db, "users", "add", "claire", "--role", "editor",
                              "--password-stdin"]) == 1
    assert accounts_cli.main([*db, "users", "disable", "claire"]) == 0
    assert accounts_cli.main([*db, "users", "list"]) == 0
    out, err = capsys.readouterr()
    assert "claire\tadmin\tdésactivé" in out
    assert "au moins 10 caractères" in err and "existe déjà" in err
    with session_factory(kb_engine)() as session:
        from webapp.console.models import StaffUser
        row = session.execute(select(StaffUser).where(StaffUser.username == "claire")).scalar_one()
        assert row.password_hash.startswith("$argon2") and PASSWORD not in row.password_hash
    assert outdated_tables(kb_engine) == []  # the console's tables do not upset the check
